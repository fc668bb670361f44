// What dtruss decodes of the process family's structs in a real trace (fixture structs_process):
// signal actions, masks and stacks, resource limits and usage, uname, sysinfo, wait statuses,
// waitid's siginfo, clone3's arguments, scheduling, CPU masks, capabilities, queued signals, and
// glibc's own set_robust_list and rseq, field by field through --json, abbreviated and with -v;
// and the same decoded structs from the ptrace and the eBPF backends.
#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

std::vector<json> trace_fixture(bool verbose, const std::string& backend = "ptrace") {
  std::vector<std::string> args = {"--json", "--backend=" + backend};
  if (verbose) args.push_back("-v");
  args.push_back(fixture("structs_process"));
  auto r = run_traced(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return json_lines(r.trace);
}

// The calls named `name` whose argument `key` is `value`.
std::vector<json> calls_with(const std::vector<json>& ev, const std::string& name, const char* key,
                             const json& value) {
  std::vector<json> out;
  for (const auto& e : syscalls(ev, name))
    if (e["args"].contains(key) && e["args"][key] == value) out.push_back(e);
  return out;
}

std::set<std::string> keys(const json& o) {
  std::set<std::string> k;
  for (auto it = o.begin(); it != o.end(); ++it) k.insert(it.key());
  return k;
}

bool is_hex(const json& v) {
  return v.is_string() && v.get<std::string>().rfind("0x", 0) == 0;
}

std::string hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

TEST(StructsProcess, SigactionSigprocmaskSigaltstack) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto sa = calls_with(ev, "rt_sigaction", "sig", "SIGUSR1");
  ASSERT_EQ(sa.size(), 1u);
  EXPECT_EQ(sa[0]["ret"], 0);
  const json& act = sa[0]["args"]["act"];
  EXPECT_EQ(keys(act), (std::set<std::string>{"sa_handler", "sa_mask", "sa_flags", "sa_restorer"}));
  EXPECT_TRUE(is_hex(act["sa_handler"])) << act.dump();
  EXPECT_EQ(act["sa_mask"], "[INT TERM]");
  EXPECT_EQ(act["sa_flags"], "SA_RESTORER|SA_RESTART");  // glibc adds its restorer
  EXPECT_TRUE(is_hex(act["sa_restorer"])) << act.dump();
  EXPECT_EQ(sa[0]["args"]["oact"],
            json({{"sa_handler", "SIG_DFL"}, {"sa_mask", "[]"}, {"sa_flags", "0"}}));
  EXPECT_EQ(sa[0]["args"]["sigsetsize"], 8);

  auto block = calls_with(ev, "rt_sigprocmask", "how", "SIG_BLOCK");
  auto setmask = calls_with(ev, "rt_sigprocmask", "how", "SIG_SETMASK");
  ASSERT_GE(block.size(), 1u);
  ASSERT_GE(setmask.size(), 2u);
  const json& b = block.back()["args"];
  EXPECT_EQ(b["nset"], "[USR2]");
  EXPECT_EQ(b["oset"], "[]");
  const json& all = setmask[setmask.size() - 2]["args"];
  EXPECT_EQ(all["nset"], "~[KILL STOP]");
  EXPECT_EQ(all["oset"], "[USR2]");
  const json& back = setmask.back()["args"];
  EXPECT_EQ(back["nset"], "[USR2]");
  EXPECT_EQ(back["oset"], "~[KILL STOP]");

  auto alt = syscalls(ev, "sigaltstack");
  ASSERT_EQ(alt.size(), 1u);
  const json& uss = alt[0]["args"]["uss"];
  EXPECT_TRUE(is_hex(uss["ss_sp"]));
  EXPECT_EQ(uss["ss_flags"], "0");
  EXPECT_EQ(uss["ss_size"], 16384);
  EXPECT_EQ(alt[0]["args"]["uoss"],
            json({{"ss_sp", nullptr}, {"ss_flags", "SS_DISABLE"}, {"ss_size", 0}}));
}

