// --cgroup PATH: the processes of a cgroup (v2) and below are traced, and no other (part 12,
// containers). The test makes a cgroup of its own (under the cgroup2 hierarchy, mounted for the
// test when the host has none), puts one sleeper in it and leaves another out: with eBPF the
// kernel decides at each call; with ptrace the processes in the cgroup at the start are attached.
// Needs root (a cgroup is made).
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
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

  // `name`: the directory's name ("": one of the test's own).
  explicit TestCgroup(const std::string& name = "") {
    std::string root = cgroup2_mount();
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
    dir = root + "/" +
          (name.empty() ? "dtruss-e2e-" + std::to_string(getpid()) + "-" + std::to_string(now_ms())
                        : name);
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
  EXPECT_EQ(interrupt(dtruss), 0);
  EXPECT_EQ(outside_calls, 0u) << read_file(trace);
  // The sleeper inside runs on: detached, never killed.
  EXPECT_EQ(kill(inside.pid, 0), 0);
  EXPECT_NE(proc_state(inside.pid), 't');
  // It leaves the cgroup before the cgroup is removed.
  end(inside);
}

// --container: a container's cgroup found by its runtime's name for it (an id's first digits), or
// a systemd unit by its name. The cgroups are the test's own, named as docker and systemd name
// theirs.
// Each line names the container (JSON "container"; text: the prefix, an id cut to 12 digits).
void traces_the_container(const std::string& backend, const std::string& cgroup_name,
                          const std::string& what, const std::string& label) {
  TestCgroup cg(cgroup_name);
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  ChildGuard inside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_TRUE(cg.add(inside.pid)) << cg.dir;
  std::string trace = temp_dir() + "/trace-" + what;
  ChildGuard dtruss{spawn(
      {dtruss_bin(), backend, "--json", "-t", "getppid", "--output", trace, "--container", what},
      "/dev/null", "")};
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", inside.pid) >= 2; }))
      << what << ": " << read_file(trace);
  EXPECT_EQ(interrupt(dtruss), 0);
  for (const auto& e : syscalls(json_lines(read_file(trace))))
    EXPECT_EQ(e.value("container", ""), label) << e.dump();
  std::string text_trace = temp_dir() + "/text-" + what;
  ChildGuard text{
      spawn({dtruss_bin(), backend, "-t", "getppid", "--output", text_trace, "--container", what},
            "/dev/null", "")};
  std::string prefix = std::to_string(inside.pid) + "/" + std::to_string(inside.pid) +
                       " (sleeper) [" + label.substr(0, label.find(':') + 13) + "]: getppid()";
  if (label.starts_with("unit:"))
    prefix = prefix.substr(0, prefix.find(" [")) + " [" + label + "]: getppid()";
  EXPECT_TRUE(wait_for_text(text_trace, prefix, 20000)) << prefix << "\n" << read_file(text_trace);
  EXPECT_EQ(interrupt(text), 0);
  end(inside);
}

TEST_P(Cgroup, AContainerByIdOrUnitName) {
  ASSERT_EQ(geteuid(), 0u) << "--container tests make a cgroup: run them as root";
  std::string id = "d7e5" + std::to_string(getpid() % 10000);
  id += std::string(64 - id.size(), 'a');
  traces_the_container(backend(), "docker-" + id + ".scope", id.substr(0, 12), "docker:" + id);
  std::string unit = "dtruss-e2e-" + std::to_string(getpid()) + ".service";
  traces_the_container(backend(), unit, unit, "unit:" + unit);
}

TEST_P(Cgroup, AContainerThatIsNotRunningIsRefused) {
  auto r = run_dtruss({backend(), "--container", "no-such-container-anywhere"}, 20);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_TRUE(contains(r.err, "--container")) << r.err;
}

