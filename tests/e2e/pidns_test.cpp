// --pidns-translation (strace's; also --decode-pids=pidns) on both backends: a program in its own
// PID namespace (unshare --pid --fork --mount-proc) sees PIDs that are not the host's. The line's
// prefix keeps the host PID/TID; each PID argument and result, and a signal's sender, shows as the
// program saw it with the host's beside it (JSON: {"ns":…,"host":…}, and ns_pid/ns_tid of the
// thread). The host PIDs are known from the trace's own prefixes, the program's from what it
// prints.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using nlohmann::json;

class PidNamespace : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_EQ(geteuid(), 0u) << "unshare --pid needs root";
    ASSERT_TRUE(e2e::have_program("unshare")) << "util-linux's unshare is needed";
  }
  // dtruss's run of pidns_calls in a new PID namespace, with `extra` options; ns_parent and
  // ns_child get what the program printed (its PID and its child's, as it saw them).
  e2e::Result traced(std::vector<std::string> extra) {
    std::vector<std::string> args = {backend(), "-f"};
    args.insert(args.end(), extra.begin(), extra.end());
    for (const char* a : {"unshare", "--pid", "--fork", "--mount-proc"}) args.push_back(a);
    args.push_back(fixture("pidns_calls"));
    args.push_back("pids");
    e2e::Result r = e2e::run_traced(args);
    EXPECT_EQ(r.status, 0) << r.err;
    std::istringstream printed(r.out);
    printed >> ns_parent >> ns_child;
    EXPECT_GT(ns_parent, 0) << r.out;
    EXPECT_GT(ns_child, 0) << r.out;
    return r;
  }
  int ns_parent = 0;
  int ns_child = 0;
};

INSTANTIATE_BACKENDS(PidNamespace);

// The fixture's calls named `name` that returned `ret`.
std::vector<json> returning(const std::vector<json>& events, const std::string& name, int ret) {
  std::vector<json> out;
  for (const auto& e : e2e::syscalls(events, name))
    if (e["comm"] == "pidns_calls" && e["ret"] == ret) out.push_back(e);
  return out;
}

// The parent's and the child's getpid, each made once (else false), told apart by what they
// returned (their PIDs in the namespace).
bool getpids(const std::vector<json>& events, int ns_parent, int ns_child, json* parent,
             json* child) {
  auto p = returning(events, "getpid", ns_parent), c = returning(events, "getpid", ns_child);
  if (p.size() != 1 || c.size() != 1) return false;
  *parent = p[0];
  *child = c[0];
  return true;
}

json ns_host(int ns, int host) {
  return json{{"ns", ns}, {"host", host}};
}

TEST_P(PidNamespace, PidsShowAsTheProgramSawThemWithTheHostsBeside) {
  auto r = traced({"--json", "--pidns-translation"});
  auto events = e2e::json_lines(r.trace);
  std::string all = e2e::dump(events);
  // The parent's getpid and the child's tell each one's host PID (the prefix).
  json parent_getpid, child_getpid;
  ASSERT_TRUE(getpids(events, ns_parent, ns_child, &parent_getpid, &child_getpid)) << all;
  int host_parent = parent_getpid["pid"];
  int host_child = child_getpid["pid"];
  EXPECT_NE(host_parent, ns_parent);  // (another namespace: the numbers differ)
  EXPECT_NE(host_child, ns_child);
  EXPECT_EQ(parent_getpid["ret_pid"], ns_host(ns_parent, host_parent)) << all;
  EXPECT_EQ(child_getpid["ret_pid"], ns_host(ns_child, host_child)) << all;
  // The thread's own IDs in its namespace, beside the host's.
  EXPECT_EQ(parent_getpid["ns_pid"], ns_parent);
  EXPECT_EQ(parent_getpid["ns_tid"], ns_parent);
  EXPECT_EQ(child_getpid["ns_pid"], ns_child);
  auto gettid = returning(events, "gettid", ns_parent);
  ASSERT_EQ(gettid.size(), 1u) << all;
  EXPECT_EQ(gettid[0]["ret_pid"], ns_host(ns_parent, host_parent));
  // The fork's result is the child, as both see it.
  std::vector<json> forks = returning(events, "clone", ns_child);
  for (const auto& e : returning(events, "clone3", ns_child)) forks.push_back(e);
  ASSERT_EQ(forks.size(), 1u) << all;
  EXPECT_EQ(forks[0]["ret_pid"], ns_host(ns_child, host_child));
  // The child's parent; the parent's own parent is outside its namespace: 0, nothing beside.
  auto child_getppid = returning(events, "getppid", ns_parent);
  ASSERT_EQ(child_getppid.size(), 1u) << all;
  EXPECT_EQ(child_getppid[0]["ret_pid"], ns_host(ns_parent, host_parent));
  auto parent_getppid = returning(events, "getppid", 0);
  ASSERT_EQ(parent_getppid.size(), 1u) << all;
  EXPECT_FALSE(parent_getppid[0].contains("ret_pid")) << parent_getppid[0].dump();
  // PID arguments: kill's (a process group, then a process), wait4's.
  auto kills = returning(events, "kill", 0);
  ASSERT_EQ(kills.size(), 2u) << all;
  EXPECT_EQ(kills[0]["args"]["pid"], ns_host(-ns_child, -host_child));
  EXPECT_EQ(kills[1]["args"]["pid"], ns_host(ns_child, host_child));
  auto wait = returning(events, "wait4", ns_child);
  ASSERT_EQ(wait.size(), 1u) << all;
  EXPECT_EQ(wait[0]["args"]["upid"], ns_host(ns_child, host_child));
  EXPECT_EQ(wait[0]["ret_pid"], ns_host(ns_child, host_child));
  // The SIGCHLD's sender.
  bool sigchld = false;
  for (const auto& s : e2e::of_type(events, "signal")) {
    if (s["signal"] != "SIGCHLD" || s["pid"] != host_parent) continue;
    sigchld = true;
    EXPECT_EQ(s["siginfo"]["si_pid"], ns_host(ns_child, host_child)) << s.dump();
  }
  EXPECT_TRUE(sigchld) << all;
}