TEST(StructsProcess, ResourceLimits) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto pl = calls_with(ev, "prlimit64", "resource", "RLIMIT_NOFILE");
  ASSERT_EQ(pl.size(), 2u);
  EXPECT_EQ(pl[0]["args"]["new_rlim"], nullptr);
  const json& old = pl[0]["args"]["old_rlim"];
  ASSERT_TRUE(old.is_object()) << old.dump();
  const json& now = pl[1]["args"]["new_rlim"];
  EXPECT_EQ(now["rlim_cur"], 100);
  EXPECT_EQ(now["rlim_max"], old["rlim_max"]);
  EXPECT_EQ(pl[1]["args"]["old_rlim"], nullptr);
  auto gl = calls_with(ev, "getrlimit", "resource", "RLIMIT_NOFILE");
  ASSERT_EQ(gl.size(), 1u);
  EXPECT_EQ(gl[0]["args"]["rlim"], now);
  auto sl = calls_with(ev, "setrlimit", "resource", "RLIMIT_FSIZE");
  ASSERT_EQ(sl.size(), 1u);
  EXPECT_EQ(sl[0]["args"]["rlim"],
            json({{"rlim_cur", "RLIM_INFINITY"}, {"rlim_max", "RLIM_INFINITY"}}));
}

TEST(StructsProcess, RusageUnameSysinfoAbbreviated) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto ru = syscalls(ev, "getrusage");
  ASSERT_EQ(ru.size(), 1u);
  EXPECT_EQ(ru[0]["args"]["who"], "RUSAGE_SELF");
  const json& r = ru[0]["args"]["ru"];
  EXPECT_EQ(keys(r), (std::set<std::string>{"ru_utime", "ru_stime", "ru_maxrss"}));
  EXPECT_EQ(keys(r["ru_utime"]), (std::set<std::string>{"tv_sec", "tv_usec"}));
  EXPECT_GT(r["ru_maxrss"].get<long>(), 0);

  struct utsname own {};
  ASSERT_EQ(uname(&own), 0);
  auto un = syscalls(ev, "uname");
  ASSERT_EQ(un.size(), 1u);
  EXPECT_EQ(un[0]["args"]["name"], json({{"sysname", own.sysname}, {"nodename", own.nodename}}));

  struct sysinfo si {};
  ASSERT_EQ(sysinfo(&si), 0);
  auto sy = syscalls(ev, "sysinfo");
  ASSERT_EQ(sy.size(), 1u);
  const json& s = sy[0]["args"]["info"];
  EXPECT_EQ(keys(s), (std::set<std::string>{"uptime", "loads", "totalram", "freeram"}));
  EXPECT_EQ(s["totalram"], si.totalram);
  EXPECT_EQ(s["loads"].size(), 3u);
}

TEST(StructsProcess, RusageUnameSysinfoVerbose) {
  auto ev = trace_fixture(true);
  SCOPED_TRACE(dump(ev));
  auto ru = syscalls(ev, "getrusage");
  ASSERT_EQ(ru.size(), 1u);
  const json& r = ru[0]["args"]["ru"];
  EXPECT_EQ(r.size(), 16u) << r.dump();
  for (const char* k : {"ru_minflt", "ru_majflt", "ru_nvcsw", "ru_nivcsw", "ru_inblock"})
    EXPECT_TRUE(r[k].is_number_integer()) << k;
  EXPECT_GT(r["ru_minflt"].get<long>(), 0);

  struct utsname own {};
  ASSERT_EQ(uname(&own), 0);
  auto un = syscalls(ev, "uname");
  ASSERT_EQ(un.size(), 1u);
  EXPECT_EQ(un[0]["args"]["name"], json({{"sysname", own.sysname},
                                         {"nodename", own.nodename},
                                         {"release", own.release},
                                         {"version", own.version},
                                         {"machine", own.machine},
                                         {"domainname", own.domainname}}));

  struct sysinfo si {};
  ASSERT_EQ(sysinfo(&si), 0);
  auto sy = syscalls(ev, "sysinfo");
  ASSERT_EQ(sy.size(), 1u);
  const json& s = sy[0]["args"]["info"];
  EXPECT_EQ(s.size(), 12u) << s.dump();
  EXPECT_EQ(s["totalram"], si.totalram);
  EXPECT_EQ(s["totalswap"], si.totalswap);
  EXPECT_EQ(s["mem_unit"], si.mem_unit);
  EXPECT_GT(s["procs"].get<long>(), 0);
}

