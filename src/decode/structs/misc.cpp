// Struct decoders of terminals, seccomp and memory residency: struct termios and struct winsize
// (an ioctl's argument by its request), seccomp's sock_fprog, action and notification sizes (its
// uargs by op), mincore's page vector and ustat's struct ustat.
// Facts from the kernel's UAPI headers: <asm/termbits.h> (asm-generic/termbits.h: the kernel's
// struct termios, not the C library's larger one), <asm/termios.h> (struct winsize),
// <linux/filter.h> (struct sock_fprog) and <linux/seccomp.h>. struct ustat is in no exported
// header: its layout is the kernel's include/linux/types.h (x86_64: an unsigned long f_tinode).
#include <asm/termbits.h>
#include <asm/termios.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "decode/structs/registry.h"
#include "decode/tables/registry.h"

namespace dtruss::structs {
namespace {

static_assert(sizeof(struct termios) == 36, "the kernel's struct termios (NCCS 19)");
static_assert(sizeof(struct winsize) == 8);
static_assert(sizeof(struct sock_fprog) == 16);
static_assert(sizeof(struct seccomp_notif_sizes) == 6);

// include/linux/types.h.
struct kernel_ustat {
  int f_tfree;  // __kernel_daddr_t
  unsigned long f_tinode;
  char f_fname[6];
  char f_fpack[6];
};
static_assert(sizeof(kernel_ustat) == 32);

// <linux/seccomp.h>: the action of a filter's return value (SECCOMP_GET_ACTION_AVAIL).
constexpr FlagName kSeccompActions[] = {
    F(SECCOMP_RET_KILL_PROCESS), F(SECCOMP_RET_KILL_THREAD), F(SECCOMP_RET_TRAP),
    F(SECCOMP_RET_ERRNO),        F(SECCOMP_RET_USER_NOTIF),  F(SECCOMP_RET_TRACE),
    F(SECCOMP_RET_LOG),          F(SECCOMP_RET_ALLOW),
};
constexpr FlagTable kSeccompAction = tables::enum_table("seccomp_action", kSeccompActions);

// The termios mode tables of src/decode/tables/ioctl.cpp.
Value mode_flags(const char* table, uint32_t v) {
  return named_flags(table, v);
}

// struct termios: the four mode fields by name; with -v also the line discipline and the
// control characters.
Value decode_termios(const ArgContext& c) {
  struct termios t {};
  if (!read_struct(c.mem, c.raw, &t)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("c_iflag", mode_flags("termios_iflag", t.c_iflag));
  v.add("c_oflag", mode_flags("termios_oflag", t.c_oflag));
  v.add("c_cflag", mode_flags("termios_cflag", t.c_cflag));
  v.add("c_lflag", mode_flags("termios_lflag", t.c_lflag));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  v.add("c_line", Value::uinteger(t.c_line));
  Value cc = Value::array();
  for (cc_t ch : t.c_cc) cc.add({}, Value::uinteger(ch));
  v.add("c_cc", std::move(cc));
  return v;
}

Value decode_winsize(const ArgContext& c) {
  struct winsize w {};
  if (!read_struct(c.mem, c.raw, &w)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("ws_row", Value::uinteger(w.ws_row));
  v.add("ws_col", Value::uinteger(w.ws_col));
  v.add("ws_xpixel", Value::uinteger(w.ws_xpixel));
  v.add("ws_ypixel", Value::uinteger(w.ws_ypixel));
  return v;
}

// SECCOMP_SET_MODE_FILTER's program: its length and where its instructions are.
Value decode_sock_fprog(const ArgContext& c) {
  struct sock_fprog p {};
  if (!read_struct(c.mem, c.raw, &p)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("len", Value::uinteger(p.len));
  v.add("filter", ptr_value(reinterpret_cast<uint64_t>(p.filter)));
  return v;
}

// SECCOMP_GET_ACTION_AVAIL's u32: [SECCOMP_RET_LOG].
Value decode_seccomp_action(const ArgContext& c) {
  uint32_t a = 0;
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, enum_or_hex(kSeccompAction, a));
  return v;
}

Value decode_seccomp_notif_sizes(const ArgContext& c) {
  struct seccomp_notif_sizes s {};
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("seccomp_notif", Value::uinteger(s.seccomp_notif));
  v.add("seccomp_notif_resp", Value::uinteger(s.seccomp_notif_resp));
  v.add("seccomp_data", Value::uinteger(s.seccomp_data));
  return v;
}

// mincore's vec: a byte per page of the range, whose low bit says the page is resident; the
// first --strsize pages unless -v.
Value decode_mincore_vec(const ArgContext& c) {
  const size_t pages = element_count(c, 0);
  const size_t shown = c.opt.verbose ? pages : std::min(pages, c.opt.strsize);
  std::string bytes(shown, '\0');
  const size_t got = shown == 0 ? 0 : c.mem.read(c.raw, bytes.data(), shown);
  if (got == 0 && shown > 0) return Value::unreadable(c.raw);
  Value v = Value::array();
  for (size_t i = 0; i < got; ++i) v.add({}, Value::uinteger(static_cast<uint8_t>(bytes[i]) & 1u));
  v.truncated = got < pages;
  return v;
}

// A fixed char array that may lack its NUL.
Value char_array(const char* p, size_t n) {
  return Value::string(std::string(p, strnlen(p, n)), false);
}

Value decode_ustat(const ArgContext& c) {
  kernel_ustat u{};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("f_tfree", Value::integer(u.f_tfree));
  v.add("f_tinode", Value::uinteger(u.f_tinode));
  v.add("f_fname", char_array(u.f_fname, sizeof u.f_fname));
  v.add("f_fpack", char_array(u.f_fpack, sizeof u.f_fpack));
  return v;
}

constexpr Entry kMisc[] = {
    {"termios", sizeof(struct termios), decode_termios},
    {"winsize", sizeof(struct winsize), decode_winsize},
    {"sock_fprog", sizeof(struct sock_fprog), decode_sock_fprog},
    {"seccomp_action", sizeof(uint32_t), decode_seccomp_action},
    {"seccomp_notif_sizes", sizeof(struct seccomp_notif_sizes), decode_seccomp_notif_sizes},
    {"mincore_vec", 1, decode_mincore_vec},
    {"ustat", sizeof(kernel_ustat), decode_ustat},
};

}  // namespace

List misc_structs() {
  return kMisc;
}

}  // namespace dtruss::structs
