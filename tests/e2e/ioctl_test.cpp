// ioctl's arg by request on a real traced program (a pseudo-terminal's requests in
// tests/fixtures/pointer_args.c) and on both backends: termios abbreviated and, with -v, whole;
// winsize, ints in and out, values, and a failed request's address. The eBPF backend decodes
// only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// The last ioctl with this request (the C library makes some of its own first).
json ioctl(const std::vector<json>& all, const std::string& request) {
  auto found = calls_where(all, "ioctl", "cmd", request);
  EXPECT_FALSE(found.empty()) << request;
  return found.empty() ? json{} : found.back();
}

void check_ioctls(const std::vector<json>& all) {
  const json get = ioctl(all, "TCGETS")["args"]["arg"];
  EXPECT_EQ(get["c_cflag"], "B38400|CS8|CREAD") << get;
  EXPECT_EQ(get["c_iflag"], "ICRNL|IXON");
  EXPECT_EQ(get["c_oflag"], "OPOST|ONLCR");
  EXPECT_NE(get["c_lflag"].get<std::string>().find("ICANON"), std::string::npos);
  EXPECT_FALSE(get.contains("c_cc")) << "abbreviated without -v";
  const json set = ioctl(all, "TCSETSW")["args"]["arg"];
  EXPECT_EQ(set["c_lflag"], "ISIG") << "ICANON and ECHO cleared";
  EXPECT_EQ(set["c_cflag"], "B38400|CS8|CREAD");
  const json ws = json::parse(R"({"ws_row":33,"ws_col":99,"ws_xpixel":0,"ws_ypixel":0})");
  EXPECT_EQ(ioctl(all, "TIOCSWINSZ")["args"]["arg"], ws);
  EXPECT_EQ(ioctl(all, "TIOCGWINSZ")["args"]["arg"], ws);
  EXPECT_EQ(ioctl(all, "FIONBIO")["args"]["arg"], json::parse("[1]"));
  EXPECT_EQ(ioctl(all, "FIONREAD")["args"]["arg"], json::parse("[3]"));
  EXPECT_EQ(ioctl(all, "TCFLSH")["args"]["arg"], "TCIFLUSH");
  // A failed request that would have written: its address, not what the memory held.
  const json pgrp = ioctl(all, "TIOCGPGRP");
  EXPECT_EQ(pgrp["errno"], "ENOTTY");
  ASSERT_TRUE(pgrp["args"]["arg"].is_string()) << pgrp;
  EXPECT_EQ(pgrp["args"]["arg"].get<std::string>().substr(0, 2), "0x");
}

class Ioctl : public BackendTest {};

TEST_P(Ioctl, TtyRequests) {
  const auto all = fixture_calls(GetParam(), "pointer_args");
  check_ioctls(all);
}

// -v: the whole termios, with the control characters (VMIN is 1 on a new terminal).
TEST_P(Ioctl, TermiosWholeWithVerbose) {
  const auto all = fixture_calls(GetParam(), "pointer_args", {"-v"});
  const json get = ioctl(all, "TCGETS")["args"]["arg"];
  ASSERT_TRUE(get.contains("c_cc")) << get;
  ASSERT_EQ(get["c_cc"].size(), 19u);
  EXPECT_EQ(get["c_cc"][6], 1) << "VMIN";
  EXPECT_EQ(get["c_line"], 0);
}

// A seccomp supervisor's requests on its listener (tests/fixtures/seccomp_addfd.c): the
// notification it receives (the supervised process's getppid), the fd it adds at a number of its
// choosing, its reply. (Before, each was _IOC(...) and an address.)
TEST_P(Ioctl, SeccompListenerRequests) {
  std::string dir = temp_dir();
  Result r = run_traced({backend(), "--json", "-f", fixture("seccomp_addfd"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<json> all;
  for (const json& e : json_lines(r.trace))
    if (e["type"] == "syscall") all.push_back(e);
  const json seccomp = only_call(all, "seccomp", "flags", "SECCOMP_FILTER_FLAG_NEW_LISTENER");
  const json recv = ioctl(all, "SECCOMP_IOCTL_NOTIF_RECV");
  const json add = ioctl(all, "SECCOMP_IOCTL_NOTIF_ADDFD");
  const json send = ioctl(all, "SECCOMP_IOCTL_NOTIF_SEND");
  ASSERT_FALSE(recv.is_null() || add.is_null() || send.is_null()) << r.trace;
  EXPECT_EQ(recv["args"]["fd"], seccomp["ret"]);
  const json& n = recv["args"]["arg"];
  EXPECT_EQ(n["pid"], seccomp["pid"]) << n;
  EXPECT_EQ(n["data"]["nr"], "getppid") << n;
  EXPECT_EQ(n["data"]["arch"], "AUDIT_ARCH_X86_64");
  EXPECT_EQ(n["data"]["args"].size(), 6u);
  const json& a = add["args"]["arg"];
  EXPECT_EQ(a["id"], n["id"]) << a;
  EXPECT_EQ(a["flags"], "SECCOMP_ADDFD_FLAG_SETFD");
  EXPECT_EQ(a["newfd"], add["ret"]);
  EXPECT_EQ(a["newfd_flags"], "0");
  const json& reply = send["args"]["arg"];
  EXPECT_EQ(reply, json({{"id", n["id"]}, {"val", 0}, {"error", 0}, {"flags", "0"}})) << reply;
}

INSTANTIATE_BACKENDS(Ioctl);

}  // namespace
}  // namespace e2e