TEST(StructsProcess, WaitStatusesAndWaitid) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto w = syscalls(ev, "wait4");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0]["args"]["stat_addr"], json::array({"{WIFEXITED(s) && WEXITSTATUS(s) == 3}"}));
  EXPECT_EQ(w[0]["args"]["ru"], nullptr);
  EXPECT_EQ(w[1]["args"]["stat_addr"], json::array({"{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}"}));
  EXPECT_EQ(keys(w[1]["args"]["ru"]), (std::set<std::string>{"ru_utime", "ru_stime", "ru_maxrss"}));
  EXPECT_EQ(w[2]["args"]["stat_addr"], json::array({"{WIFEXITED(s) && WEXITSTATUS(s) == 7}"}));
  for (const auto& e : w) EXPECT_EQ(e["ret"], e["args"]["upid"]);

  auto wid = syscalls(ev, "waitid");
  ASSERT_EQ(wid.size(), 2u);
  EXPECT_EQ(wid[0]["args"]["which"], "P_PID");
  EXPECT_EQ(wid[0]["args"]["options"], "WNOHANG|WEXITED");
  EXPECT_EQ(wid[0]["args"]["infop"], json::object()) << "no child ready: the kernel zeroes it";
  EXPECT_EQ(wid[1]["args"]["options"], "WEXITED");
  EXPECT_EQ(wid[1]["args"]["infop"], json({{"si_signo", "SIGCHLD"},
                                           {"si_code", "CLD_EXITED"},
                                           {"si_pid", wid[1]["args"]["upid"]},
                                           {"si_uid", geteuid()},
                                           {"si_status", 5}}));
}

TEST(StructsProcess, Clone3) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto c = syscalls(ev, "clone3");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0]["args"]["size"], 88);
  const json& a = c[0]["args"]["uargs"];
  EXPECT_EQ(keys(a),
            (std::set<std::string>{"flags", "pidfd", "exit_signal", "stack", "stack_size"}));
  EXPECT_EQ(a["flags"], "CLONE_PIDFD");
  EXPECT_TRUE(is_hex(a["pidfd"]));
  EXPECT_EQ(a["exit_signal"], "SIGCHLD");
  EXPECT_EQ(a["stack"], nullptr);
  EXPECT_EQ(a["stack_size"], "0x0");

  auto v = trace_fixture(true);
  auto cv = syscalls(v, "clone3");
  ASSERT_EQ(cv.size(), 1u);
  const json& av = cv[0]["args"]["uargs"];
  EXPECT_EQ(av["child_tid"], nullptr);
  EXPECT_EQ(av["parent_tid"], nullptr);
  EXPECT_EQ(av["tls"], nullptr);
  EXPECT_EQ(av["set_tid"], nullptr);
  EXPECT_EQ(av["set_tid_size"], 0);
  EXPECT_EQ(av["cgroup"], 0);
}

TEST(StructsProcess, SchedulingAndAffinity) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto gp = syscalls(ev, "sched_getparam");
  ASSERT_EQ(gp.size(), 1u);
  EXPECT_EQ(gp[0]["args"]["param"], json({{"sched_priority", 0}}));
  auto ga = syscalls(ev, "sched_getattr");
  ASSERT_EQ(ga.size(), 1u);
  const json& at = ga[0]["args"]["uattr"];
  EXPECT_EQ(keys(at), (std::set<std::string>{"size", "sched_policy", "sched_flags", "sched_nice",
                                             "sched_priority", "sched_runtime", "sched_deadline",
                                             "sched_period", "sched_util_min", "sched_util_max"}));
  EXPECT_EQ(at["size"], 56);
  EXPECT_EQ(at["sched_policy"], "SCHED_OTHER");
  EXPECT_EQ(at["sched_flags"], "0");
  errno = 0;  // (the fixture inherits the suite's nice value: 0, unless it runs under nice)
  int nice_value = getpriority(PRIO_PROCESS, 0);
  ASSERT_EQ(errno, 0);
  EXPECT_EQ(at["sched_nice"], nice_value);
  EXPECT_EQ(at["sched_priority"], 0);
  EXPECT_EQ(at["sched_deadline"], 0);
  EXPECT_EQ(at["sched_period"], 0);

  cpu_set_t own;
  ASSERT_EQ(sched_getaffinity(0, sizeof own, &own), 0);
  json cpus = json::array();
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &own)) cpus.push_back(i);
  auto get = syscalls(ev, "sched_getaffinity");
  ASSERT_EQ(get.size(), 1u);
  EXPECT_EQ(get[0]["args"]["len"], 128);
  EXPECT_EQ(get[0]["args"]["user_mask_ptr"], cpus);
  auto set = syscalls(ev, "sched_setaffinity");
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0]["args"]["len"], get[0]["ret"]);
  EXPECT_EQ(set[0]["args"]["user_mask_ptr"], cpus);
}

