// Helpers that several subject files share to show a struct's fields: modes, devices, ids, times,
// bytes, and the argument a decoder is called for.
#pragma once

#include <linux/time_types.h>
struct timeval;

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/value.h"
#include "decode/decoder.h"
#include "decode/flags.h"

namespace dtruss::structs {

// S_IFREG|S_ISUID|0755: the file type by name, the set-id and sticky bits, the permissions.
Value mode_value(uint32_t mode);
// makedev(0x8, 0x1), from its parts or from a dev_t.
Value dev_value(uint32_t maj, uint32_t min, uint64_t raw);
Value dev_value(uint64_t dev);
// A uid or gid; (uid_t)-1 as -1.
Value id_value(uint32_t id);
// {tv_sec, tv_nsec} and {tv_sec, tv_usec} of the kernel's and glibc's structs.
Value timespec_value(int64_t sec, int64_t nsec);
Value timeval_value(int64_t sec, int64_t usec);
Value timespec_value(const __kernel_timespec& ts);
Value timeval_value(const __kernel_old_timeval& tv);
Value timeval_value(const struct timeval& tv);
// Bytes as one hex number, most significant first in memory order: 0x0102abcd.
std::string hex_number(const unsigned char* p, size_t n);
// Bytes as hex digits, two a byte, without a prefix: 0102abcd.
std::string hex_digits(const uint8_t* p, size_t n);
// A fixed-size char array of the kernel, up to its NUL (which it may lack).
Value char_array(const char* p, size_t n);

// A bit set through a table (hex without one).
Value flags_value(const FlagTable* t, uint64_t v);
// One value of an enum table: its name, or the number when it has none.
Value enum_value(const FlagTable* t, int64_t v);

// The index of c.arg among its syscall's arguments, or -1.
int arg_index(const ArgContext& c);
// The index of the argument named `name` of the current syscall, or -1.
int arg_named(const ArgContext& c, const char* name);
// A single struct (epoll_ctl, io_cancel) or an array counted by an argument or the return value
// (epoll_wait, io_getevents).
Value one_or_array(const ArgContext& c, size_t size, Value (*one)(const ArgContext&, uint64_t));

// sockaddr.cpp: a socket address held in `len` bytes at `bytes`, as a Struct ({sa_family=AF_INET,
// sin_port=80, sin_addr="127.0.0.1"}); the address itself when `len` is too short to hold even
// the family. `len` beyond sizeof(sockaddr_storage) is cut to it.
Value sockaddr_value(const void* bytes, size_t len, uint64_t addr);
// The socket address of `len` bytes at `addr` in tracee memory; the address when unreadable.
Value sockaddr_at(const MemoryReader& mem, uint64_t addr, int64_t len);
// An IPv4 or IPv6 address (AF_INET, AF_INET6) as a string: "127.0.0.1".
Value inet_string(int af, const void* addr);
// rw.cpp: `count` iovecs at `addr`; with `data`, the bytes of each (`total` of them at most).
Value iovec_array(const ArgContext& c, uint64_t addr, uint64_t count, bool data, uint64_t total);

}  // namespace dtruss::structs
