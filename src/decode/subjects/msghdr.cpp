// sendmsg/recvmsg: struct msghdr and mmsghdr, control messages, MSG_* flags.

#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/if_packet.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/socket.h> (bits/socket.h); MSG_SOCK_DEVMEM from include/linux/socket.h (Linux 6.12).
// MSG_TRYHARD is MSG_DONTROUTE.
constexpr FlagName kMsgBits[] = {
    F(MSG_OOB),
    F(MSG_PEEK),
    F(MSG_DONTROUTE),
    F(MSG_CTRUNC),
    F(MSG_PROXY),
    F(MSG_TRUNC),
    F(MSG_DONTWAIT),
    F(MSG_EOR),
    F(MSG_WAITALL),
    F(MSG_FIN),
    F(MSG_SYN),
    F(MSG_CONFIRM),
    F(MSG_RST),
    F(MSG_ERRQUEUE),
    F(MSG_NOSIGNAL),
    F(MSG_MORE),
    F(MSG_WAITFORONE),
    F(MSG_BATCH),
    N(0x2000000, "MSG_SOCK_DEVMEM"),
    F(MSG_ZEROCOPY),
    F(MSG_FASTOPEN),
    F(MSG_CMSG_CLOEXEC),
};
constexpr FlagTable kMsgFlags = bits_table("msg_flags", kMsgBits);

// <sys/socket.h> (SCM_RIGHTS, SCM_CREDENTIALS) and <asm/socket.h> (the SO_* that double as
// SCM_* control message types); SCM_SECURITY and SCM_PIDFD (Linux 6.5) from the kernel's
// include/linux/socket.h.
constexpr FlagName kScmTypes[] = {
    F(SCM_RIGHTS),
    F(SCM_CREDENTIALS),
    N(0x03, "SCM_SECURITY"),
    N(0x04, "SCM_PIDFD"),
    N(SO_TIMESTAMP_OLD, "SCM_TIMESTAMP"),
    N(SO_TIMESTAMPNS_OLD, "SCM_TIMESTAMPNS"),
    N(SO_TIMESTAMPING_OLD, "SCM_TIMESTAMPING"),
    F(SCM_WIFI_STATUS),
    F(SCM_TXTIME),
};
constexpr FlagTable kScmType = tables::enum_table("scm_type", kScmTypes);

// Bytes of msg_control read at most, and fds of one SCM_RIGHTS message shown at most (the
// kernel's SCM_MAX_FD, include/net/scm.h: no message carries more).
constexpr size_t kMaxControl = 4096;
constexpr size_t kMaxScmFds = 253;

// The data of a control message of a known type (*out), or false.
bool cmsg_data(const cmsghdr& h, const uint8_t* data, size_t n, Value* out) {
  if (h.cmsg_level != SOL_SOCKET) return false;
  if (h.cmsg_type == SCM_RIGHTS) {
    Value fds = Value::array();
    for (size_t off = 0; off + sizeof(int32_t) <= n; off += sizeof(int32_t)) {
      if (fds.items.size() == kMaxScmFds) {
        fds.truncated = true;
        break;
      }
      int32_t fd = 0;
      std::memcpy(&fd, data + off, sizeof fd);
      fds.add({}, fd_value(fd));
    }
    *out = std::move(fds);
    return true;
  }
  if (h.cmsg_type == SCM_CREDENTIALS && n >= sizeof(ucred)) {
    ucred cr{};
    std::memcpy(&cr, data, sizeof cr);
    Value v = Value::structure();
    FIELD(v, cr, pid, Value::integer);
    FIELD(v, cr, uid, Value::uinteger);
    FIELD(v, cr, gid, Value::uinteger);
    *out = std::move(v);
    return true;
  }
  if (h.cmsg_type == 0x04 /* SCM_PIDFD */ && n >= sizeof(int32_t)) {
    int32_t fd = 0;
    std::memcpy(&fd, data, sizeof fd);
    *out = fd_value(fd);
    return true;
  }
  return false;
}

// The control messages in `len` bytes at `addr`.
Value control_value(const ArgContext& c, uint64_t addr, uint64_t len) {
  if (addr == 0) return Value::null();
  if (len == 0) return Value::hex(addr);
  size_t want = static_cast<size_t>(std::min<uint64_t>(len, kMaxControl));
  std::string buf(want, '\0');
  size_t got = c.mem.read(addr, buf.data(), want);
  if (got < sizeof(cmsghdr)) return Value::unreadable(addr);
  const auto* p = reinterpret_cast<const uint8_t*>(buf.data());
  Value arr = Value::array();
  size_t off = 0;
  while (off + sizeof(cmsghdr) <= got) {
    cmsghdr h{};
    std::memcpy(&h, p + off, sizeof h);
    Value m = Value::structure();
    FIELD(m, h, cmsg_len, Value::uinteger);
    m.add("cmsg_level", enum_value(flag_table(TableId::sockopt_level), h.cmsg_level));
    m.add("cmsg_type", h.cmsg_level == SOL_SOCKET ? enum_value(&kScmType, h.cmsg_type)
                                                  : Value::integer(h.cmsg_type));
    if (h.cmsg_len < sizeof(cmsghdr)) {  // bogus: nothing after it can be found
      arr.add({}, std::move(m));
      arr.truncated = true;
      return arr;
    }
    // The data as far as both the message and the bytes read reach.
    size_t avail = got - off;
    size_t end = static_cast<size_t>(std::min<uint64_t>(h.cmsg_len, avail));
    Value d;
    if (end > CMSG_LEN(0) && cmsg_data(h, p + off + CMSG_LEN(0), end - CMSG_LEN(0), &d))
      m.add("cmsg_data", std::move(d));
    arr.add({}, std::move(m));
    if (h.cmsg_len > avail) break;  // it runs past what was read (or past msg_controllen)
    uint64_t next = CMSG_ALIGN(h.cmsg_len);
    if (next > avail) break;
    off += static_cast<size_t>(next);
    if (arr.items.size() >= kMaxArrayElements) break;
  }
  if (len > got) arr.truncated = true;
  return arr;
}

