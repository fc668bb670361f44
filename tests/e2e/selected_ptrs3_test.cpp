// io_uring_register's opcodes whose arg is a struct, io_uring_enter's argp with
// IORING_ENTER_ABS_TIMER and IORING_ENTER_NO_IOWAIT, quotactl's XFS commands and clone's
// parent_tidptr, on a real
// traced program (tests/fixtures/selected_ptrs3.c) and on both backends: the eBPF backend decodes
// only what its capture plan copied.
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

std::vector<json> trace(const std::string& backend) {
  return e2e::fixture_calls(backend, "selected_ptrs3");
}

json arg_of(const std::vector<json>& all, const char* opcode) {
  return only_call(all, "io_uring_register", "opcode", opcode)["args"]["arg"];
}

bool is_address(const json& v) {
  return v.is_string() && v.get<std::string>().rfind("0x", 0) == 0;
}

void check_register(const std::vector<json>& all) {
  auto setup = syscalls(all, "io_uring_setup");
  ASSERT_EQ(setup.size(), 2u);
  const json ring = setup[0]["ret"];

  const json probe = arg_of(all, "IORING_REGISTER_PROBE");
  ASSERT_TRUE(probe.is_object()) << probe;
  ASSERT_TRUE(probe["ops"].is_array()) << probe;
  EXPECT_GE(probe["ops_len"].get<int>(), 49) << "IORING_OP_SENDMSG_ZC and before (Linux 6.1)";
  EXPECT_EQ(probe["ops"][0], json::parse(R"({"op":"IORING_OP_NOP",
                                             "flags":"IO_URING_OP_SUPPORTED"})"));
  EXPECT_EQ(probe["ops"][48]["op"], "IORING_OP_SENDMSG_ZC") << probe;

  EXPECT_EQ(arg_of(all, "IORING_REGISTER_FILES2"),
            json::parse(R"({"nr":4,"flags":"IORING_RSRC_REGISTER_SPARSE","data":null,
                            "tags":null})"));
  const json upd = arg_of(all, "IORING_REGISTER_FILES_UPDATE");
  EXPECT_EQ(upd["offset"], 1) << upd;
  EXPECT_TRUE(is_address(upd["data"])) << upd;
  const json upd2 = arg_of(all, "IORING_REGISTER_FILES_UPDATE2");
  EXPECT_EQ(upd2["offset"], 2) << upd2;
  EXPECT_EQ(upd2["data"], upd["data"]) << "the same fds";
  EXPECT_EQ(upd2["nr"], 1);
  const json bufs2 = arg_of(all, "IORING_REGISTER_BUFFERS2");
  EXPECT_EQ(bufs2["nr"], 1) << bufs2;
  EXPECT_TRUE(is_address(bufs2["data"])) << bufs2;
  const json bupd = arg_of(all, "IORING_REGISTER_BUFFERS_UPDATE");
  EXPECT_EQ(bupd["data"], bufs2["data"]) << bupd;

  // In/out: the limits the kernel wrote back over the [0, 0] asked.
  const json limits = arg_of(all, "IORING_REGISTER_IOWQ_MAX_WORKERS");
  ASSERT_TRUE(limits.is_array()) << limits;
  ASSERT_EQ(limits.size(), 2u);
  EXPECT_GT(limits[0].get<long>(), 0) << limits;
  const json aff = arg_of(all, "IORING_REGISTER_IOWQ_AFF");
  ASSERT_TRUE(aff.is_array()) << aff;
  EXPECT_EQ(aff.size(), 1u) << "one CPU";
  EXPECT_TRUE(arg_of(all, "IORING_UNREGISTER_IOWQ_AFF").is_null());

  // The slot asked as -1 (any), written back as the one taken.
  const json rings = arg_of(all, "IORING_REGISTER_RING_FDS");
  ASSERT_TRUE(rings.is_array()) << rings;
  ASSERT_EQ(rings.size(), 1u);
  EXPECT_GE(rings[0]["offset"].get<int>(), 0) << rings;
  EXPECT_EQ(rings[0]["data"], ring);
  const json range =
      arg_of(all, "IORING_REGISTER_FILE_ALLOC_RANGE|IORING_REGISTER_USE_REGISTERED_RING");
  EXPECT_EQ(range, json::parse(R"({"off":0,"len":4})"));
  EXPECT_EQ(arg_of(all, "IORING_UNREGISTER_RING_FDS"),
            json::array({{{"offset", rings[0]["offset"]}}}));

  const json pbuf = arg_of(all, "IORING_REGISTER_PBUF_RING");
  EXPECT_TRUE(is_address(pbuf["ring_addr"])) << pbuf;
  EXPECT_EQ(pbuf["ring_entries"], 8);
  EXPECT_EQ(pbuf["bgid"], 7);
  EXPECT_EQ(arg_of(all, "IORING_REGISTER_PBUF_STATUS"), json::parse(R"({"buf_group":7,"head":0})"))
      << "in/out: the ring's head written back";
  EXPECT_EQ(arg_of(all, "IORING_REGISTER_CLOCK"), json::parse(R"({"clockid":"CLOCK_BOOTTIME"})"));
  EXPECT_EQ(arg_of(all, "IORING_UNREGISTER_PBUF_RING"),
            json::parse(R"({"ring_addr":null,"ring_entries":0,"bgid":7,"flags":"0"})"));
  const json cancel = only_call(all, "io_uring_register", "opcode", "IORING_REGISTER_SYNC_CANCEL");
  EXPECT_EQ(cancel["errno"], "ENOENT");
  EXPECT_EQ(cancel["args"]["arg"], json::parse(R"({"addr":"0x2a","fd":-1,"flags":"0",
                            "timeout":{"tv_sec":-1,"tv_nsec":-1}})"));
  const json pers = only_call(all, "io_uring_register", "opcode", "IORING_REGISTER_PERSONALITY");
  EXPECT_TRUE(pers["args"]["arg"].is_null());
  const json unpers =
      only_call(all, "io_uring_register", "opcode", "IORING_UNREGISTER_PERSONALITY");
  EXPECT_TRUE(unpers["args"]["arg"].is_null());
  EXPECT_EQ(unpers["args"]["nr_args"], pers["ret"]) << "the personality's id";

  EXPECT_EQ(arg_of(all, "IORING_REGISTER_RESTRICTIONS"),
            json::parse(R"([{"opcode":"IORING_RESTRICTION_REGISTER_OP",
                             "register_op":"IORING_REGISTER_ENABLE_RINGS"},
                            {"opcode":"IORING_RESTRICTION_SQE_OP","sqe_op":"IORING_OP_NOP"},
                            {"opcode":"IORING_RESTRICTION_SQE_FLAGS_ALLOWED",
                             "sqe_flags":"IOSQE_FIXED_FILE"}])"));
}

