// The LSM attribute calls (lsm_get_self_attr, lsm_set_self_attr, lsm_list_modules).

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// include/uapi/linux/lsm.h: the attributes (LSM_ATTR_*) and LSM_FLAG_SINGLE.
constexpr FlagName kLsmAttrs[] = {
    N(100, "LSM_ATTR_CURRENT"),   N(101, "LSM_ATTR_EXEC"), N(102, "LSM_ATTR_FSCREATE"),
    N(103, "LSM_ATTR_KEYCREATE"), N(104, "LSM_ATTR_PREV"), N(105, "LSM_ATTR_SOCKCREATE"),
};
constexpr FlagTable kLsmAttr = enum_table("lsm_attr", kLsmAttrs);
constexpr FlagName kLsmBits[] = {N(0x0001, "LSM_FLAG_SINGLE")};
constexpr FlagTable kLsmFlags = bits_table("lsm_flags", kLsmBits);

constexpr const FlagTable* kTables[] = {&kLsmAttr, &kLsmFlags};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef LSM_ATTR_CURRENT
static_assert(value_named(kLsmAttrs, "LSM_ATTR_CURRENT") == value_of(LSM_ATTR_CURRENT));
#endif
#ifdef LSM_ATTR_EXEC
static_assert(value_named(kLsmAttrs, "LSM_ATTR_EXEC") == value_of(LSM_ATTR_EXEC));
#endif
#ifdef LSM_ATTR_FSCREATE
static_assert(value_named(kLsmAttrs, "LSM_ATTR_FSCREATE") == value_of(LSM_ATTR_FSCREATE));
#endif
#ifdef LSM_ATTR_KEYCREATE
static_assert(value_named(kLsmAttrs, "LSM_ATTR_KEYCREATE") == value_of(LSM_ATTR_KEYCREATE));
#endif
#ifdef LSM_ATTR_PREV
static_assert(value_named(kLsmAttrs, "LSM_ATTR_PREV") == value_of(LSM_ATTR_PREV));
#endif
#ifdef LSM_ATTR_SOCKCREATE
static_assert(value_named(kLsmAttrs, "LSM_ATTR_SOCKCREATE") == value_of(LSM_ATTR_SOCKCREATE));
#endif
#ifdef LSM_FLAG_SINGLE
static_assert(value_named(kLsmBits, "LSM_FLAG_SINGLE") == value_of(LSM_FLAG_SINGLE));
#endif

}  // namespace

Subject subject_lsm() {
  return {"lsm", kTables, {}, {}};
}

}  // namespace dtruss::structs
