// Socket addresses (struct sockaddr of every family shown).

#include <arpa/inet.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/if_packet.h>
#include <linux/netlink.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

constexpr size_t kFamilySize = sizeof(sa_family_t);

// The bytes of a family this decoder does not know (or too short for its struct).
void add_sa_data(Value& v, const uint8_t* p, size_t len) {
  v.add("sa_data", Value::string(hex_digits(p + kFamilySize, len - kFamilySize), false));
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
  if (len >= sizeof in6) FIELD(v, in6, sin6_scope_id, Value::uinteger);
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
  FIELD(v, nl, nl_pid, Value::uinteger);
  FIELD(v, nl, nl_groups, Value::hex);
}

void add_packet(Value& v, const uint8_t* p, size_t len) {
  if (len < offsetof(sockaddr_ll, sll_addr)) return add_sa_data(v, p, len);
  sockaddr_ll ll{};
  std::memcpy(&ll, p, std::min(len, sizeof ll));
  v.add("sll_protocol", Value::hex(ntohs(ll.sll_protocol)));
  FIELD(v, ll, sll_ifindex, Value::integer);
  FIELD(v, ll, sll_hatype, Value::uinteger);
  FIELD(v, ll, sll_pkttype, Value::uinteger);
  size_t halen =
      std::min<size_t>({ll.sll_halen, sizeof ll.sll_addr, len - offsetof(sockaddr_ll, sll_addr)});
  v.add("sll_addr", Value::string(hex_digits(ll.sll_addr, halen), false));
}

// The length of the sockaddr argument c.arg: the argument after it (gen_syscalls.py checks that
// every struct:sockaddr argument of overrides.txt is followed by its length): a number (bind,
// connect, sendto) or an int the kernel updated (accept, getsockname, recvfrom). -1 when there is
// none, or it could not be read.
int64_t sockaddr_length(const ArgContext& c) {
  const SyscallInfo* info = syscall_by_nr(c.ev.nr);
  int i = arg_index(c);
  if (info == nullptr || i < 0 || i + 1 >= info->nargs) return -1;
  const ArgInfo& next = info->args[i + 1];
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

static_assert(sizeof(sockaddr_storage) == 128);

constexpr Entry kStructs[] = {
    {"sockaddr", sizeof(sockaddr_storage), decode_sockaddr},
};

}  // namespace

Value sockaddr_value(const void* bytes, size_t len, uint64_t addr) {
  if (len < kFamilySize) return Value::hex(addr);
  len = std::min(len, sizeof(sockaddr_storage));
  const auto* p = static_cast<const uint8_t*>(bytes);
  sa_family_t family = 0;
  std::memcpy(&family, p, sizeof family);
  Value v = Value::structure();
  v.add("sa_family", enum_value(flag_table(TableId::socket_family), family));
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

// An IPv4 or IPv6 address as text ("?" when it cannot be shown).
Value inet_string(int af, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(af, addr, buf, sizeof buf) == nullptr) return Value::string("?", false);
  return Value::string(buf, false);
}

Subject subject_sockaddr() {
  return {"sockaddr", {}, kStructs, {}};
}

}  // namespace dtruss::structs