// --summary-by container: a table per container (counted per cgroup in the kernel with eBPF,
// named in user space), on both backends.
TEST_P(Cgroup, SummaryByContainer) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  std::string unit = "dtruss-e2e-sum-" + std::to_string(getpid()) + ".service";
  TestCgroup cg(unit);
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  ChildGuard inside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_TRUE(cg.add(inside.pid)) << cg.dir;
  std::string trace = temp_dir() + "/summary";
  ChildGuard dtruss{spawn({dtruss_bin(), backend(), "-c", "--summary-by", "container", "--json",
                           "-t", "getppid", "--output", trace, "--cgroup", cg.dir},
                          "/dev/null", "")};
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", inside.pid) >= 2; }))
      << read_file(trace);
  EXPECT_EQ(interrupt(dtruss), 0);
  nlohmann::json summary = summary_object(trace);
  ASSERT_EQ(summary.value("by", ""), "container") << read_file(trace);
  ASSERT_EQ(summary["groups"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["container"], "unit:" + unit) << summary.dump();
  end(inside);
}

// A cgroup of the test's, and two below it (a, b); removed in that order's reverse.
struct TwoBelow {
  TestCgroup top;
  TestCgroup a{below("a")}, b{below("b")};
  std::string below(const char* name) const {
    return top.error.empty() ? top.dir.substr(top.dir.rfind('/') + 1) + "/" + name
                             : std::string("dtruss-e2e-unmade-") + name;
  }
  std::string error() const { return top.error + a.error + b.error; }
};

// --summary-by cgroup: a table per cgroup, named by its path in the hierarchy ("/a/b", as
// /proc/PID/cgroup shows it), of the cgroup a process was in when dtruss first counted it. A
// cgroup the test made, a sleeper in each of two below it: the JSON summary, then the text.
std::string cgroup_path(const std::string& dir) {
  return dir.substr(cgroup2_mount().size());
}

TEST_P(Cgroup, SummaryByCgroupPath) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  TwoBelow cgroups;
  ASSERT_TRUE(cgroups.error().empty()) << cgroups.error();
  TestCgroup &top = cgroups.top, &a = cgroups.a, &b = cgroups.b;
  ChildGuard in_a{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ChildGuard in_b{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_TRUE(a.add(in_a.pid) && b.add(in_b.pid)) << a.dir << " " << b.dir;
  std::string trace = temp_dir() + "/summary-paths";
  ChildGuard dtruss{spawn({dtruss_bin(), backend(), "-c", "--summary-by", "cgroup", "--json", "-t",
                           "getppid", "--output", trace, "--cgroup", top.dir},
                          "/dev/null", "")};
  ASSERT_TRUE(wait_until([&] {
    return calls_so_far(trace, "getppid", in_a.pid) >= 2 &&
           calls_so_far(trace, "getppid", in_b.pid) >= 2;
  })) << read_file(trace);
  EXPECT_EQ(interrupt(dtruss), 0);
  nlohmann::json summary = summary_object(trace);
  ASSERT_EQ(summary.value("by", ""), "cgroup") << read_file(trace);
  ASSERT_EQ(summary["groups"].size(), 2u) << summary.dump();
  for (const auto& [cg, pid] : {std::pair{&a, in_a.pid}, std::pair{&b, in_b.pid}}) {
    nlohmann::json mine;
    for (const auto& g : summary["groups"])
      if (g.value("cgroup", "") == cgroup_path(cg->dir)) mine = g;
    ASSERT_FALSE(mine.is_null()) << cgroup_path(cg->dir) << " " << summary.dump();
    EXPECT_EQ(mine["calls"][0]["count"], calls_so_far(trace, "getppid", pid)) << summary.dump();
    EXPECT_FALSE(mine.contains("pid")) << summary.dump();
  }
  // The text: a table under each path.
  std::string text = temp_dir() + "/summary-paths.txt";
  ChildGuard again{spawn({dtruss_bin(), backend(), "-c", "--summary-by", "cgroup", "-t", "getppid",
                          "--output", text, "--cgroup", top.dir},
                         "/dev/null", "")};
  ASSERT_TRUE(wait_until([&] {
    std::string t = read_file(text);
    auto line = [](pid_t pid) { return fmt::format("{0}/{0} (sleeper): getppid", pid); };
    return contains(t, line(in_a.pid)) && contains(t, line(in_b.pid));
  })) << read_file(text);
  EXPECT_EQ(interrupt(again), 0);
  for (const TestCgroup* cg : {&a, &b}) {
    std::regex table("\nCGROUP " + cgroup_path(cg->dir) + "\nCALL [^\n]*\ngetppid +[1-9]");
    EXPECT_TRUE(std::regex_search(read_file(text), table)) << cg->dir << read_file(text);
  }
  end(in_a);
  end(in_b);
}

// With eBPF the kernel decides at each call: a process that joins later is traced too (ptrace
// attaches to those in it at the start: the note says so).
class CgroupKernel : public BackendTest {};

// ... and with --summary, eBPF counts per cgroup in the kernel: a program that puts itself in the
// cgroup, then makes 100 getppid calls, once dtruss is tracing. (With ptrace, --summary counts
// in user space as -c does: SummaryByContainer.)
TEST_P(CgroupKernel, SummaryOnlyByContainer) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  std::string unit = "dtruss-e2e-sumk-" + std::to_string(getpid()) + ".service";
  TestCgroup cg(unit);
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  std::string out = temp_dir() + "/summary", err = temp_dir() + "/err";
  ChildGuard dtruss{spawn({dtruss_bin(), backend(), "--summary", "--summary-by", "container",
                           "--json", "-f", "-t", "getppid", "--output", out, "--cgroup", cg.dir},
                          "/dev/null", err)};
  ASSERT_TRUE(wait_bpf_attached(dtruss.pid)) << read_file(err);
  auto burst = burst_in_cgroup(cg.dir, 100);
  ASSERT_EQ(burst.status, 0) << burst.err;
  EXPECT_EQ(interrupt(dtruss), 0);
  nlohmann::json summary = summary_object(out);
  ASSERT_EQ(summary.value("by", ""), "container") << read_file(out);
  ASSERT_EQ(summary["groups"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["container"], "unit:" + unit) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["calls"][0]["count"], 100) << summary.dump();
}

