// Struct decoders: the net family (see registry.h): socket addresses, msghdr/mmsghdr and their
// control messages, iovec arrays, pollfd, fd_set, epoll_event, the AIO structs (io_event, iocb and
// arrays of iocb pointers), SysV sembuf/msgbuf, mq_attr, sigevent, io_uring_params,
// futex_waitv and socket option values.
// Layouts are read into the real types of this machine's headers: glibc's <sys/socket.h>
// (sockaddr, sockaddr_storage, msghdr, mmsghdr, cmsghdr, ucred), <netinet/in.h> (sockaddr_in,
// sockaddr_in6), <arpa/inet.h> (inet_ntop), <sys/un.h> (sockaddr_un), <sys/uio.h> (iovec),
// <poll.h> (pollfd), <sys/select.h> (fd_set), <sys/epoll.h> (epoll_event, packed on x86_64),
// <sys/sem.h> (sembuf, SEM_UNDO), <sys/ipc.h> (IPC_NOWAIT), <mqueue.h> (mq_attr), <signal.h>
// (sigevent, SIGEV_*), <fcntl.h> (O_NONBLOCK); the kernel's UAPI <linux/netlink.h>
// (sockaddr_nl), <linux/if_packet.h> (sockaddr_ll), <linux/aio_abi.h> (io_event, iocb,
// IOCB_CMD_*, IOCB_FLAG_*), <linux/io_uring.h> (io_uring_params, IORING_FEAT_*) and
// <linux/futex.h> (futex_waitv, FUTEX_32, FUTEX_PRIVATE_FLAG). Constants newer than those headers
// are numbers citing the kernel header they come from.
//
// Nested data (iov_base, msg_name, msg_control, the iocbs behind io_submit's pointers) is read
// through the MemoryReader: captured bytes first, then live memory (ptrace). Tracee memory is
// untrusted: every count is capped and every length checked against what was actually read.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <linux/if_packet.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/time_types.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ipc.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "decode/flags.h"
#include "decode/structs/registry.h"
#include "decode/tables/registry.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {

// A socket address held in `len` bytes at `bytes`, as a Struct ({sa_family=AF_INET, sin_port=80,
// sin_addr="127.0.0.1"}); the address itself when `len` is too short to hold even the family.
// `len` beyond sizeof(sockaddr_storage) is cut to it. Exported for reuse (socket annotations).
Value sockaddr_value(const void* bytes, size_t len, uint64_t addr);
// The socket address of `len` bytes at `addr` in tracee memory; the address when unreadable.
Value sockaddr_at(const MemoryReader& mem, uint64_t addr, int64_t len);

