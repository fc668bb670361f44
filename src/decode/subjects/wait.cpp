// wait4 and waitid: options, id types and the wait status.

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/rseq.h>
#include <linux/wait.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/wait.h> (WSTOPPED, for waitid, is WUNTRACED's bit)
constexpr FlagName kWaitBits[] = {F(WNOHANG), F(WUNTRACED),   F(WEXITED), F(WCONTINUED),
                                  F(WNOWAIT), F(__WNOTHREAD), F(__WALL),  F(__WCLONE)};
constexpr FlagTable kWaitOptions = bits_table("wait_options", kWaitBits);

// <linux/wait.h>
constexpr FlagName kIdtypes[] = {F(P_ALL), F(P_PID), F(P_PGID), F(P_PIDFD)};
constexpr FlagTable kIdtype = enum_table("idtype", kIdtypes);

std::string wait_status_text(int s) {
  if (WIFEXITED(s)) return fmt::format("{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}", WEXITSTATUS(s));
  if (WIFSIGNALED(s))
    return fmt::format("{{WIFSIGNALED(s) && WTERMSIG(s) == {}{}}}", signal_name(WTERMSIG(s)),
                       WCOREDUMP(s) ? " && WCOREDUMP(s)" : "");
  if (WIFSTOPPED(s)) {
    std::string t = fmt::format("{{WIFSTOPPED(s) && WSTOPSIG(s) == {}", signal_name(WSTOPSIG(s)));
    if ((s >> 16) != 0) t += fmt::format(" && s >> 16 == {}", s >> 16);  // a ptrace event
    return t + "}";
  }
  if (WIFCONTINUED(s)) return "{WIFCONTINUED(s)}";
  return fmt::format("{:#x}", static_cast<uint32_t>(s));
}

Value decode_wait_status(const ArgContext& c) {
  // wait4 with WNOHANG returns 0 when no child changed state, and writes no status.
  if (c.ev.nr == SYS_wait4 && c.ev.returned() && c.ev.ret == 0) return Value::hex(c.raw);
  int32_t s = 0;
  if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
  Value v = Value::array();
  v.add({}, Value::symbol(wait_status_text(s), static_cast<uint32_t>(s)));
  return v;
}

constexpr Entry kStructs[] = {
    {"wait_status", sizeof(int32_t), decode_wait_status},
};

constexpr const FlagTable* kTables[] = {&kWaitOptions, &kIdtype};

}  // namespace

Subject subject_wait() {
  return {"wait", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
