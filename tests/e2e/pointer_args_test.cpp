// Pointer arguments whose type another argument selects (an ioctl's request, a socket option,
// seccomp's op, landlock's rule type, fsconfig's cmd) or whose length is computed (getsockopt's
// *optlen, mincore's pages), on a real traced program and on both backends: the eBPF backend
// decodes only what its capture plan copied, so a missing capture shows as an address here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::calls_where;
using e2e::fixture;
using e2e::json_lines;
using e2e::only_call;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

std::vector<json> trace(const std::string& backend, bool verbose = false) {
  return e2e::fixture_calls(backend, "pointer_args",
                            verbose ? std::vector<std::string>{"-v"} : std::vector<std::string>{});
}

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

void check_sockopts(const std::vector<json>& all) {
  auto lingers = calls_where(all, "setsockopt", "optname", "SO_LINGER");
  ASSERT_EQ(lingers.size(), 1u);
  EXPECT_EQ(lingers[0]["args"]["optval"], json::parse(R"({"l_onoff":1,"l_linger":9})"));
  // getsockopt's value is *optlen (8) bytes after the call: a struct, captured whole.
  auto got = calls_where(all, "getsockopt", "optname", "SO_LINGER");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["args"]["optval"], json::parse(R"({"l_onoff":1,"l_linger":9})"));
  EXPECT_EQ(got[0]["args"]["optlen"], json::parse("[8]"));
  auto timeo = calls_where(all, "setsockopt", "optname", "SO_RCVTIMEO");
  ASSERT_EQ(timeo.size(), 1u);
  EXPECT_EQ(timeo[0]["args"]["optval"], json::parse(R"({"tv_sec":3,"tv_usec":500000})"));
  auto cc = calls_where(all, "setsockopt", "optname", "TCP_CONGESTION");
  ASSERT_EQ(cc.size(), 1u);
  EXPECT_EQ(cc[0]["args"]["optval"], "reno");
  auto cc_get = calls_where(all, "getsockopt", "optname", "TCP_CONGESTION");
  ASSERT_EQ(cc_get.size(), 1u);
  EXPECT_EQ(cc_get[0]["args"]["optval"], "reno");
  EXPECT_EQ(cc_get[0]["args"]["optlen"], json::parse("[16]"));
  auto mreq = calls_where(all, "setsockopt", "optname", "IP_ADD_MEMBERSHIP");
  ASSERT_EQ(mreq.size(), 1u);
  EXPECT_EQ(mreq[0]["args"]["optval"],
            json::parse(R"({"imr_multiaddr":"224.0.0.251","imr_interface":"127.0.0.1"})"));
}

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

void check_memory_and_filesystems(const std::vector<json>& all) {
  auto mincore = calls_where(all, "mincore", "len", 2 * 4096 + 1);
  ASSERT_EQ(mincore.size(), 1u);
  EXPECT_EQ(mincore[0]["args"]["vec"], json::parse("[1, 0, 1]"));

  auto str = calls_where(all, "fsconfig", "cmd", "FSCONFIG_SET_STRING");
  ASSERT_EQ(str.size(), 1u);
  EXPECT_EQ(str[0]["args"]["_key"], "size");
  EXPECT_EQ(str[0]["args"]["_value"], "1m");
  auto bin = calls_where(all, "fsconfig", "cmd", "FSCONFIG_SET_BINARY");
  ASSERT_EQ(bin.size(), 1u);
  EXPECT_EQ(bin[0]["args"]["_value"], std::string("\1\2\3"));
  EXPECT_EQ(bin[0]["args"]["aux"], 3);
  auto path = calls_where(all, "fsconfig", "cmd", "FSCONFIG_SET_PATH");
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(path[0]["args"]["_value"], "/tmp");
  EXPECT_EQ(path[0]["args"]["aux"], "AT_FDCWD");

  auto ustat = e2e::syscalls(all, "ustat");
  ASSERT_EQ(ustat.size(), 1u);
  const json u = ustat[0]["args"]["ubuf"];
  if (ustat[0]["errno"].is_null()) {
    ASSERT_TRUE(u.is_object()) << u;
    EXPECT_TRUE(u.contains("f_tfree"));
    EXPECT_TRUE(u.contains("f_tinode"));
    EXPECT_EQ(u["f_fname"], "");
  } else {
    EXPECT_EQ(u.get<std::string>().substr(0, 2), "0x") << "a failed ustat wrote nothing";
  }
}

