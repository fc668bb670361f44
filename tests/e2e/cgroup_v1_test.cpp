// --cgroup and --container on a cgroup v1 hierarchy, where runtimes on hosts still on v1 put
// their containers (part 12, containers). The test makes its cgroups in the host's v1 pids
// hierarchy (or, on a host without one, in a named v1 hierarchy it mounts), one level down in a
// directory of its own: the kernel's v1 cgroup of a process is matched at the traced cgroup's
// level (eBPF), and ptrace attaches to the processes in it. Needs root (cgroups are made).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// A cgroup v1 directory made for the test, `parent/name` under the v1 hierarchy (removed at the
// end, deepest first, with the hierarchy the test mounted).
struct V1Cgroup {
  std::string mount_point;  // set when the test mounted a hierarchy
  std::string top, dir;     // the test's own directory, and the cgroup
  std::string error;

  explicit V1Cgroup(const std::string& name) {
    std::string root = v1_mount("pids");
    if (root.empty()) {
      mount_point = temp_dir() + "/cgroup-v1";
      mkdir(mount_point.c_str(), 0755);
      if (mount("cgroup", mount_point.c_str(), "cgroup", 0, "none,name=dtruss-e2e") != 0) {
        error = "cannot mount a cgroup v1 hierarchy: " + std::string(strerror(errno));
        mount_point.clear();
        return;
      }
      root = mount_point;
    }
    top = root + "/dtruss-e2e-v1-" + std::to_string(getpid()) + "-" + std::to_string(now_ms());
    dir = top + "/" + name;
    for (const std::string& d : {top, dir})
      if (mkdir(d.c_str(), 0755) != 0) {
        error = "cannot make " + d + ": " + strerror(errno);
        return;
      }
  }
  ~V1Cgroup() {
    rmdir(dir.c_str());
    rmdir(top.c_str());
    if (!mount_point.empty()) umount2(mount_point.c_str(), MNT_DETACH);
  }
  bool add(pid_t pid) const {
    std::ofstream procs(dir + "/cgroup.procs");
    procs << pid << std::endl;
    return static_cast<bool>(procs);
  }
  // Where the v1 hierarchy with this controller is mounted, or "".
  static std::string v1_mount(const std::string& controller) {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
      size_t dash = line.find(" - cgroup ");
      if (dash == std::string::npos) continue;
      std::istringstream tail(line.substr(dash + 10));
      std::string source, options;
      tail >> source >> options;
      if (("," + options + ",").find("," + controller + ",") == std::string::npos) continue;
      std::istringstream head(line.substr(0, dash));
      std::string id, parent, dev, root, point;
      head >> id >> parent >> dev >> root >> point;
      return point;
    }
    return {};
  }
};

// A sleeper put into the cgroup, and one left out; dtruss traces `target` until the one inside
// made 3 calls. Returns the trace (JSON); the calls from outside are counted in `outside_calls`.
std::string trace_inside(const std::string& backend, const V1Cgroup& cg,
                         const std::vector<std::string>& target, pid_t* inside_pid,
                         size_t* outside_calls) {
  ChildGuard inside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ChildGuard outside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  *inside_pid = inside.pid;
  EXPECT_TRUE(cg.add(inside.pid)) << cg.dir;
  std::string trace = temp_dir() + "/trace-" + std::to_string(now_ms());
  std::vector<std::string> argv = {dtruss_bin(), backend,    "--json", "-t",
                                   "getppid",    "--output", trace};
  argv.insert(argv.end(), target.begin(), target.end());
  ChildGuard dtruss{spawn(argv, "/dev/null", "")};
  EXPECT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", inside.pid) >= 3; }))
      << read_file(trace);
  *outside_calls = calls_so_far(trace, "getppid", outside.pid);
  EXPECT_EQ(interrupt(dtruss), 0);
  // The sleeper inside runs on: detached, never killed; then it leaves, for the cgroup to go.
  EXPECT_EQ(kill(inside.pid, 0), 0);
  EXPECT_NE(proc_state(inside.pid), 't');
  end(inside);
  return read_file(trace);
}

class CgroupV1 : public BackendTest {};

// --cgroup of the test's directory (the sleeper one level below it, in "inner").
TEST_P(CgroupV1, OnlyItsProcessesAreTraced) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  V1Cgroup cg("inner");
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  pid_t inside = 0;
  size_t outside_calls = 0;
  std::string trace = trace_inside(backend(), cg, {"--cgroup", cg.top}, &inside, &outside_calls);
  EXPECT_EQ(outside_calls, 0u) << trace;
}

// --container ID-PREFIX finds a podman container's cgroup in the v1 hierarchy (podman's
// libpod-ID, as with the cgroupfs manager), and each line is labelled with it.
TEST_P(CgroupV1, AContainerById) {
  ASSERT_EQ(geteuid(), 0u) << "--container tests make a cgroup: run them as root";
  std::string id = "c1e5" + std::to_string(getpid() % 10000);
  id += std::string(64 - id.size(), 'b');
  V1Cgroup cg("libpod-" + id);
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  pid_t inside = 0;
  size_t outside_calls = 0;
  std::string trace =
      trace_inside(backend(), cg, {"--container", id.substr(0, 10)}, &inside, &outside_calls);
  EXPECT_EQ(outside_calls, 0u) << trace;
  size_t labelled = 0;
  for (const auto& e : syscalls(json_lines(trace))) {
    EXPECT_EQ(e.value("container", ""), "podman:" + id) << e.dump();
    ++labelled;
  }
  EXPECT_GE(labelled, 3u) << trace;
}

