#include "core/fdinfo.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dtruss {
namespace {

// The file systems whose files have no path but a name they make up (the kernel's d_dname), by
// their magic number (include/uapi/linux/magic.h), and how /proc/PID/fd names their files.
enum class Naming { Pipe, AnonInode, Simple, PidFd };
struct PseudoFs {
  uint64_t magic;
  Naming naming;
};
constexpr PseudoFs kPseudoFs[] = {
    {0x50495045, Naming::Pipe},       // PIPEFS_MAGIC: "pipe:[INODE]"
    {0x09041934, Naming::AnonInode},  // ANON_INODE_FS_MAGIC: "anon_inode:NAME"
    {0x01021994, Naming::Simple},     // TMPFS_MAGIC (memfd): "/NAME (deleted)"
    {0x958458f6, Naming::Simple},     // HUGETLBFS_MAGIC (memfd with MFD_HUGETLB)
    {0x50494446, Naming::PidFd},      // PIDFS_MAGIC (Linux 6.9: pidfds): "anon_inode:[pidfd]"
};

// "127.0.0.1:5000", "[::1]:5000".
std::string inet_address(bool v6, const std::array<uint8_t, 16>& addr, uint16_t port) {
  char text[INET6_ADDRSTRLEN] = "?";
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), text, sizeof(text));
  return v6 ? "[" + std::string(text) + "]:" + std::to_string(port)
            : std::string(text) + ":" + std::to_string(port);
}

// "0100007F:1388" (an IPv4 address in network order, printed as a host-order hex word, then the
// port in hex) or the 32-hex-digit IPv6 form of /proc/net/tcp6, into addr and port.
bool parse_address(const std::string& hex_addr, bool v6, std::array<uint8_t, 16>* addr,
                   uint16_t* port) {
  auto colon = hex_addr.find(':');
  if (colon == std::string::npos) return false;
  std::string a = hex_addr.substr(0, colon);
  *port = static_cast<uint16_t>(std::strtoul(hex_addr.c_str() + colon + 1, nullptr, 16));
  if (a.size() != (v6 ? 32u : 8u)) return false;
  for (size_t w = 0; w < a.size() / 8; ++w) {
    auto word = static_cast<uint32_t>(std::strtoul(a.substr(w * 8, 8).c_str(), nullptr, 16));
    std::memcpy(addr->data() + w * 4, &word, 4);
  }
  return true;
}

// Looks `inode` up in /proc/PID/net/{tcp,udp}[6]: "local rem_address ... inode" columns.
bool find_inet(pid_t pid, unsigned long inode, const char* table, const char* proto, bool v6,
               SocketFacts* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/net/" + table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, tr, retr, uid, timeout, ino;
    if (!(f >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> ino))
      continue;
    if (std::strtoul(ino.c_str(), nullptr, 10) != inode) continue;
    out->family = v6 ? AF_INET6 : AF_INET;
    out->proto = proto;
    out->listed = parse_address(local, v6, &out->laddr, &out->lport) &&
                  parse_address(remote, v6, &out->raddr, &out->rport);
    return true;
  }
  return false;
}

// /proc/PID/net/unix: "Num RefCount Protocol Flags Type St Inode Path", the path (when the socket
// has an address) after one blank, to the end of the line: '@' then the name, NULs shown as '@',
// for an abstract one.
bool find_unix(pid_t pid, unsigned long inode, SocketFacts* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/net/unix");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string num, refs, proto, flags, type, st, ino;
    if (!(f >> num >> refs >> proto >> flags >> type >> st >> ino)) continue;
    if (std::strtoul(ino.c_str(), nullptr, 10) != inode) continue;
    out->family = AF_UNIX;
    out->proto = "UNIX";
    auto at = static_cast<size_t>(f.tellg());
    if (f.tellg() >= 0 && at + 1 < line.size()) {
      out->has_path = true;
      out->path = line.substr(at + 1);
      if (out->path[0] == '@') out->path[0] = '\0';  // (shown as the kernel stores it)
    }
    return true;
  }
  return false;
}