void check_all(const std::string& backend) {
  const auto all = trace(backend);
  check_ioctls(all);
  check_sockopts(all);
  check_security(all);
  check_memory_and_filesystems(all);
}

// -v: the whole termios, with the control characters (VMIN is 1 on a new terminal).
void check_verbose(const std::string& backend) {
  const auto all = trace(backend, true);
  const json get = ioctl(all, "TCGETS")["args"]["arg"];
  ASSERT_TRUE(get.contains("c_cc")) << get;
  ASSERT_EQ(get["c_cc"].size(), 19u);
  EXPECT_EQ(get["c_cc"][6], 1) << "VMIN";
  EXPECT_EQ(get["c_line"], 0);
}

TEST(PointerArgs, Ptrace) {
  check_all("ptrace");
}
TEST(PointerArgs, PtraceVerbose) {
  check_verbose("ptrace");
}
TEST(PointerArgs, Bpf) {
  REQUIRE_BPF();
  check_all("bpf");
}
TEST(PointerArgs, BpfVerbose) {
  REQUIRE_BPF();
  check_verbose("bpf");
}

}  // namespace

namespace {

// In/out arguments of failed calls show the caller's input (out-only ones their address).
void check_failed_inout(const std::string& backend) {
  auto r = e2e::run_traced({"--backend=" + backend, "--json", e2e::fixture("failed_inout")});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto all = e2e::syscalls(e2e::json_lines(r.trace));
  auto accepts = calls_where(all, "accept4", "upeer_addrlen", json::parse("[16]"));
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0]["errno"], "EAGAIN");
  EXPECT_EQ(accepts[0]["args"]["upeer_sockaddr"].get<std::string>().substr(0, 2), "0x");
  auto gets = calls_where(all, "getsockopt", "optname", 12345);
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(gets[0]["errno"], "ENOPROTOOPT");
  EXPECT_EQ(gets[0]["args"]["optlen"], json::parse("[4]"));
  EXPECT_EQ(gets[0]["args"]["optval"].get<std::string>().substr(0, 2), "0x");
  auto sel = calls_where(all, "select", "n", 61);
  ASSERT_EQ(sel.size(), 1u);
  EXPECT_EQ(sel[0]["errno"], "EBADF");
  EXPECT_EQ(sel[0]["args"]["inp"], json::parse("[60]"));
  auto sf = calls_where(all, "sendfile", "out_fd", 61);
  ASSERT_EQ(sf.size(), 1u);
  EXPECT_EQ(sf[0]["args"]["offset"], json::parse("[100]"));
}

TEST(FailedInOut, Ptrace) {
  check_failed_inout("ptrace");
}
TEST(FailedInOut, Bpf) {
  REQUIRE_BPF();
  check_failed_inout("bpf");
}

}  // namespace

namespace {

// A POSIX timer's signal shows its timer id (as timer_create returned it), overrun and sigval,
// both when a wait fills a siginfo and when the signal is delivered.
void check_timer_signal(const std::string& backend) {
  auto r = e2e::run_traced({"--backend=" + backend, "--json", e2e::fixture("timer_signal")});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto events = e2e::json_lines(r.trace);
  const auto creates = e2e::syscalls(events, "timer_create");
  ASSERT_EQ(creates.size(), 2u);
  const json id = creates[1]["args"]["created_timer_id"][0];
  EXPECT_EQ(creates[0]["args"]["created_timer_id"][0], 0);
  EXPECT_NE(id, 0);
  const json want = {{"si_signo", "SIGUSR2"}, {"si_code", "SI_TIMER"}, {"si_timerid", id},
                     {"si_overrun", 0},       {"si_int", 77},          {"si_ptr", "0x4d"}};
  const auto waits = e2e::syscalls(events, "rt_sigtimedwait");
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0]["args"]["uinfo"], want);
  int delivered = 0;
  for (const auto& e : events) {
    if (e.value("type", "") != "signal") continue;
    ++delivered;
    EXPECT_EQ(e["signal"], "SIGUSR2");
    EXPECT_EQ(e["siginfo"], want);
  }
  EXPECT_EQ(delivered, 1);
}

TEST(TimerSignal, Ptrace) {
  check_timer_signal("ptrace");
}
TEST(TimerSignal, Bpf) {
  REQUIRE_BPF();
  check_timer_signal("bpf");
}

}  // namespace
