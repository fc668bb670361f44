#include "core/fdinfo.h"

#include <arpa/inet.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace dtruss {
namespace {

// "0100007F:1388" (an IPv4 address in network order, printed as a host-order hex word, then the
// port in hex) or the 32-hex-digit IPv6 form of /proc/net/tcp6.
std::string address(const std::string& hex_addr, bool v6) {
  auto colon = hex_addr.find(':');
  if (colon == std::string::npos) return "?";
  std::string a = hex_addr.substr(0, colon);
  unsigned port = static_cast<unsigned>(std::strtoul(hex_addr.c_str() + colon + 1, nullptr, 16));
  char text[INET6_ADDRSTRLEN] = "?";
  if (!v6 && a.size() == 8) {
    in_addr in{};
    in.s_addr = static_cast<uint32_t>(std::strtoul(a.c_str(), nullptr, 16));
    inet_ntop(AF_INET, &in, text, sizeof(text));
    return std::string(text) + ":" + std::to_string(port);
  }
  if (v6 && a.size() == 32) {
    in6_addr in6{};
    for (int w = 0; w < 4; ++w) {
      uint32_t word = static_cast<uint32_t>(std::strtoul(a.substr(w * 8, 8).c_str(), nullptr, 16));
      std::memcpy(&in6.s6_addr[w * 4], &word, 4);
    }
    inet_ntop(AF_INET6, &in6, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(port);
  }
  return "?";
}

// Looks `inode` up in /proc/PID/net/{tcp,udp}[6]: "local rem_address ... inode" columns.
bool find_inet(pid_t pid, unsigned long inode, const char* table, const char* proto, bool v6,
               std::string* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/net/" + table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, tr, retr, uid, timeout, ino;
    if (!(f >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> ino)) continue;
    if (std::strtoul(ino.c_str(), nullptr, 10) != inode) continue;
    *out = std::string(proto) + ":" + address(local, v6);
    std::string r = address(remote, v6);
    if (r.find_first_not_of("0.:[]") != std::string::npos) *out += "->" + r;
    return true;
  }
  return false;
}

bool find_unix(pid_t pid, unsigned long inode, std::string* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/net/unix");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string num, refs, proto, flags, type, st, ino, path;
    if (!(f >> num >> refs >> proto >> flags >> type >> st >> ino)) continue;
    if (std::strtoul(ino.c_str(), nullptr, 10) != inode) continue;
    f >> path;
    *out = path.empty() ? "UNIX:[" + ino + "]" : "UNIX:" + path;
    return true;
  }
  return false;
}

}  // namespace

std::string describe_socket(pid_t pid, unsigned long inode, const std::string& fd_link);

std::string describe_socket(pid_t pid, unsigned long inode) {
  return describe_socket(pid, inode, {});
}

std::string describe_socket(pid_t pid, unsigned long inode, const std::string& fd_link) {
  std::string out;
  if (find_inet(pid, inode, "tcp", "TCP", false, &out) ||
      find_inet(pid, inode, "tcp6", "TCPv6", true, &out) ||
      find_inet(pid, inode, "udp", "UDP", false, &out) ||
      find_inet(pid, inode, "udp6", "UDPv6", true, &out) || find_unix(pid, inode, &out))
    return out;
  // Not in the tables (not bound or connected yet): the kernel still names its protocol.
  if (!fd_link.empty()) {
    char proto[64];
    ssize_t n = getxattr(fd_link.c_str(), "system.sockprotoname", proto, sizeof(proto) - 1);
    std::string name(proto, n > 0 ? static_cast<size_t>(n) : 0);
    while (!name.empty() && (name.back() == '\0' || name.back() == ' ')) name.pop_back();
    if (!name.empty()) return name + ":[" + std::to_string(inode) + "]";
  }
  return "socket:[" + std::to_string(inode) + "]";
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