// A unix socket's address as /proc/net/unix shows it.
std::string unix_address(const std::string& path) {
  if (path.empty() || path[0] != '\0') return path.substr(0, path.find('\0'));
  std::string out = path;
  for (char& c : out)
    if (c == '\0') c = '@';
  return out;
}

}  // namespace

std::string socket_label(const SocketFacts& s) {
  std::string ino = "[" + std::to_string(s.inode) + "]";
  if (s.family == AF_UNIX) return "UNIX:" + (s.has_path ? unix_address(s.path) : ino);
  if ((s.family == AF_INET || s.family == AF_INET6) && s.listed) {
    bool v6 = s.family == AF_INET6;
    std::string out = s.proto + ":" + inet_address(v6, s.laddr, s.lport);
    bool remote = s.rport != 0;
    for (uint8_t b : s.raddr) remote |= b != 0;
    if (remote) out += "->" + inet_address(v6, s.raddr, s.rport);
    return out;
  }
  return (s.proto.empty() ? "socket" : s.proto) + ":" + ino;
}

std::string file_label(const FileFacts& f) {
  if (f.pseudo) {
    const std::string name = f.parts.empty() ? std::string() : f.parts.front();
    for (const PseudoFs& fs : kPseudoFs) {
      if (fs.magic != f.fs_magic) continue;
      switch (fs.naming) {
        case Naming::Pipe:
          return "pipe:[" + std::to_string(f.inode) + "]";
        case Naming::AnonInode:
          return "anon_inode:" + name;
        case Naming::Simple:
          return "/" + name + " (deleted)";
        case Naming::PidFd:  // (pidfs names its files as anon_inode did, which they were)
          return "anon_inode:[pidfd]";
      }
    }
    return {};
  }
  std::string path;
  for (auto it = f.parts.rbegin(); it != f.parts.rend(); ++it) path += "/" + *it;
  if (path.empty()) path = "/";
  if (f.deleted) path += " (deleted)";
  return path;
}

std::string describe_socket(pid_t pid, unsigned long inode, const std::string& fd_link);

std::string describe_socket(pid_t pid, unsigned long inode) {
  return describe_socket(pid, inode, {});
}

std::string describe_socket(pid_t pid, unsigned long inode, const std::string& fd_link) {
  SocketFacts s;
  s.inode = inode;
  if (find_inet(pid, inode, "tcp", "TCP", false, &s) ||
      find_inet(pid, inode, "tcp6", "TCPv6", true, &s) ||
      find_inet(pid, inode, "udp", "UDP", false, &s) ||
      find_inet(pid, inode, "udp6", "UDPv6", true, &s) || find_unix(pid, inode, &s))
    return socket_label(s);
  // Not in the tables (not bound or connected yet): the kernel still names its protocol.
  if (!fd_link.empty()) {
    char proto[64];
    ssize_t n = getxattr(fd_link.c_str(), "system.sockprotoname", proto, sizeof(proto) - 1);
    std::string name(proto, n > 0 ? static_cast<size_t>(n) : 0);
    while (!name.empty() && (name.back() == '\0' || name.back() == ' ')) name.pop_back();
    s.proto = name;
  }
  return socket_label(s);
}

std::string describe_fd(pid_t pid, int fd) {
  if (fd < 0) return {};
  char link[64];
  std::snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, fd);
  char target[4096];
  ssize_t n = readlink(link, target, sizeof(target) - 1);
  if (n <= 0) return {};
  std::string t(target, static_cast<size_t>(n));
  unsigned long inode = 0;
  if (std::sscanf(t.c_str(), "socket:[%lu]", &inode) == 1) return describe_socket(pid, inode, link);
  return t;
}

}  // namespace dtruss
