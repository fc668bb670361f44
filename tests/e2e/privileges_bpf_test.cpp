// Who may be traced: with CAP_BPF and CAP_PERFMON but not CAP_SYS_PTRACE, the eBPF backend
// traces only what its user could ptrace (the kernel's rules: the same uids and gids, dumpable,
// no capabilities beyond its own); with CAP_SYS_PTRACE (root) everything, as before.
// Registered for both backends like every e2e test: the ptrace backend follows the kernel's rules
// by construction (they are its rules), and each case says what it does there. The tests need
// root (they switch users); they fail, with a message, when not root.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

bool ptrace_backend() {
  const char* b = std::getenv("DTRUSS_BACKEND");
  return b != nullptr && std::string(b) == "ptrace";
}

// setpriv (util-linux) as the user nobody, with no groups...
const std::vector<std::string> kAsNobody = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup",
                                            "--clear-groups"};
// ... and with exactly CAP_BPF and CAP_PERFMON (ambient: they survive setpriv's exec of dtruss).
const std::vector<std::string> kBpfCaps = {"--inh-caps=+bpf,+perfmon",
                                           "--ambient-caps=+bpf,+perfmon"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A directory nobody can enter and read (the build tree may not be: a clone under /root), with
// copies of dtruss and the fixtures; and one nobody can write the trace to.
struct Place {
  std::string dir;
  std::string out;
  std::string dtruss;
  std::string trace;

  Place() {
    dir = e2e::temp_dir();
    chmod(dir.c_str(), 0755);
    out = e2e::temp_dir();
    chmod(out.c_str(), 0777);
    trace = out + "/trace";
    dtruss = copy(e2e::dtruss_bin(), "dtruss");
  }
  std::string copy(const std::string& from, const std::string& name) const {
    std::string to = dir + "/" + name;
    std::filesystem::copy_file(from, to);
    chmod(to.c_str(), 0755);
    return to;
  }
  // dtruss as nobody with CAP_BPF and CAP_PERFMON, and these arguments.
  std::vector<std::string> dtruss_as_user(const std::vector<std::string>& args) const {
    return concat(concat(concat(kAsNobody, kBpfCaps), {dtruss}), args);
  }
};

#define REQUIRE_ROOT_TO_SWITCH_USERS()                                    \
  if (geteuid() != 0)                                                     \
  FAIL() << "this test needs root (it switches users): run the suite as " \
            "root, as `make test` on the CI machine does"

// A process that runs for a minute (killed by the guard), spawned as root or as nobody.
pid_t start(const std::vector<std::string>& argv, bool as_nobody, const std::string& out = "") {
  pid_t pid = e2e::spawn(as_nobody ? concat(kAsNobody, argv) : argv, out, "");
  EXPECT_GT(pid, 0) << argv[0];
  // As nobody, it runs once setpriv has exec'd it (its name, the program's, is set at the exec).
  std::string name = std::filesystem::path(argv[0]).filename().string().substr(0, 15);
  uint64_t deadline = e2e::now_ms() + 10000;
  while (e2e::read_file("/proc/" + std::to_string(pid) + "/comm") != name + "\n" &&
         e2e::now_ms() < deadline)
    usleep(5000);
  return pid;
}

std::set<int> pids_of(const std::vector<nlohmann::json>& calls) {
  std::set<int> out;
  for (const auto& c : calls) out.insert(c["pid"].get<int>());
  return out;
}

std::string notices(const std::vector<nlohmann::json>& events) {
  std::string out;
  for (const auto& n : of_type(events, "notice")) out += n["text"].get<std::string>() + "\n";
  return out;
}

// Stops a dtruss that runs until Ctrl-C, and waits for it; its exit status (-1: it did not end).
int interrupt(pid_t pid) {
  kill(pid, SIGINT);
  int status = e2e::wait_for(pid, 20000);
  if (status == -1) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(PrivilegesBpf, AllIsRefusedWithoutPtraceCapability) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  auto r = run(p.dtruss_as_user({"--output", p.trace, "--all"}), 20);
  EXPECT_EQ(r.status, 2) << r.err;
  if (ptrace_backend())
    EXPECT_EQ(r.err, "dtruss: --all needs the eBPF backend\n");
  else
    EXPECT_EQ(r.err,
              "dtruss: --all traces every user's processes, which needs CAP_SYS_PTRACE (root): "
              "with CAP_BPF and CAP_PERFMON alone dtruss traces only the processes you could "
              "ptrace (a command, -p, -n)\n");
  EXPECT_FALSE(std::filesystem::exists(p.trace)) << "nothing traced, no trace file left behind";
}

TEST(PrivilegesBpf, AttachingToARootProcessIsRefused) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  e2e::ChildGuard root{start({p.copy(e2e::fixture("sleeper"), "sleeper"), "60"}, false)};
  auto r = run(p.dtruss_as_user({"--output", p.trace, "-p", std::to_string(root.pid)}), 20);
  EXPECT_EQ(r.status, 2) << r.err;
  std::string pid = std::to_string(root.pid);
  if (ptrace_backend())
    EXPECT_NE(r.err.find("cannot attach to PID " + pid + ": Operation not permitted"),
              std::string::npos)
        << r.err;
  else
    EXPECT_EQ(r.err, "dtruss: cannot trace PID " + pid +
                         " (sleeper): it runs as another user (real/effective/saved uid 0/0/0); "
                         "without CAP_SYS_PTRACE (root), dtruss traces only the processes you "
                         "could ptrace\n");
  EXPECT_FALSE(std::filesystem::exists(p.trace));
}