namespace {

// ---------------------------------------------------------------------------------------------
// Local tables (names no table of src/decode/tables has).

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

// <sys/ipc.h>, <sys/sem.h>: sembuf.sem_flg.
constexpr FlagName kSemFlagBits[] = {F(IPC_NOWAIT), F(SEM_UNDO)};
constexpr FlagTable kSemFlags = tables::bits_table("sem_flg", kSemFlagBits);

// <fcntl.h>: the one flag of mq_attr.mq_flags.
constexpr FlagName kMqFlagBits[] = {F(O_NONBLOCK)};
constexpr FlagTable kMqFlags = tables::bits_table("mq_flags", kMqFlagBits);

// <signal.h> (bits/sigevent-consts.h)
constexpr FlagName kSigevNotify[] = {F(SIGEV_SIGNAL), F(SIGEV_NONE), F(SIGEV_THREAD),
                                     F(SIGEV_THREAD_ID)};
constexpr FlagTable kSigevNotifyTable = tables::enum_table("sigev_notify", kSigevNotify);

// <linux/aio_abi.h>
constexpr FlagName kIocbCmds[] = {F(IOCB_CMD_PREAD),  F(IOCB_CMD_PWRITE), F(IOCB_CMD_FSYNC),
                                  F(IOCB_CMD_FDSYNC), F(IOCB_CMD_POLL),   F(IOCB_CMD_NOOP),
                                  F(IOCB_CMD_PREADV), F(IOCB_CMD_PWRITEV)};
constexpr FlagTable kIocbCmd = tables::enum_table("iocb_cmd", kIocbCmds);
constexpr FlagName kIocbFlagBits[] = {F(IOCB_FLAG_RESFD), F(IOCB_FLAG_IOPRIO)};
constexpr FlagTable kIocbFlags = tables::bits_table("iocb_flags", kIocbFlagBits);

// <linux/io_uring.h>; REG_REG_RING (Linux 6.3), RECVSEND_BUNDLE (6.10) and MIN_TIMEOUT (6.12)
// from the kernel's include/uapi/linux/io_uring.h.
constexpr FlagName kUringFeatBits[] = {
    F(IORING_FEAT_SINGLE_MMAP),
    F(IORING_FEAT_NODROP),
    F(IORING_FEAT_SUBMIT_STABLE),
    F(IORING_FEAT_RW_CUR_POS),
    F(IORING_FEAT_CUR_PERSONALITY),
    F(IORING_FEAT_FAST_POLL),
    F(IORING_FEAT_POLL_32BITS),
    F(IORING_FEAT_SQPOLL_NONFIXED),
    F(IORING_FEAT_EXT_ARG),
    F(IORING_FEAT_NATIVE_WORKERS),
    F(IORING_FEAT_RSRC_TAGS),
    F(IORING_FEAT_CQE_SKIP),
    F(IORING_FEAT_LINKED_FILE),
    N(1U << 13, "IORING_FEAT_REG_REG_RING"),
    N(1U << 14, "IORING_FEAT_RECVSEND_BUNDLE"),
    N(1U << 15, "IORING_FEAT_MIN_TIMEOUT"),
};
constexpr FlagTable kUringFeatures = tables::bits_table("io_uring_features", kUringFeatBits);

// ---------------------------------------------------------------------------------------------
// Small helpers.

// Tables of src/decode/tables, looked up once.
const FlagTable* named(std::string_view name) {
  return flag_table_by_name(name);
}
const FlagTable* families() {
  static const FlagTable* t = named("socket_family");
  return t;
}
const FlagTable* msg_flags() {
  static const FlagTable* t = named("msg_flags");
  return t;
}
const FlagTable* levels() {
  static const FlagTable* t = named("sockopt_level");
  return t;
}
const FlagTable* poll_events() {
  static const FlagTable* t = named("poll_events");
  return t;
}
const FlagTable* epoll_events() {
  static const FlagTable* t = named("epoll_events");
  return t;
}
const FlagTable* uring_setup_flags() {
  static const FlagTable* t = named("io_uring_setup_flags");
  return t;
}
const FlagTable* rwf_flags() {
  static const FlagTable* t = named("rwf_flags");
  return t;
}

// A bit set through a table (hex without one).
Value flags_value(const FlagTable* t, uint64_t v) {
  if (t == nullptr) return Value::hex(v);
  return Value::symbol(format_flags(*t, v), v);
}

// One value of an enum table: its name, or the number when it has none.
Value enum_value(const FlagTable* t, int64_t v) {
  if (t != nullptr)
    if (const char* name = enum_name(*t, static_cast<uint64_t>(v)))
      return Value::symbol(name, static_cast<uint64_t>(v));
  return Value::integer(v);
}

std::string hex_bytes(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    s += kDigits[p[i] >> 4];
    s += kDigits[p[i] & 0xf];
  }
  return s;
}

// The index of c.arg among its syscall's arguments, or -1.
int arg_index(const ArgContext& c) {
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  if (info == nullptr) return -1;
  for (int i = 0; i < info->nargs; ++i)
    if (&info->args[i] == &c.arg) return i;
  for (int i = 0; i < info->nargs; ++i)
    if (std::strcmp(info->args[i].name, c.arg.name) == 0) return i;
  return -1;
}

// The index of the argument named `name` of the current syscall, or -1.
int arg_named(const ArgContext& c, const char* name) {
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  if (info == nullptr) return -1;
  for (int i = 0; i < info->nargs; ++i)
    if (std::strcmp(info->args[i].name, name) == 0) return i;
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Socket addresses.

constexpr size_t kFamilySize = sizeof(sa_family_t);

Value inet_string(int af, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(af, addr, buf, sizeof buf) == nullptr) return Value::string("?", false);
  return Value::string(buf, false);
}

// The bytes of a family this decoder does not know (or too short for its struct).
void add_sa_data(Value& v, const uint8_t* p, size_t len) {
  v.add("sa_data", Value::string(hex_bytes(p + kFamilySize, len - kFamilySize), false));
}

void add_inet(Value& v, const uint8_t* p, size_t len) {
  if (len < offsetof(sockaddr_in, sin_zero)) return add_sa_data(v, p, len);
  sockaddr_in in{};
  std::memcpy(&in, p, std::min(len, sizeof in));
  v.add("sin_port", Value::uinteger(ntohs(in.sin_port)));
  v.add("sin_addr", inet_string(AF_INET, &in.sin_addr));
}

void add_inet6(Value& v, const uint8_t* p, size_t len) {
  // The scope id came later (RFC 2553); a 24-byte address without it is still accepted.
  if (len < offsetof(sockaddr_in6, sin6_scope_id)) return add_sa_data(v, p, len);
  sockaddr_in6 in6{};
  std::memcpy(&in6, p, std::min(len, sizeof in6));
  v.add("sin6_port", Value::uinteger(ntohs(in6.sin6_port)));
  v.add("sin6_flowinfo", Value::uinteger(ntohl(in6.sin6_flowinfo)));
  v.add("sin6_addr", inet_string(AF_INET6, &in6.sin6_addr));
  if (len >= sizeof in6) v.add("sin6_scope_id", Value::uinteger(in6.sin6_scope_id));
}