TEST(StructsProcess, Capget) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  struct __user_cap_header_struct h {
    _LINUX_CAPABILITY_VERSION_3, 0
  };
  struct __user_cap_data_struct own[2]{};
  ASSERT_EQ(syscall(SYS_capget, &h, own), 0);
  auto cg = syscalls(ev, "capget");
  ASSERT_EQ(cg.size(), 1u);
  EXPECT_EQ(cg[0]["args"]["header"],
            json({{"version", "_LINUX_CAPABILITY_VERSION_3"}, {"pid", 0}}));
  const json& d = cg[0]["args"]["dataptr"];
  ASSERT_EQ(d.size(), 2u) << d.dump();
  for (size_t i = 0; i < 2; ++i) {
    // The fixture runs as this test does: the same user, no file capabilities.
    EXPECT_EQ(d[i]["permitted"], hex(own[i].permitted)) << i;
    EXPECT_EQ(d[i]["effective"], hex(own[i].effective)) << i;
    EXPECT_EQ(d[i]["inheritable"], hex(own[i].inheritable)) << i;
  }
}

TEST(StructsProcess, QueuedSignalsAndTheirSiginfo) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto tw = syscalls(ev, "rt_sigtimedwait");
  ASSERT_EQ(tw.size(), 2u);
  for (const auto& e : tw) {
    EXPECT_EQ(e["args"]["uthese"], "[USR2]");
    EXPECT_EQ(e["ret"], SIGUSR2);
  }
  long self = tw[0]["pid"].get<long>();
  EXPECT_EQ(tw[0]["args"]["uinfo"], json({{"si_signo", "SIGUSR2"},
                                          {"si_code", "SI_TKILL"},
                                          {"si_pid", self},
                                          {"si_uid", geteuid()}}));
  json queued = {{"si_signo", "SIGUSR2"}, {"si_code", "SI_QUEUE"}, {"si_pid", self},
                 {"si_uid", geteuid()},   {"si_int", 42},          {"si_ptr", "0x2a"}};
  EXPECT_EQ(tw[1]["args"]["uinfo"], queued);
  auto q = syscalls(ev, "rt_sigqueueinfo");
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q[0]["args"]["sig"], "SIGUSR2");
  EXPECT_EQ(q[0]["args"]["uinfo"], queued);
}

TEST(StructsProcess, GlibcRobustListAndRseq) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto rl = syscalls(ev, "set_robust_list");
  ASSERT_EQ(rl.size(), 1u);
  const json& h = rl[0]["args"]["head"];
  EXPECT_EQ(rl[0]["args"]["len"], 24);
  ASSERT_TRUE(h.is_object()) << h.dump();
  // An empty list points back at itself.
  EXPECT_TRUE(is_hex(h["list"]["next"])) << h.dump();
  EXPECT_TRUE(h["futex_offset"].is_number_integer());
  EXPECT_EQ(h["list_op_pending"], nullptr);

  auto rs = syscalls(ev, "rseq");
  ASSERT_EQ(rs.size(), 1u) << "glibc 2.35 and later register an rseq area at start";
  EXPECT_EQ(rs[0]["args"]["rseq"], json({{"cpu_id_start", 0},
                                         {"cpu_id", "RSEQ_CPU_ID_UNINITIALIZED"},
                                         {"rseq_cs", nullptr},
                                         {"flags", "0"}}));
}

TEST(StructsProcess, SysvIpcDescriptors) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  json perm = {{"key", "IPC_PRIVATE"}, {"uid", geteuid()},  {"gid", getegid()},
               {"cuid", geteuid()},    {"cgid", getegid()}, {"mode", 0600}};
  auto mq = calls_with(ev, "msgctl", "cmd", "IPC_STAT");
  ASSERT_EQ(mq.size(), 1u);
  const json& m = mq[0]["args"]["buf"];
  EXPECT_EQ(keys(m), (std::set<std::string>{"msg_perm", "msg_qnum", "msg_qbytes"}));
  EXPECT_EQ(m["msg_perm"], perm);
  EXPECT_EQ(m["msg_qnum"], 0);
  EXPECT_GT(m["msg_qbytes"].get<long>(), 0);
  auto rm = calls_with(ev, "msgctl", "cmd", "IPC_RMID");
  ASSERT_EQ(rm.size(), 1u);
  EXPECT_EQ(rm[0]["args"]["buf"], nullptr);

  auto sh = calls_with(ev, "shmctl", "cmd", "IPC_STAT");
  ASSERT_EQ(sh.size(), 1u);
  EXPECT_EQ(sh[0]["args"]["buf"],
            json({{"shm_perm", perm}, {"shm_segsz", 4096}, {"shm_nattch", 0}}));

  auto v = trace_fixture(true);
  auto shv = calls_with(v, "shmctl", "cmd", "IPC_STAT");
  ASSERT_EQ(shv.size(), 1u);
  const json& s = shv[0]["args"]["buf"];
  EXPECT_EQ(s.size(), 8u) << s.dump();
  EXPECT_EQ(s["shm_cpid"], shv[0]["pid"]);
  EXPECT_EQ(s["shm_dtime"], 0);
  auto mqv = calls_with(v, "msgctl", "cmd", "IPC_STAT");
  ASSERT_EQ(mqv.size(), 1u);
  EXPECT_EQ(mqv[0]["args"]["buf"].size(), 9u) << mqv[0]["args"]["buf"].dump();
  EXPECT_EQ(mqv[0]["args"]["buf"]["msg_lspid"], 0);
}

