// More pointer arguments whose type another argument selects (fcntl's locks and owners by cmd,
// prctl's names and results by option, io_uring_register's arrays by opcode, io_uring_enter's
// argp by flags, modify_ldt's ptr by func, quotactl's addr by cmd, reboot's string by cmd), on a
// real traced program and
// on both backends: the eBPF backend decodes only what its capture plan copied.
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

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

std::vector<json> trace(const std::string& backend) {
  return e2e::fixture_calls(backend, "selected_ptrs");
}

json flock(const char* type, const char* whence, int start, int len, int pid) {
  return {
      {"l_type", type}, {"l_whence", whence}, {"l_start", start}, {"l_len", len}, {"l_pid", pid}};
}

// The bytes of a buffer shown as a JSON string (each byte one code point, U+0000 to U+00FF).
std::vector<int> bytes_of(const json& v) {
  std::vector<int> out;
  const std::string s = v.get<std::string>();
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c);
    } else if ((c & 0xe0) == 0xc0 && i + 1 < s.size()) {
      out.push_back(((c & 0x1f) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3f));
    } else {
      out.push_back(-1);
    }
  }
  return out;
}

bool is_address(const json& v) {
  return v.is_string() && v.get<std::string>().rfind("0x", 0) == 0;
}

void check_fcntl(const std::vector<json>& all) {
  const json setlk = only_call(all, "fcntl", "cmd", "F_SETLK");
  EXPECT_EQ(setlk["args"]["arg"], flock("F_WRLCK", "SEEK_SET", 10, 20, 0)) << setlk;
  EXPECT_EQ(setlk["ret"], 0);
  // In/out: what the kernel wrote back (no conflict with the caller's own lock: F_UNLCK).
  const json getlk = only_call(all, "fcntl", "cmd", "F_GETLK");
  EXPECT_EQ(getlk["args"]["arg"], flock("F_UNLCK", "SEEK_SET", 0, 0, 0)) << getlk;
  const json ofd = only_call(all, "fcntl", "cmd", "F_OFD_GETLK");
  EXPECT_EQ(ofd["args"]["arg"], flock("F_WRLCK", "SEEK_SET", 100, 10, -1)) << ofd;
  auto ofd_set = calls_where(all, "fcntl", "cmd", "F_OFD_SETLK");
  ASSERT_EQ(ofd_set.size(), 2u);
  EXPECT_EQ(ofd_set[0]["args"]["arg"], flock("F_WRLCK", "SEEK_SET", 100, 10, 0));
  EXPECT_EQ(ofd_set[1]["errno"], "EAGAIN");
  EXPECT_EQ(ofd_set[1]["args"]["arg"], flock("F_WRLCK", "SEEK_CUR", 105, 1, 0))
      << "a failed call shows what it asked";
  const json unlock = only_call(all, "fcntl", "cmd", "F_SETLKW");
  EXPECT_EQ(unlock["args"]["arg"], flock("F_UNLCK", "SEEK_SET", 0, 0, 0));

  const json setown = only_call(all, "fcntl", "cmd", "F_SETOWN_EX");
  const json getown = only_call(all, "fcntl", "cmd", "F_GETOWN_EX");
  EXPECT_EQ(setown["args"]["arg"]["type"], "F_OWNER_TID") << setown;
  EXPECT_EQ(setown["args"]["arg"]["pid"], setown["tid"]) << "the caller's own thread";
  EXPECT_EQ(getown["args"]["arg"], setown["args"]["arg"]) << getown;
}

void check_prctl(const std::vector<json>& all) {
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_SET_NAME")["args"]["arg2"], "dt-selected");
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_GET_NAME")["args"]["arg2"], "dt-selected");
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_SET_PDEATHSIG")["args"]["arg2"], "SIGUSR1");
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_GET_PDEATHSIG")["args"]["arg2"],
            json::parse(R"(["SIGUSR1"])"));
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_GET_CHILD_SUBREAPER")["args"]["arg2"],
            json::parse("[0]"));
  // An in-argument: shown whether or not the kernel names anonymous mappings.
  const json vma = only_call(all, "prctl", "option", "PR_SET_VMA");
  EXPECT_EQ(vma["args"]["arg2"], "PR_SET_VMA_ANON_NAME") << vma;
  EXPECT_TRUE(is_address(vma["args"]["arg3"])) << vma;
  EXPECT_EQ(vma["args"]["arg4"], 8192);
  EXPECT_EQ(vma["args"]["arg5"], "dt-anon");
}

