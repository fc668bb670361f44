// What a process's file descriptor refers to, from /proc: a path, or a socket described by its
// protocol and addresses ("TCP:127.0.0.1:5000->127.0.0.1:41234", "UNIX:/run/x.sock").
#pragma once

#include <sys/types.h>

#include <string>

namespace dtruss {

// Empty when the fd is not open (or /proc cannot tell).
std::string describe_fd(pid_t pid, int fd);

// "TCP:127.0.0.1:5000->127.0.0.1:41234" for the socket with this inode, from /proc/PID/net;
// "socket:[INODE]" when it is in none of the tables read.
std::string describe_socket(pid_t pid, unsigned long inode);

}  // namespace dtruss