void add_unix(Value& v, const uint8_t* p, size_t len) {
  constexpr size_t kPathOff = offsetof(sockaddr_un, sun_path);
  if (len <= kPathOff) return;  // an unnamed socket: the family only
  const char* path = reinterpret_cast<const char*>(p + kPathOff);
  size_t n = std::min(len - kPathOff, sizeof(sockaddr_un::sun_path));
  if (path[0] == '\0') {
    // Abstract: every byte of the given length is part of the name; shown after an '@'.
    v.add("sun_path", Value::string("@" + std::string(path + 1, n - 1), false));
    return;
  }
  v.add("sun_path", Value::string(std::string(path, strnlen(path, n)), false));
}

void add_netlink(Value& v, const uint8_t* p, size_t len) {
  if (len < sizeof(sockaddr_nl)) return add_sa_data(v, p, len);
  sockaddr_nl nl{};
  std::memcpy(&nl, p, sizeof nl);
  v.add("nl_pid", Value::uinteger(nl.nl_pid));
  v.add("nl_groups", Value::hex(nl.nl_groups));
}

void add_packet(Value& v, const uint8_t* p, size_t len) {
  if (len < offsetof(sockaddr_ll, sll_addr)) return add_sa_data(v, p, len);
  sockaddr_ll ll{};
  std::memcpy(&ll, p, std::min(len, sizeof ll));
  v.add("sll_protocol", Value::hex(ntohs(ll.sll_protocol)));
  v.add("sll_ifindex", Value::integer(ll.sll_ifindex));
  v.add("sll_hatype", Value::uinteger(ll.sll_hatype));
  v.add("sll_pkttype", Value::uinteger(ll.sll_pkttype));
  size_t halen =
      std::min<size_t>({ll.sll_halen, sizeof ll.sll_addr, len - offsetof(sockaddr_ll, sll_addr)});
  v.add("sll_addr", Value::string(hex_bytes(ll.sll_addr, halen), false));
}

// ---------------------------------------------------------------------------------------------
// iovec arrays.

// `count` iovecs at `addr`. With `data`, each buffer's bytes are shown (at most strsize of each),
// and no more than `total` bytes over all of them (what the call transferred); without, only
// their addresses (the memory of another process, or ranges rather than data).
Value iovec_array(const ArgContext& c, uint64_t addr, uint64_t count, bool data, uint64_t total) {
  Value arr = Value::array();
  size_t n = static_cast<size_t>(std::min<uint64_t>(count, kMaxArrayElements));
  uint64_t left = total;
  for (size_t i = 0; i < n; ++i) {
    iovec iov{};
    if (!read_struct(c.mem, addr + i * sizeof(iovec), &iov)) {
      if (i == 0) return Value::unreadable(addr);
      arr.truncated = true;
      return arr;
    }
    auto base = reinterpret_cast<uint64_t>(iov.iov_base);
    Value e = Value::structure();
    if (data && base != 0) {
      uint64_t len = std::min<uint64_t>(iov.iov_len, left);
      left -= len;
      e.add("iov_base", buffer_value(c.mem, base, static_cast<size_t>(len), c.opt.strsize));
    } else {
      e.add("iov_base", ptr_value(base));
    }
    e.add("iov_len", Value::uinteger(iov.iov_len));
    arr.add({}, std::move(e));
  }
  if (count > n) arr.truncated = true;
  return arr;
}

// ---------------------------------------------------------------------------------------------
// msghdr and control messages.

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
    v.add("pid", Value::integer(cr.pid));
    v.add("uid", Value::uinteger(cr.uid));
    v.add("gid", Value::uinteger(cr.gid));
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
    m.add("cmsg_len", Value::uinteger(h.cmsg_len));
    m.add("cmsg_level", enum_value(levels(), h.cmsg_level));
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

// `recv`: the kernel filled it (recvmsg, recvmmsg), `total` bytes in all; otherwise the data is
// what the caller gave (sendmsg), each buffer shown up to its length.
Value msghdr_value(const ArgContext& c, uint64_t addr, bool recv, uint64_t total) {
  msghdr m{};
  if (!read_struct(c.mem, addr, &m)) return Value::unreadable(addr);
  Value v = Value::structure();
  auto name = reinterpret_cast<uint64_t>(m.msg_name);
  if (name == 0)
    v.add("msg_name", Value::null());
  else if (recv && m.msg_namelen == 0)
    v.add("msg_name", Value::hex(name));
  else
    v.add("msg_name", sockaddr_at(c.mem, name, m.msg_namelen));
  v.add("msg_namelen", Value::uinteger(m.msg_namelen));
  auto iov = reinterpret_cast<uint64_t>(m.msg_iov);
  if (iov == 0)
    v.add("msg_iov", Value::null());
  else
    v.add("msg_iov", iovec_array(c, iov, m.msg_iovlen, true, recv ? total : UINT64_MAX));
  v.add("msg_iovlen", Value::uinteger(m.msg_iovlen));
  v.add("msg_control",
        control_value(c, reinterpret_cast<uint64_t>(m.msg_control), m.msg_controllen));
  v.add("msg_controllen", Value::uinteger(m.msg_controllen));
  v.add("msg_flags", flags_value(msg_flags(), static_cast<uint32_t>(m.msg_flags)));
  return v;
}

