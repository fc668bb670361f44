// poll, select and epoll: struct pollfd, fd_set, struct epoll_event and their flags.

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>

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

// <sys/epoll.h>
constexpr FlagName kEpollBits[] = {F(EPOLL_CLOEXEC)};
constexpr FlagTable kEpollFlags = bits_table("epoll_flags", kEpollBits);

// <sys/epoll.h>
constexpr FlagName kEpollCtlOps[] = {F(EPOLL_CTL_ADD), F(EPOLL_CTL_DEL), F(EPOLL_CTL_MOD)};
constexpr FlagTable kEpollCtlOp = enum_table("epoll_ctl_op", kEpollCtlOps);

// <sys/epoll.h>; EPOLLNVAL from include/uapi/linux/eventpoll.h (glibc does not define it).
constexpr FlagName kEpollEventBits[] = {
    F(EPOLLIN),        F(EPOLLPRI),          F(EPOLLOUT),     F(EPOLLERR),
    F(EPOLLHUP),       N(0x20, "EPOLLNVAL"), F(EPOLLRDNORM),  F(EPOLLRDBAND),
    F(EPOLLWRNORM),    F(EPOLLWRBAND),       F(EPOLLMSG),     F(EPOLLRDHUP),
    F(EPOLLEXCLUSIVE), F(EPOLLWAKEUP),       F(EPOLLONESHOT), F(EPOLLET),
};
constexpr FlagTable kEpollEvents = bits_table("epoll_events", kEpollEventBits);

// <poll.h> (bits/poll.h)
constexpr FlagName kPollBits[] = {
    F(POLLIN),   F(POLLPRI),    F(POLLOUT),    F(POLLERR),    F(POLLHUP),
    F(POLLNVAL), F(POLLRDNORM), F(POLLRDBAND), F(POLLWRNORM), F(POLLWRBAND),
    F(POLLMSG),  F(POLLREMOVE), F(POLLRDHUP),
};
constexpr FlagTable kPollEvents = bits_table("poll_events", kPollBits);

// A pollfd as passed (Phase::In: fd and events), as the call left it (Phase::Out: fd and
// revents), or both (Phase::Whole: revents once the call succeeded).
Value one_pollfd(const ArgContext& c, uint64_t addr) {
  pollfd p{};
  if (!read_struct(c.mem, addr, &p)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, p, fd, fd_value);
  if (c.phase != Phase::Out)
    v.add("events", flags_value(&kPollEvents, static_cast<uint16_t>(p.events)));
  if (c.phase == Phase::Out || (c.ev.returned() && !c.failed() && p.revents != 0))
    v.add("revents", flags_value(&kPollEvents, static_cast<uint16_t>(p.revents)));
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
  v.add("events", flags_value(&kEpollEvents, e.events));
  v.add("data", Value::hex(e.data.u64));
  return v;
}

Value decode_epoll_event(const ArgContext& c) {
  return one_or_array(c, sizeof(epoll_event), one_epoll_event);
}

static_assert(sizeof(epoll_event) == 12, "x86_64's epoll_event is packed");

constexpr Entry kStructs[] = {
    {"pollfd", sizeof(pollfd), decode_pollfd},
    {"fd_set", sizeof(fd_set), decode_fd_set},
    {"epoll_event", sizeof(epoll_event), decode_epoll_event},
};

constexpr const FlagTable* kTables[] = {&kEpollFlags, &kEpollCtlOp, &kEpollEvents, &kPollEvents};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef EPOLLNVAL
static_assert(value_named(kEpollEventBits, "EPOLLNVAL") == value_of(EPOLLNVAL));
#endif

}  // namespace

Subject subject_poll() {
  return {"poll", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
