// What a process's file descriptor refers to: a path, or a socket described by its protocol and
// addresses ("TCP:127.0.0.1:5000->127.0.0.1:41234", "UNIX:/run/x.sock"), as /proc tells it
// (the ptrace backend, which asks while the process is stopped) or as the kernel's structures
// tell it (the eBPF backend, which reads them at the call): both are written here, the same way.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dtruss {

// Empty when the fd is not open (or /proc cannot tell).
std::string describe_fd(pid_t pid, int fd);

// "TCP:127.0.0.1:5000->127.0.0.1:41234" for the socket with this inode, from /proc/PID/net;
// "socket:[INODE]" when it is in none of the tables read.
std::string describe_socket(pid_t pid, unsigned long inode);

// A socket as the kernel describes it.
struct SocketFacts {
  unsigned long inode = 0;
  int family = 0;       // AF_INET, AF_INET6, AF_UNIX, ...
  std::string proto;    // the kernel's name of its protocol: "TCP", "UDPv6", "NETLINK"...
  bool listed = false;  // AF_INET and AF_INET6: in /proc/net/{tcp,udp}[6] (bound, connected...)
  std::array<uint8_t, 16> laddr{}, raddr{};  // AF_INET: the first 4 bytes (network order)
  uint16_t lport = 0, rport = 0;             // host order
  // AF_UNIX: its address (sun_path's bytes, a leading NUL for an abstract one), when it has one.
  bool has_path = false;
  std::string path;
};
// "TCP:127.0.0.1:5000->127.0.0.1:41234", "UNIX:/run/x.sock", "UNIX:[INODE]", "TCP:[INODE]" (not
// bound or connected yet), "socket:[INODE]" (protocol unknown).
std::string socket_label(const SocketFacts& s);

// A file that is not a socket, as the kernel describes it.
struct FileFacts {
  uint64_t inode = 0;
  uint64_t fs_magic = 0;           // its file system's (statfs's f_type)
  std::vector<std::string> parts;  // its path's components, innermost first
  bool deleted = false;            // its name was unlinked
  bool pseudo = false;             // named by its file system: parts holds its one name
};
// Its path as /proc/PID/fd/N shows it ("/usr/lib/x.so", "/tmp/x (deleted)", "pipe:[INODE]",
// "anon_inode:[eventfd]", "/memfd:NAME (deleted)"), or "" for a kind of file it cannot name.
std::string file_label(const FileFacts& f);

}  // namespace dtruss
