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

INSTANTIATE_BACKENDS(Ioctl);

}  // namespace
}  // namespace e2e