// A length the kernel read and wrote back: `in => out` when the call changed it.
Value length_value(const msghdr* before, uint64_t in, uint64_t out) {
  if (before == nullptr || in == out) return Value::uinteger(out);
  return Value::changed(Value::uinteger(in), Value::uinteger(out));
}

// `recv`: the kernel filled it (recvmsg, recvmmsg), `total` bytes in all; otherwise the data is
// what the caller gave (sendmsg), each buffer shown up to its length. `before`: a received
// message's header as passed (its lengths of name and control data are shown `128 => 16`).
Value msghdr_value(const ArgContext& c, uint64_t addr, bool recv, uint64_t total) {
  msghdr m{};
  if (!read_struct(c.mem, addr, &m)) return Value::unreadable(addr);
  msghdr b{};
  const msghdr* before = recv && read_struct(c.ev.before, addr, &b) ? &b : nullptr;
  Value v = Value::structure();
  auto name = reinterpret_cast<uint64_t>(m.msg_name);
  if (name == 0)
    v.add("msg_name", Value::null());
  else if (recv && m.msg_namelen == 0)
    v.add("msg_name", Value::hex(name));
  else
    v.add("msg_name", sockaddr_at(c.mem, name, m.msg_namelen));
  v.add("msg_namelen", length_value(before, b.msg_namelen, m.msg_namelen));
  auto iov = reinterpret_cast<uint64_t>(m.msg_iov);
  if (iov == 0)
    v.add("msg_iov", Value::null());
  else
    v.add("msg_iov", iovec_array(c, iov, m.msg_iovlen, true, recv ? total : UINT64_MAX));
  FIELD(v, m, msg_iovlen, Value::uinteger);
  v.add("msg_control",
        control_value(c, reinterpret_cast<uint64_t>(m.msg_control), m.msg_controllen));
  v.add("msg_controllen", length_value(before, b.msg_controllen, m.msg_controllen));
  v.add("msg_flags", flags_value(&kMsgFlags, static_cast<uint32_t>(m.msg_flags)));
  return v;
}

Value decode_msghdr(const ArgContext& c) {
  bool recv = c.arg.dir != Dir::In;
  // A failed recvmsg: the name and control data the kernel did not write; the address, as
  // strace shows it.
  if (recv && c.failed()) return ptr_value(c.raw);
  uint64_t total = c.ev.returned() && c.ev.ret >= 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  return msghdr_value(c, c.raw, recv, total);
}

// One message of an mmsghdr array: its header, and msg_len, the bytes the kernel sent or
// received (written by the call: shown as it left it).
Value one_mmsghdr(const ArgContext& c, uint64_t addr, bool recv) {
  mmsghdr mm{};
  if (!read_struct(c.mem, addr, &mm)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("msg_hdr", msghdr_value(c, addr + offsetof(mmsghdr, msg_hdr), recv, mm.msg_len));
  FIELD(v, mm, msg_len, Value::uinteger);
  return v;
}

// recvmmsg: the messages received (its result), out of the vlen it had room for.
Value decode_mmsghdr(const ArgContext& c) {
  if (c.failed()) return ptr_value(c.raw);
  size_t count = element_count(c, 1);
  if (c.ev.returned()) count = std::min(count, static_cast<size_t>(c.ev.ret));
  return decode_array(c, count, sizeof(mmsghdr), kMaxArrayElements,
                      [](const ArgContext& c, uint64_t a) { return one_mmsghdr(c, a, true); });
}

// sendmmsg: the messages passed, each with what was sent of it.
Value decode_sent_mmsghdr(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(mmsghdr), kMaxArrayElements,
                      [](const ArgContext& c, uint64_t a) { return one_mmsghdr(c, a, false); });
}

constexpr Entry kStructs[] = {
    {"msghdr", sizeof(msghdr), decode_msghdr},
    {"mmsghdr", sizeof(mmsghdr), decode_mmsghdr},
    {"sent_mmsghdr", sizeof(mmsghdr), decode_sent_mmsghdr},
};

constexpr const FlagTable* kTables[] = {&kMsgFlags, &kScmType};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef MSG_SOCK_DEVMEM
static_assert(value_named(kMsgBits, "MSG_SOCK_DEVMEM") == value_of(MSG_SOCK_DEVMEM));
#endif
#ifdef SCM_SECURITY
static_assert(value_named(kScmTypes, "SCM_SECURITY") == value_of(SCM_SECURITY));
#endif
#ifdef SCM_PIDFD
static_assert(value_named(kScmTypes, "SCM_PIDFD") == value_of(SCM_PIDFD));
#endif
#ifdef SCM_TIMESTAMP
static_assert(value_named(kScmTypes, "SCM_TIMESTAMP") == value_of(SCM_TIMESTAMP));
#endif
#ifdef SCM_TIMESTAMPNS
static_assert(value_named(kScmTypes, "SCM_TIMESTAMPNS") == value_of(SCM_TIMESTAMPNS));
#endif
#ifdef SCM_TIMESTAMPING
static_assert(value_named(kScmTypes, "SCM_TIMESTAMPING") == value_of(SCM_TIMESTAMPING));
#endif

}  // namespace

Subject subject_msghdr() {
  return {"msghdr", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
