// io_uring on a real traced program and on both backends: io_uring_register's arg by opcode
// (tests/fixtures/selected_ptrs.c: files, buffers and eventfd; selected_structs.c: the opcodes
// whose arg is a struct) and io_uring_enter's argp by flags (IORING_ENTER_EXT_ARG,
// ABS_TIMER, NO_IOWAIT). The eBPF backend decodes only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

json arg_of(const std::vector<json>& all, const char* opcode) {
  return only_call(all, "io_uring_register", "opcode", opcode)["args"]["arg"];
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

class IoUring : public BackendTest {};

TEST_P(IoUring, RegisterArraysAndEnterArgp) {
  const auto all = fixture_calls(GetParam(), "selected_ptrs");
  check_io_uring(all);
}

TEST_P(IoUring, RegisterStructsAndEnterFlags) {
  const auto all = fixture_calls(GetParam(), "selected_structs");
  check_register(all);
  check_enter(all);
}

INSTANTIATE_BACKENDS(IoUring);

}  // namespace
}  // namespace e2e