bool is_recv(const ArgContext& c) {
  return c.arg.dir != Dir::In;
}

Value decode_msghdr(const ArgContext& c) {
  // A failed recvmsg: the name and control data the kernel did not write; the address, as
  // strace shows it.
  if (c.arg.dir != Dir::In && c.failed()) return ptr_value(c.raw);
  uint64_t total = c.ev.returned() && c.ev.ret >= 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  return msghdr_value(c, c.raw, is_recv(c), total);
}

Value one_mmsghdr(const ArgContext& c, uint64_t addr) {
  mmsghdr mm{};
  if (!read_struct(c.mem, addr, &mm)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("msg_hdr", msghdr_value(c, addr + offsetof(mmsghdr, msg_hdr), is_recv(c), mm.msg_len));
  v.add("msg_len", Value::uinteger(mm.msg_len));
  return v;
}

Value decode_mmsghdr(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(mmsghdr), kMaxArrayElements, one_mmsghdr);
}

// ---------------------------------------------------------------------------------------------
// sockaddr arguments.

// The length of the sockaddr argument c.arg: the argument after it, named like a length: a
// number (bind, connect, sendto) or an int the kernel updated (accept, getsockname, recvfrom).
// -1 when there is none, or it could not be read.
int64_t sockaddr_length(const ArgContext& c) {
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  int i = arg_index(c);
  if (info == nullptr || i < 0 || i + 1 >= info->nargs) return -1;
  const ArgInfo& next = info->args[i + 1];
  if (std::strstr(next.name, "len") == nullptr) return -1;
  uint64_t v = c.other(i + 1);
  if (next.kind == ArgKind::Struct || std::strchr(next.ctype, '*') != nullptr) {
    int32_t n = 0;
    if (v == 0 || !read_struct(c.mem, v, &n)) return -1;
    return n;
  }
  return static_cast<int32_t>(v);
}

Value decode_sockaddr(const ArgContext& c) {
  return sockaddr_at(c.mem, c.raw, sockaddr_length(c));
}

// ---------------------------------------------------------------------------------------------
// iovec, pollfd, fd_set, epoll_event.

Value decode_iovec(const ArgContext& c) {
  // Another process's memory (process_vm_*'s rvec) or ranges (process_madvise): addresses only.
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  bool data = std::strcmp(c.arg.name, "rvec") != 0 &&
              !(info != nullptr && std::strcmp(info->name, "process_madvise") == 0);
  uint64_t total = UINT64_MAX;
  if (c.arg.dir != Dir::In)
    total = c.ev.returned() && c.ev.ret >= 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  return iovec_array(c, c.raw, element_count(c, 1), data, total);
}