TEST(StructsProcess, PerfEventAttr) {
  auto ev = trace_fixture(false);
  SCOPED_TRACE(dump(ev));
  auto pe = syscalls(ev, "perf_event_open");
  ASSERT_EQ(pe.size(), 1u);
  const json& a = pe[0]["args"]["attr_uptr"];
  ASSERT_TRUE(a.is_object()) << a.dump();
  EXPECT_EQ(a["type"], "PERF_TYPE_SOFTWARE");
  EXPECT_GE(a["size"].get<long>(), 64);  // PERF_ATTR_SIZE_VER0
  EXPECT_EQ(a["config"], "PERF_COUNT_SW_TASK_CLOCK");
  EXPECT_EQ(pe[0]["args"]["flags"], "PERF_FLAG_FD_CLOEXEC");
}

// ---------------------------------------------------------------------------------------------
// Both backends: the decoded structs of these calls agree, with every number that depends on
// the run (pids, times, addresses) replaced by its kind.

const char* const kStructCalls[] = {
    "rt_sigaction",
    "rt_sigprocmask",
    "sigaltstack",
    "prlimit64",
    "getrlimit",
    "setrlimit",
    "getrusage",
    "uname",
    "sysinfo",
    "wait4",
    "waitid",
    "clone3",
    "sched_getparam",
    "sched_getattr",
    "sched_getaffinity",
    "sched_setaffinity",
    "capget",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "set_robust_list",
    "rseq",
    "msgctl",
    "shmctl",
    "perf_event_open",
};

// Run-dependent numbers: times and counters of rusage and sysinfo, pids, IPC ids and times,
// addresses.
std::string stable(const json& v, const std::string& key = "") {
  static const std::set<std::string> varying = {
      "tv_sec",       "tv_usec",  "uptime", "loads",     "freeram",   "sharedram",
      "bufferram",    "freeswap", "procs",  "si_pid",    "upid",      "pid",
      "futex_offset", "msqid",    "shmid",  "msg_ctime", "shm_ctime", "shm_cpid"};
  if (key.rfind("ru_", 0) == 0 || varying.count(key) != 0) return "#";
  if (v.is_string()) return is_hex(v) ? "<addr>" : v.get<std::string>();
  if (v.is_array() || v.is_object()) {
    std::string out = v.is_array() ? "[" : "{";
    for (auto it = v.begin(); it != v.end(); ++it)
      out += (v.is_object() ? it.key() + "=" + stable(*it, it.key()) : stable(*it)) + ",";
    return out + (v.is_array() ? "]" : "}");
  }
  return v.dump();
}

std::vector<std::string> struct_calls(const std::vector<json>& ev) {
  std::vector<std::string> out;
  for (const auto& e : syscalls(ev)) {
    std::string name = e["syscall"].get<std::string>();
    bool wanted = false;
    for (const char* n : kStructCalls) wanted = wanted || name == n;
    if (wanted) out.push_back(name + stable(e["args"]) + " = " + stable(e["ret"], "upid"));
  }
  return out;
}

void expect_backends_agree(bool verbose) {
  if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
    const char* allow = std::getenv("DTRUSS_TEST_ALLOW_NO_BPF");
    if (allow != nullptr && std::string(allow) == "1") GTEST_SKIP() << "no eBPF here";
    FAIL() << "the eBPF backend needs root and kernel BTF; DTRUSS_TEST_ALLOW_NO_BPF=1 skips";
  }
  auto p = struct_calls(trace_fixture(verbose, "ptrace"));
  auto b = struct_calls(trace_fixture(verbose, "bpf"));
  ASSERT_GE(p.size(), 30u);
  ASSERT_EQ(p.size(), b.size());
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i], b[i]) << "call " << i;
}

TEST(StructsProcess, BackendsAgreeAbbreviated) {
  expect_backends_agree(false);
}
TEST(StructsProcess, BackendsAgreeVerbose) {
  expect_backends_agree(true);
}

}  // namespace
}  // namespace e2e
