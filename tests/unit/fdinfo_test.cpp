// The labels -y gives fds, as both backends write them (core/fdinfo): the eBPF backend from the
// kernel's structures, the ptrace backend from /proc. Each case is what /proc/PID/fd and
// /proc/net show for such a file or socket.
#include "core/fdinfo.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <string>

namespace {

using dtruss::FileFacts;
using dtruss::SocketFacts;

SocketFacts inet(int family, const char* proto, const char* local, uint16_t lport,
                 const char* remote, uint16_t rport) {
  SocketFacts s;
  s.inode = 4242;
  s.family = family;
  s.proto = proto;
  s.listed = true;
  inet_pton(family, local, s.laddr.data());
  inet_pton(family, remote, s.raddr.data());
  s.lport = lport;
  s.rport = rport;
  return s;
}

TEST(SocketLabel, AsProcNetShowsThem) {
  struct Case {
    SocketFacts s;
    const char* label;
  };
  SocketFacts unbound;
  unbound.inode = 7;
  unbound.family = AF_INET;
  unbound.proto = "TCP";
  SocketFacts nameless;
  nameless.inode = 8;
  SocketFacts unnamed_unix;
  unnamed_unix.inode = 9;
  unnamed_unix.family = AF_UNIX;
  unnamed_unix.proto = "UNIX";
  SocketFacts path_unix = unnamed_unix;
  path_unix.has_path = true;
  path_unix.path = std::string("/run/a b.sock\0", 14);  // with the NUL the kernel keeps
  SocketFacts abstract_unix = unnamed_unix;
  abstract_unix.has_path = true;
  abstract_unix.path = std::string("\0name\0x", 7);
  const Case cases[] = {
      {inet(AF_INET, "TCP", "127.0.0.1", 40000, "127.0.0.1", 80),
       "TCP:127.0.0.1:40000->127.0.0.1:80"},
      {inet(AF_INET, "TCP", "127.0.0.1", 80, "0.0.0.0", 0), "TCP:127.0.0.1:80"},  // listening
      {inet(AF_INET6, "UDPv6", "::1", 53, "::", 0), "UDPv6:[::1]:53"},
      {inet(AF_INET6, "TCPv6", "::ffff:127.0.0.1", 5, "::1", 6),
       "TCPv6:[::ffff:127.0.0.1]:5->[::1]:6"},
      {unbound, "TCP:[7]"},
      {nameless, "socket:[8]"},
      {unnamed_unix, "UNIX:[9]"},
      {path_unix, "UNIX:/run/a b.sock"},
      {abstract_unix, "UNIX:@name@x"},
  };
  for (const Case& c : cases) EXPECT_EQ(dtruss::socket_label(c.s), c.label);
}

TEST(FileLabel, AsProcPidFdShowsThem) {
  struct Case {
    FileFacts f;
    const char* label;
  };
  FileFacts lib{1, 0xEF53, {"libc.so.6", "x86_64-linux-gnu", "lib", "usr"}, false, false};
  FileFacts gone{2, 0xEF53, {"x", "tmp"}, true, false};
  FileFacts root{3, 0xEF53, {}, false, false};
  FileFacts pipe{77, 0x50495045, {"pipe:"}, false, true};
  FileFacts eventfd{4, 0x09041934, {"[eventfd]"}, false, true};
  FileFacts memfd{5, 0x01021994, {"memfd:m"}, true, true};
  FileFacts pidfd{7, 0x50494446, {"pidfd"}, false, true};  // pidfs (6.9): as anon_inode was
  FileFacts unknown{6, 0x6e736673, {"net"}, false, true};  // nsfs: not named here ("", /proc)
  const Case cases[] = {
      {lib, "/usr/lib/x86_64-linux-gnu/libc.so.6"},
      {gone, "/tmp/x (deleted)"},
      {root, "/"},
      {pipe, "pipe:[77]"},
      {eventfd, "anon_inode:[eventfd]"},
      {memfd, "/memfd:m (deleted)"},
      {pidfd, "anon_inode:[pidfd]"},
      {unknown, ""},
  };
  for (const Case& c : cases) EXPECT_EQ(dtruss::file_label(c.f), c.label);
}

}  // namespace
