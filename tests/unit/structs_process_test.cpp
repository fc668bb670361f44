// Struct decoders of the process subjects (src/decode/subjects: signal, wait, rlimit, system,
// clone, sched, thread, capability ...) on synthetic events: signal sets and actions, siginfo,
// stack_t, wait statuses, rlimit, rusage, utsname, sysinfo, clone_args, scheduling parameters, CPU
// masks, robust lists, rseq, capabilities and user_desc, abbreviated and with -v, and on hostile
// memory: short captures, sizes the kernel refuses, failed calls. The bytes are built with glibc's
// structs (<signal.h>, <sys/resource.h>, <sys/sysinfo.h>, <sys/utsname.h>) where their x86_64
// layout is the kernel's, and with the UAPI headers otherwise; the kernel's struct sigaction, which
// no header exports, is spelled out here.
#include <asm/ldt.h>
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <linux/kexec.h>
#include <linux/perf_event.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sysctl.h>
#include <linux/utsname.h>
#include <signal.h>
#include <sys/msg.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "decode/choices.h"
#include "decode/decoder.h"
#include "decode/structs.h"
#include "decode/subjects/subject.h"
#include "decode_support.h"
#include "output/render.h"

namespace dtruss {
namespace {

using unit::arg;
using unit::capture;
using unit::json;
using unit::make;
using unit::text;

constexpr uint64_t kBuf = 0x2000;
constexpr uint64_t kBuf2 = 0x3000;

// The same bytes, one short: the decoder must show the address.
template <typename T>
void capture_short(SyscallEvent& ev, uint64_t addr, const T& v) {
  ev.captures.add(addr, &v, sizeof(v) - 1);
}

uint64_t bit(int sig) {
  return uint64_t{1} << (sig - 1);
}

// The kernel's struct sigaction of rt_sigaction on x86_64 (include/linux/signal_types.h).
struct ksigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};
constexpr uint64_t kSaRestorer = 0x04000000;  // arch/x86/include/uapi/asm/signal.h

// Every decoder of every subject is reachable: a struct:TYPE of overrides.txt names it, or a
// choice table selects it.
TEST(StructsProcess, EveryDecoderNamesAStructTypeOfTheTable) {
  std::set<std::string_view> chosen;
  for (const ChoiceTable* t : all_choice_tables())
    for (const ArgChoice& c : t->choices)
      if (c.strct != nullptr) chosen.insert(c.strct);
  for (const structs::Subject& s : structs::all_subjects()) {
    for (const structs::Entry& e : s.structs) {
      bool found = chosen.count(e.type) != 0;
      for (size_t id = 1; id < kStructIdCount; ++id)
        if (e.type == struct_name(static_cast<StructId>(id))) found = true;
      EXPECT_TRUE(found) << e.type << " (" << s.name
                         << ") is named by no struct:TYPE of overrides.txt nor by a choice table";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Signal sets

TEST(StructsProcess, SigsetNamesAndComplement) {
  uint64_t set = bit(SIGINT) | bit(SIGTERM);
  uint64_t most = ~(bit(SIGKILL) | bit(SIGSTOP));
  auto ev = make(SYS_rt_sigprocmask, {SIG_BLOCK, kBuf, kBuf2, 8}, 0);
  capture(ev, kBuf, set);
  capture(ev, kBuf2, most);
  std::string js;
  EXPECT_EQ(arg(ev, 0), "SIG_BLOCK");
  EXPECT_EQ(arg(ev, 1, false, &js), "[INT TERM]");
  EXPECT_EQ(js, R"("[INT TERM]")");
  EXPECT_EQ(arg(ev, 2), "~[KILL STOP]");

  uint64_t none = 0;
  uint64_t rt = bit(34) | bit(64) | bit(SIGCHLD);
  uint64_t half = 0xffffffff;  // exactly half: listed, not complemented
  auto ev2 = make(SYS_rt_sigprocmask, {SIG_SETMASK, kBuf, kBuf2, 8}, 0);
  capture(ev2, kBuf, none);
  capture(ev2, kBuf2, rt);
  EXPECT_EQ(arg(ev2, 1), "[]");
  EXPECT_EQ(arg(ev2, 2), "[CHLD RT_2 RT_32]");
  auto ev3 = make(SYS_rt_sigpending, {kBuf, 8}, 0);
  capture(ev3, kBuf, half);
  EXPECT_EQ(arg(ev3, 0),
            "[HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD "
            "CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RT_0]");
}

TEST(StructsProcess, SigsetRespectsSigsetsize) {
  uint64_t set[2] = {bit(SIGUSR1), bit(SIGUSR2)};
  // 4 bytes: the kernel refuses, but the bytes named are the ones shown.
  auto small = make(SYS_rt_sigprocmask, {SIG_BLOCK, kBuf, 0, 4}, -EINVAL);
  capture(small, kBuf, set);
  EXPECT_EQ(arg(small, 1), "[USR1]");
  auto big = make(SYS_rt_sigprocmask, {SIG_BLOCK, kBuf, 0, 16}, -EINVAL);
  capture(big, kBuf, set);
  EXPECT_EQ(arg(big, 1), "[USR1 76]");  // bit 11 of the second word: signal 64 + 12
  // No size, or one beyond any signal set: the address.
  auto zero = make(SYS_rt_sigprocmask, {SIG_BLOCK, kBuf, 0, 0}, -EINVAL);
  capture(zero, kBuf, set);
  EXPECT_EQ(arg(zero, 1), "0x2000");
  auto huge = make(SYS_rt_sigprocmask, {SIG_BLOCK, kBuf, 0, 1 << 20}, -EINVAL);
  capture(huge, kBuf, set);
  EXPECT_EQ(arg(huge, 1), "0x2000");
  // 8 bytes named, 7 captured.
  auto short_ev = make(SYS_rt_sigprocmask, {SIG_BLOCK, kBuf, 0, 8}, 0);
  capture_short(short_ev, kBuf, set[0]);
  EXPECT_EQ(arg(short_ev, 1), "0x2000");
  // The old set of a failed call is not shown.
  auto failed = make(SYS_rt_sigprocmask, {99, 0, kBuf2, 8}, -EINVAL);
  capture(failed, kBuf2, set[0]);
  EXPECT_EQ(arg(failed, 2), "0x3000");
  // signalfd's size argument is `sizemask`.
  auto sfd = make(SYS_signalfd4, {static_cast<uint64_t>(-1), kBuf, 8, 0}, 3);
  capture(sfd, kBuf, set[0]);
  EXPECT_EQ(arg(sfd, 1), "[USR1]");
}

// ---------------------------------------------------------------------------------------------
// sigaction

TEST(StructsProcess, SigactionKernelLayout) {
  ksigaction act{0x401000, SA_SIGINFO | SA_RESTART | kSaRestorer, 0x7f0000001000,
                 bit(SIGTERM) | bit(SIGHUP)};
  ksigaction old{0, 0, 0, 0};
  auto ev = make(SYS_rt_sigaction, {SIGINT, kBuf, kBuf2, 8}, 0);
  capture(ev, kBuf, act);
  capture(ev, kBuf2, old);
  std::string js;
  EXPECT_EQ(arg(ev, 0), "SIGINT");
  EXPECT_EQ(arg(ev, 1, false, &js),
            "{sa_handler=0x401000, sa_mask=[HUP TERM], sa_flags=SA_SIGINFO|SA_RESTORER|SA_RESTART, "
            "sa_restorer=0x7f0000001000}");
  EXPECT_EQ(js,
            R"({"sa_handler":"0x401000","sa_mask":"[HUP TERM]",)"
            R"("sa_flags":"SA_SIGINFO|SA_RESTORER|SA_RESTART","sa_restorer":"0x7f0000001000"})");
  // Without SA_RESTORER the restorer means nothing: shown with -v only.
  EXPECT_EQ(arg(ev, 2), "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}");
  EXPECT_EQ(arg(ev, 2, true), "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0, sa_restorer=NULL}");

  ksigaction ign{1, kSaRestorer, 0x7f00, ~uint64_t{0}};
  auto ev2 = make(SYS_rt_sigaction, {SIGPIPE, kBuf, 0, 8}, 0);
  capture(ev2, kBuf, ign);
  EXPECT_EQ(arg(ev2, 1),
            "{sa_handler=SIG_IGN, sa_mask=~[], sa_flags=SA_RESTORER, "
            "sa_restorer=0x7f00}");
  EXPECT_EQ(arg(ev2, 2), "NULL");

  auto short_ev = make(SYS_rt_sigaction, {SIGINT, kBuf, 0, 8}, 0);
  capture_short(short_ev, kBuf, act);
  EXPECT_EQ(arg(short_ev, 1), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// siginfo

siginfo_t chld(int code, int status) {
  siginfo_t si{};
  si.si_signo = SIGCHLD;
  si.si_code = code;
  si.si_pid = 1234;
  si.si_uid = 1000;
  si.si_status = status;
  return si;
}

TEST(StructsProcess, SiginfoOfWaitid) {
  auto ev = make(SYS_waitid, {P_PID, 1234, kBuf, WEXITED, 0}, 0);
  capture(ev, kBuf, chld(CLD_EXITED, 3));
  std::string js;
  EXPECT_EQ(arg(ev, 2, false, &js),
            "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1234, si_uid=1000, si_status=3}");
  EXPECT_EQ(js, R"({"si_signo":"SIGCHLD","si_code":"CLD_EXITED","si_pid":1234,"si_uid":1000,)"
                R"("si_status":3})");
  auto killed = make(SYS_waitid, {P_ALL, 0, kBuf, WEXITED, 0}, 0);
  capture(killed, kBuf, chld(CLD_KILLED, SIGKILL));
  EXPECT_EQ(arg(killed, 2),
            "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=1234, si_uid=1000, si_status=SIGKILL}");
  // WNOHANG and no child ready: the kernel zeroes the siginfo.
  auto none = make(SYS_waitid, {P_ALL, 0, kBuf, WEXITED | WNOHANG, 0}, 0);
  capture(none, kBuf, siginfo_t{});
  EXPECT_EQ(arg(none, 2), "{}");
  auto short_ev = make(SYS_waitid, {P_ALL, 0, kBuf, WEXITED, 0}, 0);
  capture_short(short_ev, kBuf, chld(CLD_EXITED, 0));
  EXPECT_EQ(arg(short_ev, 2), "0x2000");
}

TEST(StructsProcess, SiginfoQueuedAndFault) {
  siginfo_t q{};
  q.si_signo = SIGUSR1;
  q.si_code = SI_QUEUE;
  q.si_pid = 77;
  q.si_uid = 0;
  q.si_value.sival_ptr = reinterpret_cast<void*>(42);
  auto ev = make(SYS_rt_sigqueueinfo, {77, SIGUSR1, kBuf}, 0);
  capture(ev, kBuf, q);
  EXPECT_EQ(arg(ev, 2),
            "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=77, si_uid=0, si_int=42, si_ptr=0x2a}");

  siginfo_t f{};
  f.si_signo = SIGSEGV;
  f.si_code = SEGV_MAPERR;
  f.si_addr = reinterpret_cast<void*>(0xdead0);
  auto ev2 = make(SYS_rt_sigtimedwait, {kBuf2, kBuf, 0, 8}, SIGSEGV);
  uint64_t set = bit(SIGSEGV);
  capture(ev2, kBuf2, set);
  capture(ev2, kBuf, f);
  EXPECT_EQ(arg(ev2, 0), "[SEGV]");
  EXPECT_EQ(arg(ev2, 1), "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0xdead0}");
}

// ---------------------------------------------------------------------------------------------
// stack_t

TEST(StructsProcess, Sigaltstack) {
  stack_t ss{reinterpret_cast<void*>(0x10000), 0, 8192};
  stack_t old{nullptr, SS_DISABLE, 0};
  auto ev = make(SYS_sigaltstack, {kBuf, kBuf2}, 0);
  capture(ev, kBuf, ss);
  capture(ev, kBuf2, old);
  std::string js;
  EXPECT_EQ(arg(ev, 0, false, &js), "{ss_sp=0x10000, ss_flags=0, ss_size=8192}");
  EXPECT_EQ(js, R"({"ss_sp":"0x10000","ss_flags":"0","ss_size":8192})");
  EXPECT_EQ(arg(ev, 1), "{ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}");
  auto short_ev = make(SYS_sigaltstack, {kBuf, 0}, 0);
  capture_short(short_ev, kBuf, ss);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// wait4's status

std::string status_of(int s, int64_t ret = 1234, int options = 0) {
  auto ev =
      make(SYS_wait4, {static_cast<uint64_t>(-1), kBuf, static_cast<uint64_t>(options), 0}, ret);
  int32_t st = s;
  capture(ev, kBuf, st);
  return arg(ev, 1);
}

TEST(StructsProcess, WaitStatus) {
  EXPECT_EQ(status_of(W_EXITCODE(0, 0)), "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]");
  EXPECT_EQ(status_of(W_EXITCODE(3, 0)), "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]");
  EXPECT_EQ(status_of(W_EXITCODE(0, SIGKILL)), "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
  EXPECT_EQ(status_of(W_EXITCODE(0, SIGSEGV) | WCOREFLAG),
            "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]");
  EXPECT_EQ(status_of(W_STOPCODE(SIGSTOP), 1234, WUNTRACED),
            "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]");
  EXPECT_EQ(status_of(__W_CONTINUED, 1234, WCONTINUED), "[{WIFCONTINUED(s)}]");
  // WNOHANG with no child ready returns 0 and writes nothing.
  EXPECT_EQ(status_of(W_EXITCODE(3, 0), 0, WNOHANG), "0x2000");
  EXPECT_EQ(status_of(W_EXITCODE(3, 0), -ECHILD), "0x2000");

  auto ev = make(SYS_wait4, {static_cast<uint64_t>(-1), kBuf, 0, 0}, 1234);
  int32_t st = W_EXITCODE(0, SIGKILL);
  capture(ev, kBuf, st);
  std::string js;
  arg(ev, 1, false, &js);
  EXPECT_EQ(js, R"(["{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}"])");
  auto short_ev = make(SYS_wait4, {static_cast<uint64_t>(-1), kBuf, 0, 0}, 1234);
  short_ev.captures.add(kBuf, &st, 3);
  EXPECT_EQ(arg(short_ev, 1), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// rlimit, rusage, utsname, sysinfo

TEST(StructsProcess, Rlimit) {
  struct rlimit64 old {
    8u << 20, RLIM64_INFINITY
  };
  struct rlimit64 now {
    1024, 4096
  };
  auto ev = make(SYS_prlimit64, {0, RLIMIT_STACK, kBuf, kBuf2}, 0);
  capture(ev, kBuf, now);
  capture(ev, kBuf2, old);
  std::string js;
  EXPECT_EQ(arg(ev, 1), "RLIMIT_STACK");
  EXPECT_EQ(arg(ev, 2), "{rlim_cur=1024, rlim_max=4096}");
  EXPECT_EQ(arg(ev, 3, false, &js), "{rlim_cur=8388608, rlim_max=RLIM_INFINITY}");
  EXPECT_EQ(js, R"({"rlim_cur":8388608,"rlim_max":"RLIM_INFINITY"})");
  auto get = make(SYS_getrlimit, {RLIMIT_NOFILE, kBuf}, 0);
  capture_short(get, kBuf, now);
  EXPECT_EQ(arg(get, 1), "0x2000");
}

TEST(StructsProcess, RusageAbbreviatedAndVerbose) {
  struct rusage ru {};
  ru.ru_utime = {1, 2};
  ru.ru_stime = {3, 4};
  ru.ru_maxrss = 5;
  ru.ru_minflt = 6;
  ru.ru_majflt = 7;
  ru.ru_nvcsw = 8;
  ru.ru_nivcsw = 9;
  auto ev = make(SYS_getrusage, {static_cast<uint64_t>(RUSAGE_SELF), kBuf}, 0);
  capture(ev, kBuf, ru);
  std::string js;
  EXPECT_EQ(arg(ev, 1, false, &js),
            "{ru_utime={tv_sec=1, tv_usec=2}, ru_stime={tv_sec=3, tv_usec=4}, ru_maxrss=5, ...}");
  EXPECT_EQ(js, R"({"ru_utime":{"tv_sec":1,"tv_usec":2},"ru_stime":{"tv_sec":3,"tv_usec":4},)"
                R"("ru_maxrss":5})");
  EXPECT_EQ(arg(ev, 1, true),
            "{ru_utime={tv_sec=1, tv_usec=2}, ru_stime={tv_sec=3, tv_usec=4}, ru_maxrss=5, "
            "ru_ixrss=0, ru_idrss=0, ru_isrss=0, ru_minflt=6, ru_majflt=7, ru_nswap=0, "
            "ru_inblock=0, ru_oublock=0, ru_msgsnd=0, ru_msgrcv=0, ru_nsignals=0, ru_nvcsw=8, "
            "ru_nivcsw=9}");
  // wait4's rusage too.
  auto w = make(SYS_wait4, {static_cast<uint64_t>(-1), 0, 0, kBuf}, 99);
  capture(w, kBuf, ru);
  EXPECT_EQ(arg(w, 3),
            "{ru_utime={tv_sec=1, tv_usec=2}, ru_stime={tv_sec=3, tv_usec=4}, "
            "ru_maxrss=5, ...}");
  auto short_ev = make(SYS_getrusage, {0, kBuf}, 0);
  capture_short(short_ev, kBuf, ru);
  EXPECT_EQ(arg(short_ev, 1), "0x2000");
}

TEST(StructsProcess, UtsnameAbbreviatedAndVerbose) {
  struct new_utsname u {};
  strcpy(u.sysname, "Linux");
  strcpy(u.nodename, "box");
  strcpy(u.release, "6.1.0");
  strcpy(u.version, "#1 SMP");
  memset(u.machine, 'x', sizeof u.machine);  // no NUL: the field's 65 bytes
  strcpy(u.domainname, "(none)");
  auto ev = make(SYS_uname, {kBuf}, 0);
  capture(ev, kBuf, u);
  std::string js;
  EXPECT_EQ(arg(ev, 0, false, &js), R"({sysname="Linux", nodename="box", ...})");
  EXPECT_EQ(js, R"({"sysname":"Linux","nodename":"box"})");
  EXPECT_EQ(arg(ev, 0, true), R"({sysname="Linux", nodename="box", release="6.1.0", )"
                              R"(version="#1 SMP", machine=")" +
                                  std::string(65, 'x') + R"x(", domainname="(none)"})x");
  auto short_ev = make(SYS_uname, {kBuf}, 0);
  capture_short(short_ev, kBuf, u);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

TEST(StructsProcess, SysinfoAbbreviatedAndVerbose) {
  struct sysinfo si {};
  si.uptime = 100;
  si.loads[0] = 65536;
  si.loads[1] = 2;
  si.loads[2] = 3;
  si.totalram = 4096;
  si.freeram = 1024;
  si.procs = 12;
  si.mem_unit = 4096;
  auto ev = make(SYS_sysinfo, {kBuf}, 0);
  capture(ev, kBuf, si);
  EXPECT_EQ(arg(ev, 0), "{uptime=100, loads=[65536, 2, 3], totalram=4096, freeram=1024, ...}");
  EXPECT_EQ(arg(ev, 0, true),
            "{uptime=100, loads=[65536, 2, 3], totalram=4096, freeram=1024, sharedram=0, "
            "bufferram=0, totalswap=0, freeswap=0, procs=12, totalhigh=0, freehigh=0, "
            "mem_unit=4096}");
  auto short_ev = make(SYS_sysinfo, {kBuf}, 0);
  capture_short(short_ev, kBuf, si);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// clone_args

TEST(StructsProcess, CloneArgs) {
  struct clone_args a {};
  a.flags = CLONE_VM | CLONE_PIDFD;
  a.pidfd = 0x5000;
  a.exit_signal = SIGCHLD;
  a.stack = 0x7000;
  a.stack_size = 0x1000;
  auto ev = make(SYS_clone3, {kBuf, sizeof a}, 1234);
  capture(ev, kBuf, a);
  std::string js;
  EXPECT_EQ(arg(ev, 0, false, &js),
            "{flags=CLONE_VM|CLONE_PIDFD, pidfd=0x5000, exit_signal=SIGCHLD, stack=0x7000, "
            "stack_size=0x1000}");
  EXPECT_EQ(js, R"({"flags":"CLONE_VM|CLONE_PIDFD","pidfd":"0x5000","exit_signal":"SIGCHLD",)"
                R"("stack":"0x7000","stack_size":"0x1000"})");
  EXPECT_EQ(arg(ev, 0, true),
            "{flags=CLONE_VM|CLONE_PIDFD, pidfd=0x5000, child_tid=NULL, parent_tid=NULL, "
            "exit_signal=SIGCHLD, stack=0x7000, stack_size=0x1000, tls=NULL, set_tid=NULL, "
            "set_tid_size=0, cgroup=0}");

  // set_tid's pids, and the cgroup fd with CLONE_INTO_CGROUP.
  struct clone_args b {};
  b.flags = CLONE_INTO_CGROUP | CLONE_NEWTIME;
  b.set_tid = kBuf2;
  b.set_tid_size = 2;
  b.cgroup = 5;
  int32_t tids[2] = {300, 1};
  auto ev2 = make(SYS_clone3, {kBuf, sizeof b}, 300);
  capture(ev2, kBuf, b);
  capture(ev2, kBuf2, tids);
  EXPECT_EQ(arg(ev2, 0),
            "{flags=CLONE_NEWTIME|CLONE_INTO_CGROUP, exit_signal=0, stack=NULL, stack_size=0x0, "
            "set_tid=[300, 1], set_tid_size=2, cgroup=5}");
  // The pids cannot be read: their address.
  auto ev3 = make(SYS_clone3, {kBuf, sizeof b}, 300);
  capture(ev3, kBuf, b);
  EXPECT_EQ(arg(ev3, 0),
            "{flags=CLONE_NEWTIME|CLONE_INTO_CGROUP, exit_signal=0, stack=NULL, stack_size=0x0, "
            "set_tid=0x3000, set_tid_size=2, cgroup=5}");
  // The first published size has neither set_tid nor cgroup.
  auto v0 = make(SYS_clone3, {kBuf, CLONE_ARGS_SIZE_VER0}, 300);
  v0.captures.add(kBuf, &b, CLONE_ARGS_SIZE_VER0);
  EXPECT_EQ(arg(v0, 0, true),
            "{flags=CLONE_NEWTIME|CLONE_INTO_CGROUP, pidfd=NULL, child_tid=NULL, "
            "parent_tid=NULL, exit_signal=0, stack=NULL, stack_size=0x0, tls=NULL}");
  // A size the kernel refuses, and a short capture.
  auto tiny = make(SYS_clone3, {kBuf, CLONE_ARGS_SIZE_VER0 - 1}, -EINVAL);
  capture(tiny, kBuf, a);
  EXPECT_EQ(arg(tiny, 0), "0x2000");
  auto short_ev = make(SYS_clone3, {kBuf, sizeof a}, 1234);
  capture_short(short_ev, kBuf, a);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// Scheduling

// <linux/sched/types.h>, whose struct sched_param clashes with glibc's: the same fields here.
struct sched_attr_v1 {
  uint32_t size, sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime, sched_deadline, sched_period;
  uint32_t sched_util_min, sched_util_max;
};
static_assert(sizeof(sched_attr_v1) == 56);

TEST(StructsProcess, SchedParamAndAttr) {
  int32_t prio = 10;
  auto ev = make(SYS_sched_setscheduler, {0, SCHED_FIFO, kBuf}, 0);
  capture(ev, kBuf, prio);
  EXPECT_EQ(arg(ev, 1), "SCHED_FIFO");
  EXPECT_EQ(arg(ev, 2), "{sched_priority=10}");

  sched_attr_v1 a{56, SCHED_DEADLINE, SCHED_FLAG_RECLAIM, 0, 0, 1000, 2000, 3000, 0, 1024};
  auto get = make(SYS_sched_getattr, {0, kBuf, 56, 0}, 0);
  capture(get, kBuf, a);
  EXPECT_EQ(arg(get, 1),
            "{size=56, sched_policy=SCHED_DEADLINE, sched_flags=SCHED_FLAG_RECLAIM, "
            "sched_nice=0, sched_priority=0, sched_runtime=1000, sched_deadline=2000, "
            "sched_period=3000, sched_util_min=0, sched_util_max=1024}");
  sched_attr_v1 b{0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0, -5, 0, 0, 0, 0, 0, 0};
  auto set = make(SYS_sched_setattr, {0, kBuf, 0}, 0);
  set.captures.add(kBuf, &b, 48);  // size 0: the first published struct, 48 bytes
  EXPECT_EQ(arg(set, 1),
            "{size=0, sched_policy=SCHED_BATCH|SCHED_RESET_ON_FORK, sched_flags=0, "
            "sched_nice=-5, sched_priority=0, sched_runtime=0, sched_deadline=0, "
            "sched_period=0}");
  auto short_ev = make(SYS_sched_getparam, {0, kBuf}, 0);
  short_ev.captures.add(kBuf, &prio, 3);
  EXPECT_EQ(arg(short_ev, 1), "0x2000");
  auto short_attr = make(SYS_sched_setattr, {0, kBuf, 0}, 0);
  short_attr.captures.add(kBuf, &b, 47);
  EXPECT_EQ(arg(short_attr, 1), "0x2000");
}

TEST(StructsProcess, CpuMask) {
  uint64_t mask[2] = {0b1011, uint64_t{1} << 63};
  auto get = make(SYS_sched_getaffinity, {0, 128, kBuf}, 16);
  capture(get, kBuf, mask);
  std::string js;
  EXPECT_EQ(arg(get, 2, false, &js), "[0, 1, 3, 127]");
  EXPECT_EQ(js, "[0,1,3,127]");
  auto set = make(SYS_sched_setaffinity, {0, 8, kBuf}, 0);
  capture(set, kBuf, mask);
  EXPECT_EQ(arg(set, 2), "[0, 1, 3]");
  uint64_t none = 0;
  auto empty = make(SYS_sched_setaffinity, {0, 8, kBuf}, -EINVAL);
  capture(empty, kBuf, none);
  EXPECT_EQ(arg(empty, 2), "[]");
  auto failed = make(SYS_sched_getaffinity, {0, 1, kBuf}, -EINVAL);
  capture(failed, kBuf, mask);
  EXPECT_EQ(arg(failed, 2), "0x2000");
  auto short_ev = make(SYS_sched_getaffinity, {0, 128, kBuf}, 16);
  capture_short(short_ev, kBuf, mask);
  EXPECT_EQ(arg(short_ev, 2), "0x2000");
  // Beyond 1024 bytes (8192 CPUs) the mask is cut.
  std::vector<uint8_t> big(2048, 0);
  big[0] = 1;
  big[1023] = 0x80;
  big[1024] = 1;
  auto huge = make(SYS_sched_setaffinity, {0, big.size(), kBuf}, 0);
  huge.captures.add(kBuf, big.data(), big.size());
  EXPECT_EQ(arg(huge, 2), "[0, 8191, ...]");
}

// ---------------------------------------------------------------------------------------------
// Threads: robust lists, rseq, user_desc

TEST(StructsProcess, RobustListHead) {
  struct robust_list_head h {};
  h.list.next = reinterpret_cast<struct robust_list*>(kBuf);
  h.futex_offset = -32;
  auto ev = make(SYS_set_robust_list, {kBuf, sizeof h}, 0);
  capture(ev, kBuf, h);
  EXPECT_EQ(arg(ev, 0), "{list={next=0x2000}, futex_offset=-32, list_op_pending=NULL}");
  auto short_ev = make(SYS_set_robust_list, {kBuf, sizeof h}, 0);
  capture_short(short_ev, kBuf, h);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

TEST(StructsProcess, Rseq) {
  struct rseq r {};
  r.cpu_id = static_cast<uint32_t>(RSEQ_CPU_ID_UNINITIALIZED);
  auto ev = make(SYS_rseq, {kBuf, sizeof r, 0, 0x53053053}, 0);
  capture(ev, kBuf, r);
  std::string js;
  EXPECT_EQ(arg(ev, 0, false, &js),
            "{cpu_id_start=0, cpu_id=RSEQ_CPU_ID_UNINITIALIZED, rseq_cs=NULL, flags=0}");
  EXPECT_EQ(js, R"({"cpu_id_start":0,"cpu_id":"RSEQ_CPU_ID_UNINITIALIZED","rseq_cs":null,)"
                R"("flags":"0"})");
  r.cpu_id_start = 3;
  r.cpu_id = 3;
  r.rseq_cs = 0x7000;
  r.flags = RSEQ_CS_FLAG_NO_RESTART_ON_SIGNAL;
  auto ev2 = make(SYS_rseq, {kBuf, sizeof r, 0, 0x53053053}, 0);
  capture(ev2, kBuf, r);
  EXPECT_EQ(arg(ev2, 0),
            "{cpu_id_start=3, cpu_id=3, rseq_cs=0x7000, "
            "flags=RSEQ_CS_FLAG_NO_RESTART_ON_SIGNAL}");
  auto short_ev = make(SYS_rseq, {kBuf, sizeof r, 0, 0}, 0);
  capture_short(short_ev, kBuf, r);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

TEST(StructsProcess, UserDesc) {
  struct user_desc d {};
  d.entry_number = static_cast<unsigned>(-1);
  d.base_addr = 0x1000;
  d.limit = 0xfffff;
  d.seg_32bit = 1;
  d.limit_in_pages = 1;
  d.useable = 1;
  auto ev = make(SYS_set_thread_area, {kBuf}, 0);
  // As passed (entry_number -1: any free entry), and as written back (the entry taken).
  ev.before.add(kBuf, &d, sizeof d);
  struct user_desc taken = d;
  taken.entry_number = 12;
  capture(ev, kBuf, taken);
  const char* shown =
      "entry_number=-1, base_addr=0x1000, limit=0xfffff, seg_32bit=1, contents=0, "
      "read_exec_only=0, limit_in_pages=1, seg_not_present=0, useable=1";
  EXPECT_EQ(arg(ev, 0), "{" + std::string(shown) + "}");
  EXPECT_EQ(arg(ev, 0, true), "{" + std::string(shown) + ", lm=0}");
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.after[0]).rfind("{entry_number=12, base_addr=0x1000", 0), 0u)
      << text(call.after[0]);
  auto short_ev = make(SYS_set_thread_area, {kBuf}, 0);
  short_ev.before.add(kBuf, &d, sizeof d - 1);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// Capabilities

TEST(StructsProcess, CapgetCapset) {
  struct __user_cap_header_struct h {
    _LINUX_CAPABILITY_VERSION_3, 0
  };
  struct __user_cap_data_struct d[2] = {{0x1ff, 0x3ff, 0}, {0x1, 0x2, 0x4}};
  auto ev = make(SYS_capget, {kBuf, kBuf2}, 0);
  ev.before.add(kBuf, &h, sizeof(h));  // capget's header: shown as passed (the kernel may write
  capture(ev, kBuf, h);                // its own version back, shown after the result)
  capture(ev, kBuf2, d);
  std::string js;
  EXPECT_EQ(arg(ev, 0, false, &js), "{version=_LINUX_CAPABILITY_VERSION_3, pid=0}");
  EXPECT_EQ(js, R"({"version":"_LINUX_CAPABILITY_VERSION_3","pid":0})");
  EXPECT_EQ(arg(ev, 1),
            "[{effective=0x1ff, permitted=0x3ff, inheritable=0x0}, "
            "{effective=0x1, permitted=0x2, inheritable=0x4}]");

  // Version 1 has one element; an unknown version none (the kernel refuses it).
  struct __user_cap_header_struct v1 {
    _LINUX_CAPABILITY_VERSION_1, 42
  };
  auto ev1 = make(SYS_capset, {kBuf, kBuf2}, 0);
  capture(ev1, kBuf, v1);
  capture(ev1, kBuf2, d);
  EXPECT_EQ(arg(ev1, 0), "{version=_LINUX_CAPABILITY_VERSION_1, pid=42}");
  EXPECT_EQ(arg(ev1, 1), "[{effective=0x1ff, permitted=0x3ff, inheritable=0x0}]");
  struct __user_cap_header_struct bad {
    0x12345678, 0
  };
  auto evb = make(SYS_capset, {kBuf, kBuf2}, -EINVAL);
  capture(evb, kBuf, bad);
  capture(evb, kBuf2, d);
  EXPECT_EQ(arg(evb, 0), "{version=0x12345678, pid=0}");
  EXPECT_EQ(arg(evb, 1), "0x3000");
  // The header cannot be read: neither can be decoded.
  auto noh = make(SYS_capset, {kBuf, kBuf2}, 0);
  capture(noh, kBuf2, d);
  EXPECT_EQ(arg(noh, 0), "0x2000");
  EXPECT_EQ(arg(noh, 1), "0x3000");
  // Version 3 names two elements; only one captured.
  auto half = make(SYS_capset, {kBuf, kBuf2}, 0);
  capture(half, kBuf, h);
  capture(half, kBuf2, d[0]);
  EXPECT_EQ(arg(half, 1), "[{effective=0x1ff, permitted=0x3ff, inheritable=0x0}, ...]");
}

// ---------------------------------------------------------------------------------------------
// System V IPC descriptors

struct ipc_perm sample_perm(key_t key) {
  struct ipc_perm p {};
  p.__key = key;
  p.uid = 1000;
  p.gid = 100;
  p.cuid = 0;
  p.cgid = 0;
  p.mode = 0640;
  return p;
}

TEST(StructsProcess, MsqidDsByCommand) {
  struct msqid_ds m {};
  m.msg_perm = sample_perm(0x1234);
  m.msg_stime = 10;
  m.msg_rtime = 11;
  m.msg_ctime = 12;
  m.__msg_cbytes = 5;
  m.msg_qnum = 1;
  m.msg_qbytes = 16384;
  m.msg_lspid = 40;
  m.msg_lrpid = 41;
  auto ev = make(SYS_msgctl, {3, IPC_STAT, kBuf}, 0);
  capture(ev, kBuf, m);
  std::string js;
  EXPECT_EQ(arg(ev, 2, false, &js),
            "{msg_perm={key=0x1234, uid=1000, gid=100, cuid=0, cgid=0, mode=0640}, msg_qnum=1, "
            "msg_qbytes=16384, ...}");
  EXPECT_EQ(js, R"({"msg_perm":{"key":"0x1234","uid":1000,"gid":100,"cuid":0,"cgid":0,)"
                R"("mode":416},"msg_qnum":1,"msg_qbytes":16384})");
  EXPECT_EQ(arg(ev, 2, true),
            "{msg_perm={key=0x1234, uid=1000, gid=100, cuid=0, cgid=0, mode=0640}, "
            "msg_stime=10, msg_rtime=11, msg_ctime=12, msg_cbytes=5, msg_qnum=1, "
            "msg_qbytes=16384, msg_lspid=40, msg_lrpid=41}");
  // IPC_SET (with the IPC_64 bit) reads the same struct; IPC_INFO fills a msginfo.
  m.msg_perm.__key = IPC_PRIVATE;
  auto set = make(SYS_msgctl, {3, IPC_SET | 0x100, kBuf}, 0);
  capture(set, kBuf, m);
  EXPECT_EQ(arg(set, 2),
            "{msg_perm={key=IPC_PRIVATE, uid=1000, gid=100, cuid=0, cgid=0, "
            "mode=0640}, msg_qnum=1, msg_qbytes=16384, ...}");
  struct msginfo info {
    1, 2, 8192, 16384, 32000, 16, 7, 3
  };
  auto inf = make(SYS_msgctl, {0, IPC_INFO, kBuf}, 5);
  capture(inf, kBuf, info);
  EXPECT_EQ(arg(inf, 2),
            "{msgpool=1, msgmap=2, msgmax=8192, msgmnb=16384, msgmni=32000, "
            "msgssz=16, msgtql=7, msgseg=3}");
  // IPC_RMID ignores it.
  auto rm = make(SYS_msgctl, {3, IPC_RMID, 0}, 0);
  EXPECT_EQ(arg(rm, 2), "NULL");
  auto short_ev = make(SYS_msgctl, {3, IPC_STAT, kBuf}, 0);
  capture_short(short_ev, kBuf, m);
  EXPECT_EQ(arg(short_ev, 2), "0x2000");
}

TEST(StructsProcess, ShmidDsByCommand) {
  struct shmid_ds s {};
  s.shm_perm = sample_perm(IPC_PRIVATE);
  s.shm_segsz = 4096;
  s.shm_atime = 1;
  s.shm_dtime = 2;
  s.shm_ctime = 3;
  s.shm_cpid = 50;
  s.shm_lpid = 51;
  s.shm_nattch = 2;
  auto ev = make(SYS_shmctl, {7, IPC_STAT, kBuf}, 0);
  capture(ev, kBuf, s);
  EXPECT_EQ(arg(ev, 2),
            "{shm_perm={key=IPC_PRIVATE, uid=1000, gid=100, cuid=0, cgid=0, mode=0640}, "
            "shm_segsz=4096, shm_nattch=2, ...}");
  EXPECT_EQ(arg(ev, 2, true),
            "{shm_perm={key=IPC_PRIVATE, uid=1000, gid=100, cuid=0, cgid=0, mode=0640}, "
            "shm_segsz=4096, shm_atime=1, shm_dtime=2, shm_ctime=3, shm_cpid=50, shm_lpid=51, "
            "shm_nattch=2}");
  struct shminfo si {};
  si.shmmax = 1ULL << 40;
  si.shmmin = 1;
  si.shmmni = 4096;
  si.shmseg = 4096;
  si.shmall = 1ULL << 30;
  auto inf = make(SYS_shmctl, {0, IPC_INFO, kBuf}, 3);
  capture(inf, kBuf, si);
  EXPECT_EQ(arg(inf, 2),
            "{shmmax=1099511627776, shmmin=1, shmmni=4096, shmseg=4096, "
            "shmall=1073741824}");
  struct shm_info sh {};
  sh.used_ids = 2;
  sh.shm_tot = 3;
  sh.shm_rss = 4;
  auto shi = make(SYS_shmctl, {0, SHM_INFO, kBuf}, 3);
  capture(shi, kBuf, sh);
  EXPECT_EQ(arg(shi, 2),
            "{used_ids=2, shm_tot=3, shm_rss=4, shm_swp=0, swap_attempts=0, "
            "swap_successes=0}");
  auto lock = make(SYS_shmctl, {7, SHM_LOCK, kBuf}, 0);
  EXPECT_EQ(arg(lock, 2), "0x2000");
  auto short_ev = make(SYS_shmctl, {7, IPC_STAT, kBuf}, 0);
  capture_short(short_ev, kBuf, s);
  EXPECT_EQ(arg(short_ev, 2), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// kexec segments, _sysctl, perf_event_attr

TEST(StructsProcess, KexecSegments) {
  struct kexec_segment seg[2] = {
      {reinterpret_cast<void*>(0x5000), 4096, reinterpret_cast<void*>(0x100000), 8192},
      {nullptr, 0, reinterpret_cast<void*>(0x200000), 4096}};
  auto ev = make(SYS_kexec_load, {0x100000, 2, kBuf, 0}, -EPERM);
  capture(ev, kBuf, seg);
  EXPECT_EQ(arg(ev, 2),
            "[{buf=0x5000, bufsz=4096, mem=0x100000, memsz=8192}, "
            "{buf=NULL, bufsz=0, mem=0x200000, memsz=4096}]");
  auto one = make(SYS_kexec_load, {0x100000, 2, kBuf, 0}, -EPERM);
  capture(one, kBuf, seg[0]);
  EXPECT_EQ(arg(one, 2), "[{buf=0x5000, bufsz=4096, mem=0x100000, memsz=8192}, ...]");
  auto many = make(SYS_kexec_load, {0x100000, KEXEC_SEGMENT_MAX + 1, kBuf, 0}, -EINVAL);
  capture(many, kBuf, seg);
  EXPECT_EQ(arg(many, 2), "0x2000");
  auto none = make(SYS_kexec_load, {0x100000, 2, kBuf, 0}, -EPERM);
  EXPECT_EQ(arg(none, 2), "0x2000");
}

TEST(StructsProcess, SysctlArgs) {
  struct __sysctl_args a {};
  a.name = reinterpret_cast<int*>(0x5000);
  a.nlen = 2;
  a.oldlenp = reinterpret_cast<size_t*>(0x6000);
  a.oldval = reinterpret_cast<void*>(0x7000);
  auto ev = make(SYS__sysctl, {kBuf}, -ENOSYS);
  capture(ev, kBuf, a);
  EXPECT_EQ(arg(ev, 0),
            "{name=0x5000, nlen=2, oldval=0x7000, oldlenp=0x6000, newval=NULL, "
            "newlen=0}");
  auto short_ev = make(SYS__sysctl, {kBuf}, -ENOSYS);
  capture_short(short_ev, kBuf, a);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

TEST(StructsProcess, PerfEventAttrLeadingFields) {
  struct perf_event_attr a {};
  a.type = PERF_TYPE_HARDWARE;
  a.size = sizeof a;
  a.config = PERF_COUNT_HW_INSTRUCTIONS;
  auto ev = make(SYS_perf_event_open,
                 {kBuf, 0, static_cast<uint64_t>(-1), static_cast<uint64_t>(-1), 0}, 3);
  capture(ev, kBuf, a);
  std::string js;
  EXPECT_EQ(arg(ev, 0, false, &js), "{type=PERF_TYPE_HARDWARE, size=" + std::to_string(sizeof a) +
                                        ", config=PERF_COUNT_HW_INSTRUCTIONS, ...}");
  EXPECT_EQ(js, R"({"type":"PERF_TYPE_HARDWARE","size":)" + std::to_string(sizeof a) +
                    R"(,"config":"PERF_COUNT_HW_INSTRUCTIONS"})");
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_TASK_CLOCK;
  auto sw = make(SYS_perf_event_open, {kBuf, 0, 0, 0, 0}, 3);
  capture(sw, kBuf, a);
  EXPECT_EQ(arg(sw, 0), "{type=PERF_TYPE_SOFTWARE, size=" + std::to_string(sizeof a) +
                            ", config=PERF_COUNT_SW_TASK_CLOCK, ...}");
  // A raw or tracepoint config is a number only its PMU knows: hex.
  a.type = PERF_TYPE_TRACEPOINT;
  a.config = 0x1234;
  auto tp = make(SYS_perf_event_open, {kBuf, 0, 0, 0, 0}, 3);
  capture(tp, kBuf, a);
  EXPECT_EQ(arg(tp, 0), "{type=PERF_TYPE_TRACEPOINT, size=" + std::to_string(sizeof a) +
                            ", config=0x1234, ...}");
  // Only the first 16 bytes are needed; 15 are not enough.
  auto short_ev = make(SYS_perf_event_open, {kBuf, 0, 0, 0, 0}, 3);
  short_ev.captures.add(kBuf, &a, 15);
  EXPECT_EQ(arg(short_ev, 0), "0x2000");
}

}  // namespace
}  // namespace dtruss

namespace dtruss {
namespace {

TEST(StructsProcess, PselectSigAndAioSigsetPairs) {
  constexpr uint64_t kPair = 0x9000, kSet = 0xa000;
  uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
  uint64_t pair[2] = {kSet, 8};
  auto ev = unit::make(SYS_pselect6, {0, 0, 0, 0, 0, kPair}, 0);
  unit::capture(ev, kPair, pair);
  unit::capture(ev, kSet, set);
  std::string js;
  EXPECT_EQ(unit::arg(ev, 5, false, &js), "{ss=[INT TERM], ss_len=8}");
  EXPECT_EQ(js, "{\"ss\":\"[INT TERM]\",\"ss_len\":8}");
  // io_pgetevents names the fields as struct __aio_sigset does; a NULL set stays NULL.
  uint64_t none[2] = {0, 8};
  auto aio = unit::make(SYS_io_pgetevents, {1, 1, 2, 0, 0, kPair}, 0);
  unit::capture(aio, kPair, none);
  EXPECT_EQ(unit::arg(aio, 5), "{sigmask=NULL, sigsetsize=8}");
  // Unreadable: the address.
  auto bad = unit::make(SYS_pselect6, {0, 0, 0, 0, 0, kPair}, 0);
  EXPECT_EQ(unit::arg(bad, 5), "0x9000");
}

TEST(StructsProcess, NodeMasksListTheirNodes) {
  constexpr uint64_t kMask = 0xb000;
  uint64_t mask[2] = {(1ull << 0) | (1ull << 3), 1ull << 1};  // nodes 0, 3 and 65
  // set_mempolicy(MPOL_BIND, nmask, maxnode): maxnode 129 covers 128 bits.
  auto ev = unit::make(SYS_set_mempolicy, {2, kMask, 129}, 0);
  unit::capture(ev, kMask, mask);
  EXPECT_EQ(unit::arg(ev, 1), "[0, 3, 65]");
  // maxnode 65: the kernel reads 64 bits, so node 65 is not in it.
  auto small = unit::make(SYS_set_mempolicy, {2, kMask, 65}, 0);
  unit::capture(small, kMask, mask);
  EXPECT_EQ(unit::arg(small, 1), "[0, 3]");
  // migrate_pages(pid, maxnode, old, new).
  auto mig = unit::make(SYS_migrate_pages, {0, 65, kMask, kMask}, 0);
  unit::capture(mig, kMask, mask);
  EXPECT_EQ(unit::arg(mig, 2), "[0, 3]");
  EXPECT_EQ(unit::arg(mig, 3), "[0, 3]");
}

}  // namespace
}  // namespace dtruss