// The user's own process that made itself not dumpable (as ssh-agent does): not the user's to
// inspect either.
TEST(PrivilegesBpf, AttachingToAnUndumpableProcessOfTheUserIsRefused) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  std::string ready = p.out + "/ready";
  e2e::ChildGuard own{start({p.copy(e2e::fixture("undumpable"), "undumpable"), "60"}, true, ready)};
  ASSERT_TRUE(e2e::wait_for_text(ready, "ready\n"));
  std::string pid = std::to_string(own.pid);
  auto r = run(p.dtruss_as_user({"--output", p.trace, "-p", pid}), 20);
  EXPECT_EQ(r.status, 2) << r.err;
  if (ptrace_backend())
    EXPECT_NE(r.err.find("cannot attach to PID " + pid + ": Operation not permitted"),
              std::string::npos)
        << r.err;
  else
    EXPECT_EQ(r.err, "dtruss: cannot trace PID " + pid +
                         " (undumpable): it is not dumpable (it changed its credentials, or asked "
                         "not to be inspected); without CAP_SYS_PTRACE (root), dtruss traces only "
                         "the processes you could ptrace\n");
}

TEST(PrivilegesBpf, AttachingToTheUsersOwnProcessTraces) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  e2e::ChildGuard own{start({p.copy(e2e::fixture("sleeper"), "sleeper"), "60"}, true)};
  int own_pid = own.pid;
  e2e::ChildGuard dt{e2e::spawn(p.dtruss_as_user({"--json", "-t", "getppid", "--output", p.trace,
                                                  "-p", std::to_string(own_pid)}),
                                "", p.out + "/err")};
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"getppid\"")) << e2e::read_file(p.out + "/err");
  kill(own.pid, SIGKILL);  // the traced process ends, and so does the trace
  waitpid(own.pid, nullptr, 0);
  own.pid = -1;
  int status = e2e::wait_for(dt.pid, 20000);
  ASSERT_NE(status, -1) << "dtruss went on after its process ended";
  dt.pid = -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << e2e::read_file(p.out + "/err");
  auto calls = syscalls(json_lines(e2e::read_file(p.trace)), "getppid");
  EXPECT_FALSE(calls.empty());
  EXPECT_EQ(pids_of(calls), std::set<int>{own_pid});
}

// A traced process that made itself not dumpable forks: eBPF does not follow the child (not
// the user's to trace any more), and says so; ptrace's -f follows it (a tracer keeps what it had).
TEST(PrivilegesBpf, UndumpableChildOfATracedCommandIsNotFollowed) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  std::string prog = p.copy(e2e::fixture("undumpable"), "undumpable");
  auto r = run(
      p.dtruss_as_user({"--json", "--output", p.trace, "-f", "-t", "getppid", prog, "0", "fork"}));
  EXPECT_EQ(r.status, 0) << r.err;
  auto events = json_lines(e2e::read_file(p.trace));
  auto calls = syscalls(events, "getppid");  // the child's one call
  if (ptrace_backend()) {
    EXPECT_EQ(calls.size(), 1u) << e2e::read_file(p.trace);
    return;
  }
  EXPECT_TRUE(calls.empty()) << e2e::read_file(p.trace);
  std::string told = notices(events);
  EXPECT_NE(told.find("), forked by traced process "), std::string::npos) << told;
  EXPECT_NE(told.find(", is not traced: it is not dumpable (it changed its credentials, or asked "
                      "not to be inspected), and tracing it needs CAP_SYS_PTRACE (root)\n"),
            std::string::npos)
      << told;
}

