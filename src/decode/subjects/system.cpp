// The system: uname, sysinfo, reboot, syslog, personality, kexec, sysctl.

#include <fmt/format.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <linux/rseq.h>
#include <linux/sysctl.h>
#include <linux/utsname.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/personality.h>: the personality type in the low byte (PER_MASK), named by the PER_*
// constant whose type it is (several constants also carry flag bits, shown as bits), and the
// bug-emulation flags above it.
constexpr FlagName kPersonalityTypes[] = {
    F(PER_LINUX),
    N(PER_SVR4& PER_MASK, "PER_SVR4"),
    N(PER_SVR3& PER_MASK, "PER_SVR3"),
    N(PER_SCOSVR3& PER_MASK, "PER_SCOSVR3"),
    N(PER_WYSEV386& PER_MASK, "PER_WYSEV386"),
    N(PER_ISCR4& PER_MASK, "PER_ISCR4"),
    F(PER_BSD),
    N(PER_XENIX& PER_MASK, "PER_XENIX"),
    F(PER_LINUX32),
    N(PER_IRIX32& PER_MASK, "PER_IRIX32"),
    N(PER_IRIXN32& PER_MASK, "PER_IRIXN32"),
    N(PER_IRIX64& PER_MASK, "PER_IRIX64"),
    F(PER_RISCOS),
    N(PER_SOLARIS& PER_MASK, "PER_SOLARIS"),
    N(PER_UW7& PER_MASK, "PER_UW7"),
    F(PER_OSF4),
    F(PER_HPUX),
};
constexpr FlagName kPersonalityBits[] = {
    F(UNAME26),          F(ADDR_NO_RANDOMIZE),  F(FDPIC_FUNCPTRS),
    F(MMAP_PAGE_ZERO),   F(ADDR_COMPAT_LAYOUT), F(READ_IMPLIES_EXEC),
    F(ADDR_LIMIT_32BIT), F(SHORT_INODE),        F(WHOLE_SECONDS),
    F(STICKY_TIMEOUTS),  F(ADDR_LIMIT_3GB),
};
constexpr FlagTable kPersonality =
    mixed_table("personality", PER_MASK, kPersonalityTypes, kPersonalityBits);

// <linux/reboot.h>
constexpr FlagName kRebootCmds[] = {
    F(LINUX_REBOOT_CMD_RESTART),    F(LINUX_REBOOT_CMD_HALT),      F(LINUX_REBOOT_CMD_CAD_ON),
    F(LINUX_REBOOT_CMD_CAD_OFF),    F(LINUX_REBOOT_CMD_POWER_OFF), F(LINUX_REBOOT_CMD_RESTART2),
    F(LINUX_REBOOT_CMD_SW_SUSPEND), F(LINUX_REBOOT_CMD_KEXEC),
};
constexpr FlagTable kRebootCmd = enum_table("reboot_cmd", kRebootCmds);

// <linux/reboot.h>: the magic numbers of reboot's first two arguments.
constexpr FlagName kRebootMagics[] = {F(LINUX_REBOOT_MAGIC1), F(LINUX_REBOOT_MAGIC2),
                                      F(LINUX_REBOOT_MAGIC2A), F(LINUX_REBOOT_MAGIC2B),
                                      F(LINUX_REBOOT_MAGIC2C)};
constexpr FlagTable kRebootMagic = enum_table("reboot_magic", kRebootMagics);

// include/linux/syslog.h (kernel-internal: no UAPI or glibc header names them).
constexpr FlagName kSyslogTypes[] = {
    N(0, "SYSLOG_ACTION_CLOSE"),         N(1, "SYSLOG_ACTION_OPEN"),
    N(2, "SYSLOG_ACTION_READ"),          N(3, "SYSLOG_ACTION_READ_ALL"),
    N(4, "SYSLOG_ACTION_READ_CLEAR"),    N(5, "SYSLOG_ACTION_CLEAR"),
    N(6, "SYSLOG_ACTION_CONSOLE_OFF"),   N(7, "SYSLOG_ACTION_CONSOLE_ON"),
    N(8, "SYSLOG_ACTION_CONSOLE_LEVEL"), N(9, "SYSLOG_ACTION_SIZE_UNREAD"),
    N(10, "SYSLOG_ACTION_SIZE_BUFFER"),
};
constexpr FlagTable kSyslogType = enum_table("syslog_type", kSyslogTypes);

static_assert(sizeof(struct sysinfo) == 112);