// ... and by cgroup path: a cgroup the test made with two below it; a program in each makes its
// calls once dtruss is tracing: a table for each, its path, its calls.
TEST_P(CgroupKernel, SummaryOnlyByCgroupPath) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  TwoBelow cgroups;
  ASSERT_TRUE(cgroups.error().empty()) << cgroups.error();
  TestCgroup &top = cgroups.top, &a = cgroups.a, &b = cgroups.b;
  std::string out = temp_dir() + "/summary-paths", err = temp_dir() + "/err-paths";
  ChildGuard dtruss{spawn({dtruss_bin(), backend(), "--summary", "--summary-by", "cgroup", "--json",
                           "-f", "-t", "getppid", "--output", out, "--cgroup", top.dir},
                          "/dev/null", err)};
  ASSERT_TRUE(wait_bpf_attached(dtruss.pid)) << read_file(err);
  auto in_a = burst_in_cgroup(a.dir, 70);
  auto in_b = burst_in_cgroup(b.dir, 40);
  ASSERT_EQ(in_a.status, 0) << in_a.err;
  ASSERT_EQ(in_b.status, 0) << in_b.err;
  EXPECT_EQ(interrupt(dtruss), 0);
  nlohmann::json summary = summary_object(out);
  ASSERT_EQ(summary.value("by", ""), "cgroup") << read_file(out);
  ASSERT_EQ(summary["groups"].size(), 2u) << summary.dump();
  for (const auto& [cg, n] : {std::pair{&a, 70}, std::pair{&b, 40}}) {
    nlohmann::json mine;
    for (const auto& g : summary["groups"])
      if (g.value("cgroup", "") == cgroup_path(cg->dir)) mine = g;
    ASSERT_FALSE(mine.is_null()) << cgroup_path(cg->dir) << " " << summary.dump();
    EXPECT_EQ(mine["calls"][0]["count"], n) << summary.dump();
  }
}

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
  EXPECT_EQ(interrupt(dtruss), 0);
  end(later);
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