void check_io_uring(const std::vector<json>& all) {
  auto setup = syscalls(all, "io_uring_setup");
  ASSERT_EQ(setup.size(), 1u);
  const json files = only_call(all, "io_uring_register", "opcode", "IORING_REGISTER_FILES");
  ASSERT_TRUE(files["args"]["arg"].is_array()) << files;
  ASSERT_EQ(files["args"]["arg"].size(), 3u);
  EXPECT_EQ(files["args"]["arg"][0], 0);
  EXPECT_EQ(files["args"]["arg"][1], -1);
  const json efd = files["args"]["arg"][2];
  EXPECT_GE(efd.get<int>(), 3);
  const json bufs = only_call(all, "io_uring_register", "opcode", "IORING_REGISTER_BUFFERS");
  ASSERT_EQ(bufs["args"]["arg"].size(), 1u) << bufs;
  EXPECT_TRUE(is_address(bufs["args"]["arg"][0]["iov_base"])) << bufs;
  EXPECT_EQ(bufs["args"]["arg"][0]["iov_len"], 4096);
  const json ev = only_call(all, "io_uring_register", "opcode", "IORING_REGISTER_EVENTFD");
  EXPECT_EQ(ev["args"]["arg"], json::array({efd})) << ev;

  auto enters = syscalls(all, "io_uring_enter");
  ASSERT_EQ(enters.size(), 2u);
  EXPECT_EQ(enters[0]["args"]["flags"], "IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG");
  const json ext = enters[0]["args"]["argp"];
  ASSERT_TRUE(ext.is_object()) << enters[0];
  EXPECT_TRUE(ext["sigmask"].is_null());
  EXPECT_EQ(ext["sigmask_sz"], 8);
  EXPECT_TRUE(is_address(ext["ts"])) << ext;
  EXPECT_EQ(enters[0]["args"]["argsz"], 24);
  EXPECT_EQ(enters[1]["args"]["flags"], "IORING_ENTER_GETEVENTS");
  EXPECT_EQ(enters[1]["args"]["argp"], "[USR2]") << enters[1];
}

void check_ldt_and_reboot(const std::vector<json>& all) {
  const json wr = only_call(all, "modify_ldt", "func", 0x11);
  const json d = wr["args"]["ptr"];
  ASSERT_TRUE(d.is_object()) << wr;
  EXPECT_EQ(d["entry_number"], 0);
  EXPECT_EQ(d["limit"], "0xfff");
  EXPECT_EQ(d["seg_32bit"], 1);
  const json rd = only_call(all, "modify_ldt", "func", 0);
  ASSERT_TRUE(rd["errno"].is_null()) << rd;
  ASSERT_TRUE(rd["args"]["ptr"].is_string()) << rd;
  const std::vector<int> bytes = bytes_of(rd["args"]["ptr"]);
  EXPECT_EQ(bytes.size(), rd["ret"].get<size_t>()) << "the bytes the call returned";
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes[0], 0xff) << "entry 0's limit, 0xfff";
  EXPECT_EQ(bytes[1], 0x0f);

  auto setq = only_call(all, "quotactl", "cmd", "Q_SETQUOTA|GRPQUOTA");
  EXPECT_EQ(setq["errno"], "ENOENT");
  EXPECT_EQ(setq["args"]["special"], "/nonexistent-dtruss");
  EXPECT_EQ(setq["args"]["addr"],
            json::parse(R"({"dqb_bhardlimit":1000,"dqb_bsoftlimit":800,"dqb_curspace":0,
                            "dqb_ihardlimit":50,"dqb_isoftlimit":40,"dqb_curinodes":0,
                            "dqb_btime":0,"dqb_itime":0,"dqb_valid":"QIF_LIMITS"})"));
  auto getinfo = only_call(all, "quotactl", "cmd", "Q_GETINFO");
  EXPECT_EQ(getinfo["errno"], "ENOENT");
  EXPECT_TRUE(is_address(getinfo["args"]["addr"])) << "a failed call wrote nothing";
  auto reboot = syscalls(all, "reboot");
  ASSERT_EQ(reboot.size(), 1u);
  EXPECT_EQ(reboot[0]["args"]["cmd"], "LINUX_REBOOT_CMD_RESTART2");
  EXPECT_EQ(reboot[0]["args"]["arg"], "dtruss-test");
  EXPECT_EQ(reboot[0]["errno"], "EPERM");
}

void check_all(const std::string& backend) {
  const auto all = trace(backend);
  check_fcntl(all);
  check_prctl(all);
  check_io_uring(all);
  check_ldt_and_reboot(all);
}

TEST(SelectedPtrs, Ptrace) {
  check_all("ptrace");
}
TEST(SelectedPtrs, Bpf) {
  REQUIRE_BPF();
  check_all("bpf");
}

}  // namespace