// -n NAME with processes of that name of root and of the user, running and started later: only
// the user's are traced, and dtruss says once which it left alone (the running ones at the start,
// the later ones at the end). With ptrace, -n attaches to the running ones: root's is refused.
TEST(PrivilegesBpf, NameTracesOnlyTheUsersProcesses) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  std::string name = "dtpriv" + std::to_string(getpid() % 100000);
  std::string prog = p.copy(e2e::fixture("sleeper"), name);
  e2e::ChildGuard root1{start({prog, "60"}, false)};
  e2e::ChildGuard user1{start({prog, "60"}, true)};
  if (ptrace_backend()) {
    auto r = run(p.dtruss_as_user({"--output", p.trace, "-n", name}), 20);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("cannot attach to PID " + std::to_string(root1.pid)), std::string::npos)
        << r.err;
    return;
  }
  std::string err = p.out + "/err";
  e2e::ChildGuard dt{e2e::spawn(
      p.dtruss_as_user({"--json", "-t", "getppid", "--output", p.trace, "-n", name}), "", err)};
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "skipped 1 process named")) << e2e::read_file(err);
  // Later ones: root's is met at its exec (before spawn returns), the user's traced from there.
  e2e::ChildGuard root2{start({prog, "60"}, false)};
  e2e::ChildGuard user2{start({prog, "60"}, true)};
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"pid\":" + std::to_string(user2.pid) + ","));
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"pid\":" + std::to_string(user1.pid) + ","));
  int status = interrupt(dt.pid);
  dt.pid = -1;
  EXPECT_EQ(status, 0) << e2e::read_file(err);
  auto events = json_lines(e2e::read_file(p.trace));
  EXPECT_EQ(pids_of(syscalls(events, "getppid")),
            (std::set<int>{static_cast<int>(user1.pid), static_cast<int>(user2.pid)}));
  std::string told = notices(events);
  EXPECT_NE(told.find("skipped 1 process named '" + name + "': you could not ptrace it (PID " +
                      std::to_string(root1.pid) +
                      ": it runs as another user), and tracing it needs CAP_SYS_PTRACE (root)\n"),
            std::string::npos)
      << told;
  EXPECT_NE(
      told.find("skipped 1 more process named '" + name +
                "' that started later: you could not ptrace it (PID " + std::to_string(root2.pid) +
                ": it runs as another user (euid 0)), and tracing it needs CAP_SYS_PTRACE "
                "(root)\n"),
      std::string::npos)
      << told;
}

// A secret that only root may read, and a set-user-ID-root program that reads it and says how
// many bytes it read (never what).
struct Secret {
  std::string file;
  std::string text;
  std::string reader;
  explicit Secret(const Place& p) {
    std::random_device rd;
    text = "TOPSECRET-" + std::to_string(rd()) + "\n";
    file = p.dir + "/secret";
    { std::ofstream(file) << text; }
    chmod(file.c_str(), 0600);
    reader = p.copy(e2e::fixture("secret_reader"), "secret_reader");
    EXPECT_EQ(chown(reader.c_str(), 0, 0), 0);
    EXPECT_EQ(chmod(reader.c_str(), 04755), 0);
  }
  std::string read_line() const { return "read " + std::to_string(text.size()) + " bytes\n"; }
};

std::string untraced_notice(const Secret& s) {
  return " (secret_reader) runs with other credentials from its exec of '" + s.reader +
         "': it runs as another user (euid 0); no longer traced (that needs CAP_SYS_PTRACE "
         "(root))";
}

// -f: the traced shell runs a set-user-ID program. eBPF: it runs with its privileges, so its
// trace stops at its exec (what it reads never shows); ptrace: the kernel runs it without them.
TEST(PrivilegesBpf, SetuidProgramOfATracedCommandIsNotTracedFromItsExec) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  Secret s(p);
  auto r = run(p.dtruss_as_user({"--json", "--output", p.trace, "-f", "/bin/sh", "-c",
                                 s.reader + " " + s.file + "; echo done"}));
  EXPECT_EQ(r.status, 0) << r.err;
  std::string trace = e2e::read_file(p.trace);
  EXPECT_EQ(trace.find("TOPSECRET"), std::string::npos) << trace;
  auto events = json_lines(trace);
  auto calls = syscalls(events);
  // The shell is traced to its end: what it does after the program is there.
  e2e::only_call(calls, "write", "buf", "done\n");
  auto opens = e2e::calls_where(calls, "openat", "filename", s.file);
  if (ptrace_backend()) {
    EXPECT_EQ(r.out, "cannot open: Permission denied\ndone\n");
    ASSERT_EQ(opens.size(), 1u) << trace;
    EXPECT_EQ(opens[0]["errno"], "EACCES");
  } else {
    EXPECT_EQ(r.out, s.read_line() + "done\n");
    EXPECT_TRUE(opens.empty()) << trace;
    EXPECT_NE(notices(events).find(untraced_notice(s)), std::string::npos) << trace;
  }
}