// A pollfd as passed (Phase::In: fd and events), as the call left it (Phase::Out: fd and
// revents), or both (Phase::Whole: revents once the call succeeded).
Value one_pollfd(const ArgContext& c, uint64_t addr) {
  pollfd p{};
  if (!read_struct(c.mem, addr, &p)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("fd", fd_value(p.fd));
  if (c.phase != Phase::Out)
    v.add("events", flags_value(poll_events(), static_cast<uint16_t>(p.events)));
  if (c.phase == Phase::Out || (c.ev.returned() && !c.failed() && p.revents != 0))
    v.add("revents", flags_value(poll_events(), static_cast<uint16_t>(p.revents)));
  return v;
}

Value decode_pollfd(const ArgContext& c) {
  Value all = decode_array(c, element_count(c, 1), sizeof(pollfd), kMaxArrayElements, one_pollfd);
  if (c.phase != Phase::Out || all.type != Value::Type::Array) return all;
  // Written back: the descriptors with events only (their revents is not 0).
  std::erase_if(all.items, [](const Field& f) {
    return f.value.items.size() == 2 && f.value.items[1].value.num == 0;
  });
  return all;
}

// select and pselect6: the set's size is their first argument (nfds); at most FD_SETSIZE bits.
Value decode_fd_set(const ArgContext& c) {
  auto nfds = static_cast<int32_t>(c.other(0));
  Value arr = Value::array();
  if (nfds <= 0) return arr;
  size_t bits = std::min<size_t>(static_cast<size_t>(nfds), FD_SETSIZE);
  constexpr size_t kWordBits = 64;
  uint64_t words[FD_SETSIZE / kWordBits] = {};
  size_t bytes = (bits + kWordBits - 1) / kWordBits * sizeof(uint64_t);
  if (c.mem.read(c.raw, words, bytes) != bytes) return Value::unreadable(c.raw);
  for (size_t fd = 0; fd < bits; ++fd)
    if ((words[fd / kWordBits] >> (fd % kWordBits)) & 1)
      arr.add({}, fd_value(static_cast<int64_t>(fd)));
  if (static_cast<size_t>(nfds) > bits) arr.truncated = true;
  return arr;
}

Value one_epoll_event(const ArgContext& c, uint64_t addr) {
  epoll_event e{};
  if (!read_struct(c.mem, addr, &e)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("events", flags_value(epoll_events(), e.events));
  v.add("data", Value::hex(e.data.u64));
  return v;
}

// A single struct (epoll_ctl, io_cancel) or an array counted by an argument or the return value
// (epoll_wait, io_getevents).
Value one_or_array(const ArgContext& c, size_t size, Value (*one)(const ArgContext&, uint64_t)) {
  if (c.arg.len == kNoLen) return one(c, c.raw);
  return decode_array(c, element_count(c, 1), size, kMaxArrayElements, one);
}

Value decode_epoll_event(const ArgContext& c) {
  return one_or_array(c, sizeof(epoll_event), one_epoll_event);
}

// ---------------------------------------------------------------------------------------------
// AIO.

Value one_io_event(const ArgContext& c, uint64_t addr) {
  io_event e{};
  if (!read_struct(c.mem, addr, &e)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("data", Value::hex(e.data));
  v.add("obj", ptr_value(e.obj));
  v.add("res", Value::integer(e.res));
  v.add("res2", Value::integer(e.res2));
  return v;
}

Value decode_io_event(const ArgContext& c) {
  return one_or_array(c, sizeof(io_event), one_io_event);
}

Value iocb_value(const ArgContext& c, uint64_t addr) {
  iocb cb{};
  if (!read_struct(c.mem, addr, &cb)) return Value::unreadable(addr);
  Value v = Value::structure();
  if (cb.aio_data != 0 || c.opt.verbose) v.add("aio_data", Value::hex(cb.aio_data));
  v.add("aio_lio_opcode", enum_value(&kIocbCmd, cb.aio_lio_opcode));
  if (cb.aio_rw_flags != 0)
    v.add("aio_rw_flags", flags_value(rwf_flags(), static_cast<uint32_t>(cb.aio_rw_flags)));
  if ((cb.aio_flags & IOCB_FLAG_IOPRIO) != 0) v.add("aio_reqprio", Value::integer(cb.aio_reqprio));
  v.add("aio_fildes", fd_value(static_cast<int32_t>(cb.aio_fildes)));
  switch (cb.aio_lio_opcode) {
    case IOCB_CMD_PWRITE:  // the data is the caller's: show it
      v.add("aio_buf",
            buffer_value(c.mem, cb.aio_buf, static_cast<size_t>(cb.aio_nbytes), c.opt.strsize));
      break;
    case IOCB_CMD_PWRITEV:
      v.add("aio_buf", cb.aio_buf == 0
                           ? Value::null()
                           : iovec_array(c, cb.aio_buf, cb.aio_nbytes, true, UINT64_MAX));
      break;
    case IOCB_CMD_FSYNC:
    case IOCB_CMD_FDSYNC:
    case IOCB_CMD_NOOP:
      break;
    case IOCB_CMD_POLL:
      v.add("aio_buf", flags_value(poll_events(), static_cast<uint16_t>(cb.aio_buf)));
      break;
    default:
      v.add("aio_buf", ptr_value(cb.aio_buf));
      break;
  }
  if (cb.aio_lio_opcode != IOCB_CMD_POLL && cb.aio_lio_opcode != IOCB_CMD_FSYNC &&
      cb.aio_lio_opcode != IOCB_CMD_FDSYNC && cb.aio_lio_opcode != IOCB_CMD_NOOP) {
    v.add("aio_nbytes", Value::uinteger(cb.aio_nbytes));
    v.add("aio_offset", Value::integer(cb.aio_offset));
  }
  if (cb.aio_flags != 0) v.add("aio_flags", flags_value(&kIocbFlags, cb.aio_flags));
  if ((cb.aio_flags & IOCB_FLAG_RESFD) != 0)
    v.add("aio_resfd", fd_value(static_cast<int32_t>(cb.aio_resfd)));
  return v;
}

Value decode_iocb(const ArgContext& c) {
  return iocb_value(c, c.raw);
}

// io_submit: an array of pointers to iocbs; an iocb that cannot be read shows as its address.
Value decode_iocb_ptr(const ArgContext& c) {
  size_t n = element_count(c, 1);
  Value arr = Value::array();
  for (size_t i = 0; i < n; ++i) {
    uint64_t p = 0;
    if (!c.mem.read_u64(c.raw + i * sizeof(uint64_t), &p)) {
      if (i == 0) return Value::unreadable(c.raw);
      arr.truncated = true;
      break;
    }
    arr.add({}, p == 0 ? Value::null() : iocb_value(c, p));
  }
  return arr;
}

// ---------------------------------------------------------------------------------------------
// SysV IPC and POSIX message queues.

Value one_sembuf(const ArgContext& c, uint64_t addr) {
  sembuf s{};
  if (!read_struct(c.mem, addr, &s)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("sem_num", Value::uinteger(s.sem_num));
  v.add("sem_op", Value::integer(s.sem_op));
  v.add("sem_flg", flags_value(&kSemFlags, static_cast<uint16_t>(s.sem_flg)));
  return v;
}

Value decode_sembuf(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(sembuf), kMaxArrayElements, one_sembuf);
}

// struct msgbuf { long mtype; char mtext[]; }: msgsnd sends msgsz bytes of text, msgrcv received
// as many as it returned.
Value decode_msgbuf(const ArgContext& c) {
  int64_t mtype = 0;
  if (!read_struct(c.mem, c.raw, &mtype)) return Value::unreadable(c.raw);
  int sz = arg_named(c, "msgsz");
  uint64_t len = sz >= 0 ? c.other(sz) : 0;
  if (c.arg.dir != Dir::In)
    len = c.ev.returned() && c.ev.ret >= 0 ? std::min(len, static_cast<uint64_t>(c.ev.ret)) : 0;
  Value v = Value::structure();
  v.add("mtype", Value::integer(mtype));
  Value text = buffer_value(c.mem, c.raw + sizeof mtype, static_cast<size_t>(len), c.opt.strsize);
  if (text.type == Value::Type::Unreadable) text = Value::hex(c.raw + sizeof mtype);
  v.add("mtext", std::move(text));
  return v;
}

Value decode_mq_attr(const ArgContext& c) {
  mq_attr a{};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("mq_flags", flags_value(&kMqFlags, static_cast<uint64_t>(a.mq_flags)));
  v.add("mq_maxmsg", Value::integer(a.mq_maxmsg));
  v.add("mq_msgsize", Value::integer(a.mq_msgsize));
  v.add("mq_curmsgs", Value::integer(a.mq_curmsgs));
  return v;
}

// timer_create and mq_notify.
Value decode_sigevent(const ArgContext& c) {
  sigevent se{};
  if (!read_struct(c.mem, c.raw, &se)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sigev_value", Value::hex(reinterpret_cast<uint64_t>(se.sigev_value.sival_ptr)));
  // With SIGEV_THREAD, mq_notify's sigev_signo is a netlink socket, not a signal.
  if (se.sigev_notify == SIGEV_SIGNAL || se.sigev_notify == SIGEV_THREAD_ID)
    v.add("sigev_signo", signal_value(se.sigev_signo));
  else
    v.add("sigev_signo", Value::integer(se.sigev_signo));
  v.add("sigev_notify", enum_value(&kSigevNotifyTable, se.sigev_notify));
  if (se.sigev_notify == SIGEV_THREAD_ID) {
    v.add("sigev_notify_thread_id", Value::integer(se._sigev_un._tid));
  } else if (se.sigev_notify == SIGEV_THREAD) {
    v.add("sigev_notify_function",
          ptr_value(reinterpret_cast<uint64_t>(se._sigev_un._sigev_thread._function)));
    v.add("sigev_notify_attributes",
          ptr_value(reinterpret_cast<uint64_t>(se._sigev_un._sigev_thread._attribute)));
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// io_uring_params, futex_waitv.

Value decode_io_uring_params(const ArgContext& c) {
  io_uring_params p{};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sq_entries", Value::uinteger(p.sq_entries));
  v.add("cq_entries", Value::uinteger(p.cq_entries));
  v.add("flags", flags_value(uring_setup_flags(), p.flags));
  if (c.opt.verbose || (p.flags & IORING_SETUP_SQPOLL) != 0) {
    v.add("sq_thread_cpu", Value::uinteger(p.sq_thread_cpu));
    v.add("sq_thread_idle", Value::uinteger(p.sq_thread_idle));
  }
  if (c.opt.verbose || (p.flags & IORING_SETUP_ATTACH_WQ) != 0)
    v.add("wq_fd", fd_value(static_cast<int32_t>(p.wq_fd)));
  v.add("features", flags_value(&kUringFeatures, p.features));
  return v;
}

Value one_futex_waitv(const ArgContext& c, uint64_t addr) {
  futex_waitv w{};
  if (!read_struct(c.mem, addr, &w)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("val", Value::uinteger(w.val));
  v.add("uaddr", ptr_value(w.uaddr));
  v.add("flags", named_flags("futex2_flags", w.flags));  // tables/recent.cpp
  return v;
}

Value decode_futex_waitv(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(futex_waitv), kMaxArrayElements,
                      one_futex_waitv);
}

// futex_requeue's waiters: always two, the futex waited on and the one to move waiters to
// (kernel/futex/syscalls.c).
Value decode_futex_waitv_pair(const ArgContext& c) {
  return decode_array(c, 2, sizeof(futex_waitv), 2, one_futex_waitv);
}

// msgbuf: a variable size; its type and the first 64 bytes of text are captured, the rest (with
// a larger --strsize) is read live.
constexpr uint32_t kMsgbufCapture = sizeof(int64_t) + 64;

// Socket option values that are not ints, by level and name (<sys/socket.h>, <netinet/in.h>,
// <netinet/tcp.h>, <asm-generic/socket.h>). Each gets the value's bytes (at most kSockoptMax)
// and their count, at least `min_len`.
constexpr size_t kSockoptMax = 128;
using SockoptDecoder = Value (*)(const uint8_t* p, size_t len);

template <typename T>
T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

Value linger_value(const uint8_t* p, size_t) {
  const auto l = load<linger>(p);
  Value v = Value::structure();
  v.add("l_onoff", Value::integer(l.l_onoff));
  v.add("l_linger", Value::integer(l.l_linger));
  return v;
}

// SO_RCVTIMEO/SO_SNDTIMEO: the old struct timeval and the new __kernel_sock_timeval are both
// two 64-bit fields on x86_64.
Value sock_timeval_value(const uint8_t* p, size_t) {
  const auto t = load<__kernel_sock_timeval>(p);
  return timeval_value(t.tv_sec, t.tv_usec);
}

// IP_ADD_MEMBERSHIP/IP_DROP_MEMBERSHIP take an ip_mreq or, as long, an ip_mreqn.
Value ip_mreq_value(const uint8_t* p, size_t len) {
  Value v = Value::structure();
  if (len >= sizeof(ip_mreqn)) {
    const auto m = load<ip_mreqn>(p);
    v.add("imr_multiaddr", inet_string(AF_INET, &m.imr_multiaddr));
    v.add("imr_address", inet_string(AF_INET, &m.imr_address));
    v.add("imr_ifindex", Value::integer(m.imr_ifindex));
    return v;
  }
  const auto m = load<ip_mreq>(p);
  v.add("imr_multiaddr", inet_string(AF_INET, &m.imr_multiaddr));
  v.add("imr_interface", inet_string(AF_INET, &m.imr_interface));
  return v;
}

Value ipv6_mreq_value(const uint8_t* p, size_t) {
  const auto m = load<ipv6_mreq>(p);
  Value v = Value::structure();
  v.add("ipv6mr_multiaddr", inet_string(AF_INET6, &m.ipv6mr_multiaddr));
  v.add("ipv6mr_interface", Value::uinteger(m.ipv6mr_interface));
  return v;
}

// TCP_CONGESTION, SO_BINDTODEVICE: a name, NUL-terminated or not.
Value name_value(const uint8_t* p, size_t len) {
  const auto* s = reinterpret_cast<const char*>(p);
  return Value::string(std::string(s, strnlen(s, len)), false);
}

struct SockoptType {
  int level;
  int name;
  size_t min_len;
  SockoptDecoder fn;
};
constexpr SockoptType kSockoptTypes[] = {
    {SOL_SOCKET, SO_LINGER, sizeof(linger), linger_value},
    {SOL_SOCKET, SO_RCVTIMEO_OLD, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_SNDTIMEO_OLD, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_RCVTIMEO_NEW, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_SNDTIMEO_NEW, sizeof(__kernel_sock_timeval), sock_timeval_value},
    {SOL_SOCKET, SO_BINDTODEVICE, 0, name_value},
    {SOL_IP, IP_ADD_MEMBERSHIP, sizeof(ip_mreq), ip_mreq_value},
    {SOL_IP, IP_DROP_MEMBERSHIP, sizeof(ip_mreq), ip_mreq_value},
    {SOL_IPV6, IPV6_JOIN_GROUP, sizeof(ipv6_mreq), ipv6_mreq_value},
    {SOL_IPV6, IPV6_LEAVE_GROUP, sizeof(ipv6_mreq), ipv6_mreq_value},
    {SOL_TCP, TCP_CONGESTION, 0, name_value},
};
static_assert(sizeof(__kernel_sock_timeval) == 16 && sizeof(__kernel_old_timeval) == 16);
static_assert(sizeof(ip_mreq) == 8 && sizeof(ip_mreqn) == 12 && sizeof(ipv6_mreq) == 20);

// The arguments of getsockopt and setsockopt (fd, level, optname, optval, optlen).
constexpr int kSockoptLevelArg = 1;
constexpr int kSockoptNameArg = 2;

const SockoptType* sockopt_type(const ArgContext& c) {
  const auto level = static_cast<int32_t>(c.other(kSockoptLevelArg));
  const auto name = static_cast<int32_t>(c.other(kSockoptNameArg));
  for (const SockoptType& t : kSockoptTypes)
    if (t.level == level && t.name == name) return &t;
  return nullptr;
}

// A socket option's value of `len` bytes: a struct or a name for the options above; an int
// (most options: SO_ERROR, SO_TYPE, TCP_NODELAY ...) as [value], as strace shows it; a value of
// another size as its bytes.
Value sockopt_value(const ArgContext& c, int32_t len) {
  if (len < 0) return Value::hex(c.raw);
  const SockoptType* t = sockopt_type(c);
  if (t != nullptr && static_cast<size_t>(len) >= t->min_len) {
    uint8_t bytes[kSockoptMax] = {};
    const size_t want = std::min(static_cast<size_t>(len), kSockoptMax);
    if (c.mem.read(c.raw, bytes, want) != want) return Value::unreadable(c.raw);
    return t->fn(bytes, want);
  }
  if (len == sizeof(int32_t)) {
    int32_t v = 0;
    if (!read_struct(c.mem, c.raw, &v)) return Value::unreadable(c.raw);
    Value arr = Value::array();
    arr.add({}, Value::integer(v));
    return arr;
  }
  return buffer_value(c.mem, c.raw, static_cast<size_t>(len), c.opt.strsize);
}

// getsockopt's value (struct:sockopt:out:*optlen): *optlen bytes once the call returned, which
// the backends capture (at most CaptureLimits::struct_max).
Value decode_sockopt(const ArgContext& c) {
  size_t len = 0;
  if (!length_of(c, &len)) return Value::hex(c.raw);
  return sockopt_value(c, static_cast<int32_t>(std::min<size_t>(len, INT32_MAX)));
}

// setsockopt's value (struct:sockopt_in:in:optlen): optlen bytes, captured whole (size 0: the
// length rule counts bytes).
Value decode_sockopt_in(const ArgContext& c) {
  return sockopt_value(c, static_cast<int32_t>(c.other(c.arg.len)));
}

constexpr Entry kNet[] = {
    {"sockaddr", sizeof(sockaddr_storage), decode_sockaddr},
    {"msghdr", sizeof(msghdr), decode_msghdr},
    {"mmsghdr", sizeof(mmsghdr), decode_mmsghdr},
    {"iovec", sizeof(iovec), decode_iovec},
    {"pollfd", sizeof(pollfd), decode_pollfd},
    {"fd_set", sizeof(fd_set), decode_fd_set},
    {"epoll_event", sizeof(epoll_event), decode_epoll_event},
    {"io_event", sizeof(io_event), decode_io_event},
    {"iocb", sizeof(iocb), decode_iocb},
    {"iocb_ptr", sizeof(uint64_t), decode_iocb_ptr},
    {"sembuf", sizeof(sembuf), decode_sembuf},
    {"msgbuf", kMsgbufCapture, decode_msgbuf},
    {"mq_attr", sizeof(mq_attr), decode_mq_attr},
    {"sigevent", sizeof(sigevent), decode_sigevent},
    {"io_uring_params", sizeof(io_uring_params), decode_io_uring_params},
    {"futex_waitv", sizeof(futex_waitv), decode_futex_waitv},
    {"futex_waitv_pair", 2 * sizeof(futex_waitv), decode_futex_waitv_pair},
    {"sockopt", 0, decode_sockopt},
    {"sockopt_in", 0, decode_sockopt_in},
};

static_assert(sizeof(epoll_event) == 12, "x86_64's epoll_event is packed");
static_assert(sizeof(sockaddr_storage) == 128);
static_assert(sizeof(sigevent) == 64);

}  // namespace

Value sockaddr_value(const void* bytes, size_t len, uint64_t addr) {
  if (len < kFamilySize) return Value::hex(addr);
  len = std::min(len, sizeof(sockaddr_storage));
  const auto* p = static_cast<const uint8_t*>(bytes);
  sa_family_t family = 0;
  std::memcpy(&family, p, sizeof family);
  Value v = Value::structure();
  v.add("sa_family", enum_value(families(), family));
  switch (family) {
    case AF_INET:
      add_inet(v, p, len);
      break;
    case AF_INET6:
      add_inet6(v, p, len);
      break;
    case AF_UNIX:
      add_unix(v, p, len);
      break;
    case AF_NETLINK:
      add_netlink(v, p, len);
      break;
    case AF_PACKET:
      add_packet(v, p, len);
      break;
    default:
      add_sa_data(v, p, len);
      break;
  }
  return v;
}

Value sockaddr_at(const MemoryReader& mem, uint64_t addr, int64_t len) {
  if (len < static_cast<int64_t>(kFamilySize)) return Value::hex(addr);
  size_t n = std::min(static_cast<size_t>(len), sizeof(sockaddr_storage));
  sockaddr_storage ss{};
  if (mem.read(addr, &ss, n) != n) return Value::unreadable(addr);
  return sockaddr_value(&ss, n, addr);
}

List net_structs() {
  return kNet;
}

}  // namespace dtruss::structs
