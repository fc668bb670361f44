// --cgroup PATH: the processes of a cgroup (v2) and below are traced, and no other (part 12,
// containers). The test makes a cgroup of its own (under the cgroup2 hierarchy, mounted for the
// test when the host has none), puts one sleeper in it and leaves another out: with eBPF the
// kernel decides at each call; with ptrace the processes in the cgroup at the start are attached.
// Needs root (a cgroup is made).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "harness.h"

namespace e2e {
namespace {

// A cgroup v2 directory made for the test, removed at the end (with the hierarchy it mounted).
struct TestCgroup {
  std::string mount_point;  // set when the test mounted the hierarchy
  std::string dir;
  std::string error;

  TestCgroup() {
    std::string root = mounted_cgroup2();
    if (root.empty()) {
      mount_point = temp_dir() + "/cgroup2";
      mkdir(mount_point.c_str(), 0755);
      if (mount("none", mount_point.c_str(), "cgroup2", 0, nullptr) != 0) {
        error = "cannot mount a cgroup2 hierarchy: " + std::string(strerror(errno));
        mount_point.clear();
        return;
      }
      root = mount_point;
    }
    dir = root + "/dtruss-e2e-" + std::to_string(getpid()) + "-" + std::to_string(now_ms());
    if (mkdir(dir.c_str(), 0755) != 0) error = "cannot make " + dir + ": " + strerror(errno);
  }
  ~TestCgroup() {
    if (!dir.empty()) rmdir(dir.c_str());
    if (!mount_point.empty()) umount2(mount_point.c_str(), MNT_DETACH);
  }
  bool add(pid_t pid) const {
    std::ofstream procs(dir + "/cgroup.procs");
    procs << pid << std::endl;
    return static_cast<bool>(procs);
  }
  static std::string mounted_cgroup2() {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      size_t dash = line.find(" - cgroup2 ");
      if (dash == std::string::npos) continue;
      std::istringstream head(line.substr(0, dash));
      std::string id, parent, dev, root, point;
      head >> id >> parent >> dev >> root >> point;
      return point;
    }
    return {};
  }
};

class Cgroup : public BackendTest {};

TEST_P(Cgroup, OnlyItsProcessesAreTraced) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  TestCgroup cg;
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  ChildGuard inside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ChildGuard outside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_GT(inside.pid, 0);
  ASSERT_GT(outside.pid, 0);
  ASSERT_TRUE(cg.add(inside.pid)) << cg.dir;

  std::string trace = temp_dir() + "/trace";
  ChildGuard dtruss{spawn(
      {dtruss_bin(), backend(), "--json", "-t", "getppid", "--output", trace, "--cgroup", cg.dir},
      "/dev/null", "")};
  // Three calls of the sleeper inside (100 ms apart): the one outside made calls meanwhile.
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", inside.pid) >= 3; }))
      << read_file(trace);
  size_t outside_calls = calls_so_far(trace, "getppid", outside.pid);
  kill(dtruss.pid, SIGINT);
  int status = wait_for(dtruss.pid, 20000);
  dtruss.pid = -1;
  EXPECT_EQ(exit_code(status), 0);
  EXPECT_EQ(outside_calls, 0u) << read_file(trace);
  // The sleeper inside runs on: detached, never killed.
  EXPECT_EQ(kill(inside.pid, 0), 0);
  EXPECT_NE(proc_state(inside.pid), 't');
  // It leaves the cgroup before the cgroup is removed.
  kill(inside.pid, SIGKILL);
  waitpid(inside.pid, nullptr, 0);
  inside.pid = -1;
}

// With eBPF the kernel decides at each call: a process that joins later is traced too (ptrace
// attaches to those in it at the start: the note says so).
class CgroupKernel : public BackendTest {};

TEST_P(CgroupKernel, AProcessThatJoinsLaterIsTraced) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  TestCgroup cg;
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  std::string trace = temp_dir() + "/trace";
  ChildGuard dtruss{spawn(
      {dtruss_bin(), backend(), "--json", "-t", "getppid", "--output", trace, "--cgroup", cg.dir},
      "/dev/null", "")};
  ASSERT_TRUE(wait_for_text(trace, "tracing the processes of cgroup", 20000)) << read_file(trace);
  ChildGuard later{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_TRUE(cg.add(later.pid));
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", later.pid) >= 2; }))
      << read_file(trace);
  kill(dtruss.pid, SIGINT);
  EXPECT_EQ(exit_code(wait_for(dtruss.pid, 20000)), 0);
  dtruss.pid = -1;
  kill(later.pid, SIGKILL);
  waitpid(later.pid, nullptr, 0);
  later.pid = -1;
}

TEST_P(Cgroup, WhatIsNotACgroupIsRefused) {
  for (const char* bad : {"/nonexistent-cgroup", "/proc"}) {
    auto r = run_dtruss({backend(), "--cgroup", bad}, 20);
    EXPECT_EQ(r.status, 2) << bad << ": " << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_TRUE(contains(r.err, "--cgroup")) << r.err;
  }
  auto r = run_dtruss({backend(), "--cgroup", "/tmp", "--all"}, 20);
  EXPECT_EQ(r.status, 2) << r.err;
}

INSTANTIATE_BACKENDS(Cgroup);
INSTANTIATE_BACKENDS_OF(CgroupKernel, "bpf");

}  // namespace
}  // namespace e2e