// The command itself is set-user-ID.
TEST(PrivilegesBpf, SetuidCommandIsNotTracedFromItsExec) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  Secret s(p);
  auto r = run(p.dtruss_as_user({"--json", "--output", p.trace, s.reader, s.file}));
  std::string trace = e2e::read_file(p.trace);
  EXPECT_EQ(trace.find("TOPSECRET"), std::string::npos) << trace;
  auto events = json_lines(trace);
  if (ptrace_backend()) {
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.out, "cannot open: Permission denied\n");
    EXPECT_EQ(e2e::calls_where(syscalls(events), "openat", "filename", s.file).size(), 1u);
  } else {
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, s.read_line());
    EXPECT_TRUE(syscalls(events).empty()) << trace;
    EXPECT_NE(notices(events).find(untraced_notice(s)), std::string::npos) << trace;
  }
}

// With CAP_SYS_PTRACE (root) nothing changes: another user's process, a process of any user by
// name, a set-user-ID program run by the traced command are all traced.
TEST(PrivilegesBpf, RootTracesAnotherUsersProcess) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  e2e::ChildGuard other{start({p.copy(e2e::fixture("sleeper"), "sleeper"), "60"}, true)};
  int other_pid = other.pid;
  e2e::ChildGuard dt{e2e::spawn({e2e::dtruss_bin(), "--json", "-t", "getppid", "--output", p.trace,
                                 "-p", std::to_string(other_pid)},
                                "", p.out + "/err")};
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"getppid\"")) << e2e::read_file(p.out + "/err");
  int status = interrupt(dt.pid);
  dt.pid = -1;
  EXPECT_EQ(status, 0) << e2e::read_file(p.out + "/err");
  EXPECT_EQ(pids_of(syscalls(json_lines(e2e::read_file(p.trace)), "getppid")),
            std::set<int>{other_pid});
}

TEST(PrivilegesBpf, RootTracesEveryProcessWithAll) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  e2e::ChildGuard other{start({p.copy(e2e::fixture("sleeper"), "sleeper"), "60"}, true)};
  std::string err = p.out + "/err";
  if (ptrace_backend()) {  // (--all is eBPF's alone)
    auto r = e2e::run_dtruss({"--output", p.trace, "--all"}, 20);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "dtruss: --all needs the eBPF backend\n");
    return;
  }
  e2e::ChildGuard dt{e2e::spawn(
      {e2e::dtruss_bin(), "--json", "-t", "getppid", "--output", p.trace, "--all"}, "", err)};
  // nobody's process is among them
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"pid\":" + std::to_string(other.pid) + ","))
      << e2e::read_file(err);
  int status = interrupt(dt.pid);
  dt.pid = -1;
  EXPECT_EQ(status, 0) << e2e::read_file(err);
}

TEST(PrivilegesBpf, RootTracesEveryUsersProcessesByName) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  std::string name = "dtprivr" + std::to_string(getpid() % 100000);
  std::string prog = p.copy(e2e::fixture("sleeper"), name);
  e2e::ChildGuard root1{start({prog, "60"}, false)};
  e2e::ChildGuard user1{start({prog, "60"}, true)};
  std::string err = p.out + "/err";
  e2e::ChildGuard dt{e2e::spawn(
      {e2e::dtruss_bin(), "--json", "-t", "getppid", "--output", p.trace, "-n", name}, "", err)};
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"pid\":" + std::to_string(root1.pid) + ","))
      << e2e::read_file(err);
  ASSERT_TRUE(e2e::wait_for_text(p.trace, "\"pid\":" + std::to_string(user1.pid) + ","))
      << e2e::read_file(err);
  int status = interrupt(dt.pid);
  dt.pid = -1;
  EXPECT_EQ(status, 0) << e2e::read_file(err);
  EXPECT_EQ(notices(json_lines(e2e::read_file(p.trace))).find("skipped"), std::string::npos);
}

TEST(PrivilegesBpf, RootTracesASetuidProgramOfATracedCommand) {
  REQUIRE_ROOT_TO_SWITCH_USERS();
  Place p;
  Secret s(p);
  // The command runs as nobody; the program it runs is set-user-ID root and reads the secret.
  auto r = e2e::run_traced(
      {"--json", "-f", "-u", "nobody", "/bin/sh", "-c", s.reader + " " + s.file + "; echo done"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, s.read_line() + "done\n");
  auto events = json_lines(r.trace);
  e2e::only_call(syscalls(events), "openat", "filename", s.file);
  EXPECT_NE(r.trace.find("TOPSECRET"), std::string::npos) << "root sees what it reads";
  EXPECT_EQ(notices(events).find("no longer traced"), std::string::npos) << r.trace;
}

}  // namespace
}  // namespace e2e
