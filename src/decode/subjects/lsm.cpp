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

}  // namespace

Subject subject_lsm() {
  return {"lsm", kTables, {}};
}

}  // namespace dtruss::structs