void check_enter(const std::vector<json>& all) {
  auto enters = syscalls(all, "io_uring_enter");
  ASSERT_EQ(enters.size(), 2u);
  EXPECT_EQ(enters[0]["args"]["flags"],
            "IORING_ENTER_GETEVENTS|IORING_ENTER_EXT_ARG|IORING_ENTER_ABS_TIMER");
  const json ext = enters[0]["args"]["argp"];
  ASSERT_TRUE(ext.is_object()) << enters[0];
  EXPECT_EQ(ext["sigmask_sz"], 8);
  EXPECT_TRUE(is_address(ext["ts"])) << ext;
  EXPECT_EQ(enters[1]["args"]["flags"], "IORING_ENTER_GETEVENTS|IORING_ENTER_NO_IOWAIT");
  EXPECT_EQ(enters[1]["args"]["argp"], "[USR1]") << enters[1];
}

void check_quotas(const std::vector<json>& all) {
  const json setq = only_call(all, "quotactl", "cmd", "Q_XSETQLIM|GRPQUOTA");
  EXPECT_EQ(setq["errno"], "ENOENT");
  const json d = setq["args"]["addr"];
  ASSERT_TRUE(d.is_object()) << setq;
  EXPECT_EQ(d["d_version"], 1);
  EXPECT_EQ(d["d_flags"], "FS_GROUP_QUOTA");
  EXPECT_EQ(d["d_fieldmask"], "FS_DQ_BSOFT|FS_DQ_BHARD");
  EXPECT_EQ(d["d_id"], 1000);
  EXPECT_EQ(d["d_blk_hardlimit"], 2048);
  EXPECT_EQ(d["d_blk_softlimit"], 1024);
  EXPECT_EQ(only_call(all, "quotactl", "cmd", "Q_XQUOTAON")["args"]["addr"],
            json::parse(R"(["FS_QUOTA_UDQ_ACCT|FS_QUOTA_UDQ_ENFD"])"));
  EXPECT_EQ(only_call(all, "quotactl", "cmd", "Q_XQUOTARM|PRJQUOTA")["args"]["addr"],
            json::parse(R"(["FS_USER_QUOTA|FS_GROUP_QUOTA"])"));
  const json next = only_call(all, "quotactl", "cmd", "Q_GETNEXTQUOTA");
  EXPECT_EQ(next["errno"], "ENOENT");
  EXPECT_TRUE(is_address(next["args"]["addr"])) << "a failed call wrote nothing";
  const json statv = only_call(all, "quotactl", "cmd", "Q_XGETQSTATV");
  EXPECT_EQ(statv["errno"], "ENOENT");
  EXPECT_EQ(statv["args"]["addr"]["qs_version"], 1) << "in/out: the version asked for";
  // The root file system's quota state: decoded when the call succeeded, else the address.
  const json stat = only_call(all, "quotactl_fd", "cmd", "Q_XGETQSTAT");
  if (stat["errno"].is_null()) {
    EXPECT_EQ(stat["args"]["addr"]["qs_version"], 1) << stat;
    EXPECT_TRUE(stat["args"]["addr"]["qs_uquota"].is_object()) << stat;
  } else {
    EXPECT_TRUE(is_address(stat["args"]["addr"])) << stat;
  }
}

// The parent's clones (the child's own return, when traced, is 0).
void check_clone(const std::vector<json>& all) {
  std::vector<json> parents;
  for (const auto& c : syscalls(all, "clone"))
    if (c["ret"].is_number() && c["ret"].get<long>() > 0) parents.push_back(c);
  ASSERT_EQ(parents.size(), 2u);
  EXPECT_EQ(parents[0]["args"]["clone_flags"], "CLONE_PARENT_SETTID|SIGCHLD");
  EXPECT_EQ(parents[0]["args"]["parent_tidptr"], json::array({parents[0]["ret"]}))
      << "the child's TID, written back";
  EXPECT_EQ(parents[1]["args"]["clone_flags"], "CLONE_PIDFD|SIGCHLD");
  const json pidfd = parents[1]["args"]["parent_tidptr"];
  ASSERT_TRUE(pidfd.is_array()) << parents[1];
  ASSERT_EQ(pidfd.size(), 1u);
  EXPECT_GE(pidfd[0].get<int>(), 3) << "a new fd";
}

void check_all(const std::string& backend) {
  const auto all = trace(backend);
  check_register(all);
  check_enter(all);
  check_quotas(all);
  check_clone(all);
}

TEST(SelectedPtrs3, Ptrace) {
  check_all("ptrace");
}
TEST(SelectedPtrs3, Bpf) {
  REQUIRE_BPF();
  check_all("bpf");
}

}  // namespace