static_assert(sizeof(struct new_utsname) == 6 * 65);

static_assert(sizeof(struct kexec_segment) == 32);

static_assert(sizeof(struct __sysctl_args) == 80);

Value decode_utsname(const ArgContext& c) {
  struct new_utsname u {};
  if (!read_struct(c.mem, c.raw, &u)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("sysname", char_array(u.sysname, sizeof u.sysname));
  v.add("nodename", char_array(u.nodename, sizeof u.nodename));
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  v.add("release", char_array(u.release, sizeof u.release));
  v.add("version", char_array(u.version, sizeof u.version));
  v.add("machine", char_array(u.machine, sizeof u.machine));
  v.add("domainname", char_array(u.domainname, sizeof u.domainname));
  return v;
}

Value decode_sysinfo(const ArgContext& c) {
  struct sysinfo si {};
  if (!read_struct(c.mem, c.raw, &si)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  FIELD(v, si, uptime, Value::integer);
  Value loads = Value::array();
  for (unsigned long l : si.loads) loads.add({}, Value::uinteger(l));
  v.add("loads", std::move(loads));
  FIELD(v, si, totalram, Value::uinteger);
  FIELD(v, si, freeram, Value::uinteger);
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  FIELD(v, si, sharedram, Value::uinteger);
  FIELD(v, si, bufferram, Value::uinteger);
  FIELD(v, si, totalswap, Value::uinteger);
  FIELD(v, si, freeswap, Value::uinteger);
  FIELD(v, si, procs, Value::uinteger);
  FIELD(v, si, totalhigh, Value::uinteger);
  FIELD(v, si, freehigh, Value::uinteger);
  FIELD(v, si, mem_unit, Value::uinteger);
  return v;
}

Value one_kexec_segment(const ArgContext& c, uint64_t addr) {
  struct kexec_segment s {};
  if (!read_struct(c.mem, addr, &s)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("buf", ptr_value(reinterpret_cast<uint64_t>(s.buf)));
  FIELD(v, s, bufsz, Value::uinteger);
  v.add("mem", ptr_value(reinterpret_cast<uint64_t>(s.mem)));
  FIELD(v, s, memsz, Value::uinteger);
  return v;
}

Value decode_kexec_segments(const ArgContext& c) {
  size_t n = element_count(c, 0);
  if (n == 0 || n > KEXEC_SEGMENT_MAX) return Value::hex(c.raw);  // the kernel refuses more
  return decode_array(c, n, sizeof(struct kexec_segment), KEXEC_SEGMENT_MAX, one_kexec_segment);
}

Value decode_sysctl_args(const ArgContext& c) {
  struct __sysctl_args a {};
  if (!read_struct(c.mem, c.raw, &a)) return Value::unreadable(c.raw);
  Value v = Value::structure();
  v.add("name", ptr_value(reinterpret_cast<uint64_t>(a.name)));
  FIELD(v, a, nlen, Value::integer);
  v.add("oldval", ptr_value(reinterpret_cast<uint64_t>(a.oldval)));
  v.add("oldlenp", ptr_value(reinterpret_cast<uint64_t>(a.oldlenp)));
  v.add("newval", ptr_value(reinterpret_cast<uint64_t>(a.newval)));
  FIELD(v, a, newlen, Value::uinteger);
  return v;
}

constexpr Entry kStructs[] = {
    {"utsname", sizeof(struct new_utsname), decode_utsname},
    {"sysinfo", sizeof(struct sysinfo), decode_sysinfo},
    {"kexec_segment", sizeof(struct kexec_segment), decode_kexec_segments},
    {"sysctl_args", sizeof(struct __sysctl_args), decode_sysctl_args},
};

constexpr const FlagTable* kTables[] = {&kPersonality, &kRebootCmd, &kRebootMagic, &kSyslogType};

using K = ArgKind;

// reboot's arg, by cmd: LINUX_REBOOT_CMD_RESTART2's command string; ignored otherwise.
constexpr ArgChoice kRebootArgByCmd[] = {
    {tables::value_of(LINUX_REBOOT_CMD_RESTART2), K::String, TableId::none},
};
constexpr ChoiceTable kRebootArg{"reboot_arg", kRebootArgByCmd, K::Hex};

constexpr const ChoiceTable* kChoices[] = {&kRebootArg};

}  // namespace

Subject subject_system() {
  return {"system", kTables, kStructs, kChoices};
}

}  // namespace dtruss::structs
