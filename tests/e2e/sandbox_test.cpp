// A process's own sandbox on a real traced program (tests/fixtures/pointer_args.c) and on both
// backends: seccomp's uargs by op, landlock's rule_attr by rule type. The eBPF backend decodes
// only what its capture plan copied. And the calls a seccomp filter refuses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void check_security(const std::vector<json>& all) {
  auto avail = calls_where(all, "seccomp", "op", "SECCOMP_GET_ACTION_AVAIL");
  ASSERT_EQ(avail.size(), 1u);
  EXPECT_EQ(avail[0]["args"]["uargs"], json::parse(R"(["SECCOMP_RET_LOG"])"));
  auto sizes = calls_where(all, "seccomp", "op", "SECCOMP_GET_NOTIF_SIZES");
  ASSERT_EQ(sizes.size(), 1u);
  const json s = sizes[0]["args"]["uargs"];
  ASSERT_TRUE(s.is_object()) << s;
  EXPECT_GT(s["seccomp_notif"].get<int>(), 0);
  EXPECT_GT(s["seccomp_notif_resp"].get<int>(), 0);
  EXPECT_EQ(s["seccomp_data"], 64) << "struct seccomp_data is 64 bytes";
  auto filter = calls_where(all, "seccomp", "op", "SECCOMP_SET_MODE_FILTER");
  ASSERT_EQ(filter.size(), 1u);
  EXPECT_EQ(filter[0]["args"]["uargs"]["len"], 1);
  EXPECT_EQ(filter[0]["args"]["uargs"]["filter"].get<std::string>().substr(0, 2), "0x");

  auto path = calls_where(all, "landlock_add_rule", "rule_type", "LANDLOCK_RULE_PATH_BENEATH");
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0]["args"]["rule_attr"]["allowed_access"], "LANDLOCK_ACCESS_FS_READ_FILE");
  EXPECT_GE(path[0]["args"]["rule_attr"]["parent_fd"].get<int>(), 3);
  auto port = calls_where(all, "landlock_add_rule", "rule_type", "LANDLOCK_RULE_NET_PORT");
  ASSERT_EQ(port.size(), 1u);
  EXPECT_EQ(port[0]["args"]["rule_attr"],
            json::parse(R"({"allowed_access":"LANDLOCK_ACCESS_NET_BIND_TCP","port":8080})"));
}

class Sandbox : public BackendTest {};

TEST_P(Sandbox, SeccompAndLandlock) {
  const auto all = fixture_calls(GetParam(), "pointer_args");
  check_security(all);
}

// Calls a seccomp filter answers without running them (SECCOMP_RET_ERRNO, as container profiles
// do): the kernel skips their entry tracepoint, and both backends show each all the same, with
// its arguments, errno, -P's verdict and stack (tests/fixtures/seccomp_errno.c).
constexpr const char* kDenied = "/dtruss-seccomp-errno/denied";
constexpr const char* kDeniedOpen = "/dtruss-seccomp-errno/denied-open";

TEST_P(Sandbox, CallsASeccompFilterAnswersAreShown) {
  const auto all = fixture_calls(GetParam(), "seccomp_errno");
  const json mk = only(all, "mkdir");
  EXPECT_EQ(text_arg(mk, "pathname"), kDenied) << dump(all);
  EXPECT_EQ(mk["args"]["mode"], 0750);
  EXPECT_EQ(mk["errno"], "EPERM");
  EXPECT_EQ(only_call(all, "openat", "filename", kDeniedOpen)["errno"], "EACCES");
  const json c3 = only(all, "clone3");
  EXPECT_EQ(c3["errno"], "ENOSYS");
  EXPECT_EQ(c3["args"]["size"], 0);
  // The calls the filter lets run are shown once each, after them.
  EXPECT_EQ(only(all, "getppid")["ret"].get<long>() > 0, true);
  EXPECT_EQ(syscalls(all, "exit_group").size(), 1u);
}

TEST_P(Sandbox, SeccompAnsweredCallsAreFilteredAndStacked) {
  const auto failed = fixture_calls(GetParam(), "seccomp_errno", {"-Z"});
  EXPECT_EQ(only(failed, "mkdir")["errno"], "EPERM") << dump(failed);
  EXPECT_EQ(only(failed, "clone3")["errno"], "ENOSYS");
  EXPECT_TRUE(syscalls(failed, "getppid").empty());

  const auto on_path = fixture_calls(GetParam(), "seccomp_errno", {"-P", kDenied, "-s"});
  ASSERT_EQ(syscalls(on_path).size(), 1u) << dump(on_path);
  const json mk = only(on_path, "mkdir");
  EXPECT_EQ(text_arg(mk, "pathname"), kDenied);
  bool in_main = false;
  for (const json& f : mk["stack"])
    if (f.value("symbol", "") == "main" && f.value("module", "") == "seccomp_errno") in_main = true;
  EXPECT_TRUE(in_main) << mk.dump();
}

// --summary counts them, as -c does (on eBPF the kernel counts, with its own pair of programs).
TEST_P(Sandbox, SeccompAnsweredCallsAreCounted) {
  for (const char* mode : {"--summary", "-c"}) {
    Result r = run_traced({backend(), mode, fixture("seccomp_errno")});
    ASSERT_EQ(r.status, 0) << r.err;
    const auto rows = summary_rows(r.trace.substr(r.trace.find("CALL")));
    using Row = std::pair<long, long>;  // calls, errors
    EXPECT_EQ(rows.at("mkdir"), (Row{1, 1})) << mode << "\n" << r.trace;
    EXPECT_EQ(rows.at("clone3"), (Row{1, 1})) << mode << "\n" << r.trace;
    EXPECT_EQ(rows.at("openat").second, 1) << mode << "\n" << r.trace;
  }
}

// -t on a command: the ptrace backend stops only the listed calls (its own seccomp filter's
// SECCOMP_RET_TRACE), which a filter of the program's own that answers them overrides.
TEST_P(Sandbox, ListedCallsAProgramsOwnFilterAnswersAreShown) {
  const auto listed = fixture_calls(GetParam(), "seccomp_errno", {"-t", "mkdir,clone3"});
  ASSERT_EQ(syscalls(listed).size(), 2u) << dump(listed);
  EXPECT_EQ(only(listed, "mkdir")["errno"], "EPERM");
  EXPECT_EQ(only(listed, "clone3")["errno"], "ENOSYS");
}

// And dtruss itself run under a filter (a container's), which the command inherits.
TEST_P(Sandbox, ListedCallsAContainersFilterAnswersAreShown) {
  Result r = run({fixture("seccomp_errno"), "--exec", dtruss_bin(), "--backend=" + GetParam(),
                  "--json", "-t", "mkdir", "/bin/mkdir", kDenied});
  EXPECT_EQ(r.status, 1) << r.err;  // (mkdir's own: it could not)
  std::string trace;                // (mkdir's own message is on standard error too)
  for (const std::string& line : lines(r.err))
    if (line.rfind("{", 0) == 0) trace += line + "\n";
  const auto calls = syscalls(json_lines(trace));
  ASSERT_EQ(calls.size(), 1u) << r.err;
  EXPECT_EQ(text_arg(calls[0], "pathname"), kDenied);
  EXPECT_EQ(calls[0]["errno"], "EPERM");
}

INSTANTIATE_BACKENDS(Sandbox);

}  // namespace
}  // namespace e2e
