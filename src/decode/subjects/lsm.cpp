// The LSM attribute calls (lsm_get_self_attr, lsm_set_self_attr, lsm_list_modules): the
// attributes, the security modules' ids and struct lsm_ctx.

#include <cstdint>

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

// include/uapi/linux/lsm.h (Linux 6.8; IPE 6.12): the security modules (LSM_ID_*).
constexpr FlagName kLsmIds[] = {
    N(0, "LSM_ID_UNDEF"),      N(100, "LSM_ID_CAPABILITY"), N(101, "LSM_ID_SELINUX"),
    N(102, "LSM_ID_SMACK"),    N(103, "LSM_ID_TOMOYO"),     N(104, "LSM_ID_APPARMOR"),
    N(105, "LSM_ID_YAMA"),     N(106, "LSM_ID_LOADPIN"),    N(107, "LSM_ID_SAFESETID"),
    N(108, "LSM_ID_LOCKDOWN"), N(109, "LSM_ID_BPF"),        N(110, "LSM_ID_LANDLOCK"),
    N(111, "LSM_ID_IMA"),      N(112, "LSM_ID_EVM"),        N(113, "LSM_ID_IPE"),
};
constexpr FlagTable kLsmId = enum_table("lsm_id", kLsmIds);

// struct lsm_ctx (include/uapi/linux/lsm.h) without its context, which follows it: ctx_len
// bytes, then padding up to len.
struct LsmCtxHead {
  uint64_t id;
  uint64_t flags;  // the module's own
  uint64_t len;    // of the whole record
  uint64_t ctx_len;
};

// The lsm_ctx at addr, whose record may take `room` bytes at most (*len: its length).
Value one_lsm_ctx(const ArgContext& c, uint64_t addr, uint64_t room, uint64_t* len) {
  LsmCtxHead h{};
  if (room < sizeof h || !read_struct(c.mem, addr, &h)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("id", enum_value(&kLsmId, h.id));
  FIELD(v, h, flags, Value::uinteger);
  FIELD(v, h, len, Value::uinteger);
  FIELD(v, h, ctx_len, Value::uinteger);
  uint64_t shown = std::min<uint64_t>(h.ctx_len, room - sizeof h);
  v.add("ctx", buffer_value(c.mem, addr + sizeof h, static_cast<size_t>(shown), c.opt.strsize));
  *len = h.len;
  return v;
}

// lsm_set_self_attr's context: one record of `size` bytes.
Value decode_lsm_ctx(const ArgContext& c) {
  size_t size = 0;
  if (!length_of(c, &size)) return ptr_value(c.raw);
  uint64_t len = 0;
  return one_lsm_ctx(c, c.raw, size, &len);
}

// lsm_get_self_attr's contexts: as many records as it returned, in the *size bytes it wrote.
Value decode_lsm_ctxs(const ArgContext& c) {
  size_t size = 0;
  if (c.failed() || !length_of(c, &size)) return ptr_value(c.raw);
  uint64_t count = c.ev.ret > 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  Value arr = Value::array();
  uint64_t off = 0;
  for (uint64_t i = 0; i < count && off < size; ++i) {
    uint64_t len = 0;
    if (i == kMaxArrayElements) {
      arr.truncated = true;
      break;
    }
    Value v = one_lsm_ctx(c, c.raw + off, size - off, &len);
    bool bad = v.type == Value::Type::Unreadable || len < sizeof(LsmCtxHead);
    if (v.type != Value::Type::Unreadable) arr.add({}, std::move(v));
    if (bad) {  // (a record that cannot be read, or whose length leads nowhere)
      arr.truncated = true;
      break;
    }
    off += len;
  }
  return arr;
}

// lsm_list_modules' ids: as many as it returned.
Value decode_lsm_ids(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(uint64_t), kMaxArrayElements,
                      [](const ArgContext& ctx, uint64_t addr) {
                        uint64_t id = 0;
                        if (!read_struct(ctx.mem, addr, &id)) return Value::unreadable(addr);
                        return enum_value(&kLsmId, id);
                      });
}

constexpr Entry kStructs[] = {
    {"lsm_ctx", 0, decode_lsm_ctx},
    {"lsm_ctxs", 0, decode_lsm_ctxs},
    {"lsm_ids", sizeof(uint64_t), decode_lsm_ids},
};

constexpr const FlagTable* kTables[] = {&kLsmAttr, &kLsmFlags, &kLsmId};

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
  return {"lsm", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