INSTANTIATE_BACKENDS(CgroupV1);

// With eBPF the kernel decides at each call: a process that joins the v1 cgroup later (here,
// below it) is traced too.
class CgroupV1Kernel : public BackendTest {};

TEST_P(CgroupV1Kernel, AProcessThatJoinsLaterIsTraced) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  V1Cgroup cg("inner");
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  std::string trace = temp_dir() + "/trace-later";
  ChildGuard dtruss{spawn(
      {dtruss_bin(), backend(), "--json", "-t", "getppid", "--output", trace, "--cgroup", cg.top},
      "/dev/null", "")};
  ASSERT_TRUE(wait_for_text(trace, "tracing the processes of cgroup", 20000)) << read_file(trace);
  ChildGuard later{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ChildGuard outside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_TRUE(cg.add(later.pid));
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", later.pid) >= 2; }))
      << read_file(trace);
  EXPECT_EQ(interrupt(dtruss), 0);
  EXPECT_EQ(calls_so_far(trace, "getppid", outside.pid), 0u) << read_file(trace);
  end(later);
}

// --summary --summary-by container, traced by `target`, while a program puts itself in the v1
// cgroup (the hierarchy's first: pids) and makes 100 getppid calls: the tables.
nlohmann::json summary_by_container(const std::string& backend, const V1Cgroup& cg,
                                    const std::vector<std::string>& target,
                                    const std::string& by = "container") {
  std::string out = temp_dir() + "/summary-v1-" + std::to_string(now_ms());
  std::string err = out + ".err";
  std::vector<std::string> argv = {dtruss_bin(), backend, "--summary", "--summary-by", by, "--json",
                                   "-f",         "-t",    "getppid",   "--output",     out};
  argv.insert(argv.end(), target.begin(), target.end());
  ChildGuard dtruss{spawn(argv, "/dev/null", err)};
  EXPECT_TRUE(wait_bpf_attached(dtruss.pid)) << read_file(err);
  auto burst = burst_in_cgroup(cg.dir, 100);
  EXPECT_EQ(burst.status, 0) << burst.err;
  EXPECT_EQ(interrupt(dtruss), 0) << read_file(err);
  nlohmann::json summary = summary_object(out);
  EXPECT_EQ(summary.value("by", ""), by) << read_file(out) << read_file(err);
  return summary;
}

// Of a v1 --cgroup: the kernel counts per v1 cgroup (v2's cgroup ids name no container here),
// one table named after the container.
TEST_P(CgroupV1Kernel, SummaryOnlyByContainer) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  std::string id = "c1e6" + std::to_string(getpid() % 10000);
  id += std::string(64 - id.size(), 'c');
  V1Cgroup cg("libpod-" + id);
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  nlohmann::json summary = summary_by_container(backend(), cg, {"--cgroup", cg.top});
  ASSERT_EQ(summary["groups"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["container"], "podman:" + id) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["calls"][0]["count"], 100) << summary.dump();
}

// ... and by cgroup path: the cgroup's path in its v1 hierarchy, as /proc/PID/cgroup shows it.
TEST_P(CgroupV1Kernel, SummaryOnlyByCgroupPath) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  V1Cgroup cg("paths");
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  nlohmann::json summary = summary_by_container(backend(), cg, {"--cgroup", cg.top}, "cgroup");
  std::string mount = cg.mount_point.empty() ? V1Cgroup::v1_mount("pids") : cg.mount_point;
  ASSERT_EQ(summary["groups"].size(), 1u) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["cgroup"], cg.dir.substr(mount.size())) << summary.dump();
  EXPECT_EQ(summary["groups"][0]["calls"][0]["count"], 100) << summary.dump();
}

// Of --all, on a host with v1 hierarchies: counted per cgroup of the first (pids), where
// runtimes on such hosts put containers; the container's table has its 100 calls.
TEST_P(CgroupV1Kernel, SummaryOfAllByContainer) {
  ASSERT_EQ(geteuid(), 0u) << "--cgroup tests make a cgroup: run them as root";
  std::string id = "c1e7" + std::to_string(getpid() % 10000);
  id += std::string(64 - id.size(), 'd');
  V1Cgroup cg("libpod-" + id);
  ASSERT_TRUE(cg.error.empty()) << cg.error;
  nlohmann::json summary = summary_by_container(backend(), cg, {"--all"});
  nlohmann::json mine;
  for (const auto& g : summary["groups"])
    if (g.value("container", "") == "podman:" + id) mine = g;
  ASSERT_FALSE(mine.is_null()) << summary.dump();
  EXPECT_EQ(mine["calls"][0]["count"], 100) << summary.dump();
}

INSTANTIATE_BACKENDS_OF(CgroupV1Kernel, "bpf");

}  // namespace
}  // namespace e2e