// A signal's line tells the IDs of the thread it is delivered to in its namespace too, as a
// call's does: the parent's SIGCHLD, and what the parent sent its child.
TEST_P(PidNamespace, SignalsHaveTheThreadsNamespaceIds) {
  auto r = traced({"--json", "--pidns-translation"});
  auto events = e2e::json_lines(r.trace);
  std::string all = e2e::dump(events);
  json parent_getpid, child_getpid;
  ASSERT_TRUE(getpids(events, ns_parent, ns_child, &parent_getpid, &child_getpid)) << all;
  std::map<int, int> ns_of = {{parent_getpid["pid"], ns_parent}, {child_getpid["pid"], ns_child}};
  size_t seen = 0;
  for (const auto& s : e2e::of_type(events, "signal")) {
    auto it = ns_of.find(s["pid"]);
    if (it == ns_of.end()) continue;
    ++seen;
    EXPECT_EQ(s.value("ns_pid", 0), it->second) << s.dump();
    EXPECT_EQ(s.value("ns_tid", 0), it->second) << s.dump();
  }
  EXPECT_GE(seen, 2u) << all;  // (the parent's SIGCHLD, the child's signal)
}

TEST_P(PidNamespace, TextSaysTheHostPidInAComment) {
  for (const char* opt : {"--pidns-translation", "--decode-pids=pidns"}) {
    SCOPED_TRACE(opt);
    auto r = traced({"-l", opt});
    // (the prefix holds the host PID/TID; the result the program's, then the host's)
    std::string want = "getpid()\t\t = " + std::to_string(ns_parent) + " /* ";
    size_t at = r.trace.find(want);
    ASSERT_NE(at, std::string::npos) << r.trace;
    size_t line = r.trace.rfind('\n', at) + 1;
    int host = std::stoi(r.trace.substr(line, r.trace.find('/', line) - line));
    EXPECT_NE(r.trace.find(want + std::to_string(host) + " in dtruss's PID namespace */\n"),
              std::string::npos)
        << r.trace;
    EXPECT_NE(r.trace.find("kill(" + std::to_string(ns_child) + " /* "), std::string::npos)
        << r.trace;
  }
}

TEST_P(PidNamespace, WithoutTheOptionPidsAreAsTheProgramSawThemAlone) {
  auto r = traced({"--json"});
  auto events = e2e::json_lines(r.trace);
  auto parent_getpid = returning(events, "getpid", ns_parent);
  ASSERT_EQ(parent_getpid.size(), 1u) << r.trace;
  EXPECT_FALSE(parent_getpid[0].contains("ret_pid"));
  EXPECT_FALSE(parent_getpid[0].contains("ns_pid"));
  EXPECT_EQ(r.trace.find("\"host\""), std::string::npos);
}

}  // namespace
