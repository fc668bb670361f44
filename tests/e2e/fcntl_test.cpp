// fcntl's arg by cmd on a real traced program and on both backends: flags, fds and signals
// (tests/fixtures/selected_args.c), struct flock and f_owner_ex, in and out (selected_ptrs.c).
// The eBPF backend decodes only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

json flock(const char* type, const char* whence, int start, int len, int pid) {
  return {
      {"l_type", type}, {"l_whence", whence}, {"l_start", start}, {"l_len", len}, {"l_pid", pid}};
}

void check_commands(const std::vector<json>& calls) {
  std::vector<json> ours;  // the C library may make fcntl calls of its own first
  for (const auto& c : calls)
    if (c["args"]["fd"] == calls.back()["args"]["fd"]) ours.push_back(c);
  ASSERT_GE(ours.size(), 4u);
  ours.erase(ours.begin(), ours.end() - 4);
  EXPECT_EQ(ours[0]["args"]["cmd"], "F_SETFL");
  EXPECT_EQ(ours[0]["args"]["arg"], "O_RDWR|O_NONBLOCK");
  EXPECT_EQ(ours[1]["args"]["cmd"], "F_SETFD");
  EXPECT_EQ(ours[1]["args"]["arg"], "FD_CLOEXEC");
  EXPECT_EQ(ours[2]["args"]["cmd"], "F_DUPFD_CLOEXEC");
  EXPECT_EQ(ours[2]["args"]["arg"], 50) << "an fd, as a number";
  EXPECT_GE(ours[2]["ret"].get<int>(), 50);
  EXPECT_EQ(ours[3]["args"]["cmd"], "F_SETSIG");
  EXPECT_EQ(ours[3]["args"]["arg"], "SIGUSR1");
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

class Fcntl : public BackendTest {};

TEST_P(Fcntl, ArgByCommand) {
  check_commands(syscalls(fixture_calls(GetParam(), "selected_args"), "fcntl"));
}

TEST_P(Fcntl, LocksAndOwners) {
  const auto all = fixture_calls(GetParam(), "selected_ptrs");
  check_fcntl(all);
}

INSTANTIATE_BACKENDS(Fcntl);

}  // namespace
}  // namespace e2e
