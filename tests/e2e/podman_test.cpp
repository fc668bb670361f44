// A real container (part 12, containers): podman runs the sleeper fixture in a container of its
// own (PID, mount, IPC, UTS and network namespaces, its cgroups), from a root file system the test
// makes (the fixture and the shared libraries ldd names: no image, no network). dtruss traces it
// by --container NAME and by an id prefix: its calls are traced, with the PIDs and the label the
// host sees, and nothing from outside is.
//
// How podman is run, and why (each found on a cgroup v1 host without systemd):
//   --runtime runc: crun refuses a hybrid host whose cgroup v2 hierarchy has a controller
//     ("cgroups in hybrid mode not supported"); runc puts the container in v1 and v2.
//   --cgroup-manager cgroupfs: no systemd to ask for a scope.
//   --ulimit: podman's default limits (1,048,576 files, 4,194,304 processes) are more than a root
//     without CAP_SYS_RESOURCE may set.
//   --network none: nothing to reach.
// When podman cannot run a container here the test fails, saying what podman said.
// Needs root, podman and runc (scripts/install-test-deps.sh).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

const char* const kPodman = "/usr/bin/podman";

// A sleeper in a podman container (removed at the end).
struct PodmanContainer {
  std::string name, id, error;
  pid_t host_pid = 0;  // the sleeper, as the host sees it

  PodmanContainer() {
    if (access(kPodman, X_OK) != 0) {
      error = "podman is not installed (scripts/install-test-deps.sh installs podman and runc)";
      return;
    }
    std::string rootfs = temp_dir() + "/rootfs-" + std::to_string(now_ms());
    if (!copy_in(fixture("sleeper"), rootfs + "/sleeper")) return;
    Result ldd = run({"/usr/bin/ldd", fixture("sleeper")});
    std::istringstream lines(ldd.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      for (std::string w; words >> w;)
        if (w.starts_with("/") && !copy_in(w, rootfs + w)) return;
    }
    name = "dtruss-e2e-" + std::to_string(getpid()) + "-" + std::to_string(now_ms());
    Result r = run({kPodman, "run", "-d", "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                    "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit",
                    "nproc=4096:4096", "--name", name, "--rootfs", rootfs, "/sleeper", "60"});
    if (r.status != 0) {
      error =
          "podman cannot run a container here (exit " + std::to_string(r.status) + "): " + r.err;
      return;
    }
    id = r.out.substr(0, r.out.find_first_of(" \n"));
    Result pid = run({kPodman, "inspect", "--format", "{{.State.Pid}}", name});
    host_pid = std::atoi(pid.out.c_str());
    if (id.size() != 64 || host_pid <= 0)
      error = "podman started " + name + " but tells no id or PID: " + r.out + pid.out + pid.err;
  }
  ~PodmanContainer() {
    if (!name.empty()) run({kPodman, "rm", "-f", "-t", "0", name});
  }
  bool copy_in(const std::string& from, const std::string& to) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(to).parent_path(), ec);
    if (!ec) std::filesystem::copy_file(from, to, ec);  // (a symbolic link's target's bytes)
    if (ec) error = "cannot copy " + from + " into the container's root: " + ec.message();
    return !ec;
  }
};

class Podman : public BackendTest {};

TEST_P(Podman, ItsCallsAreTracedByNameAndById) {
  ASSERT_EQ(geteuid(), 0u) << "podman tests run a container: run them as root";
  PodmanContainer c;
  ASSERT_TRUE(c.error.empty()) << c.error;
  ChildGuard outside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  ASSERT_GT(outside.pid, 0);

  // By name, in JSON: the host's PIDs and, with --pidns-translation, the container's (the
  // sleeper is its PID 1), the container's label, getppid = 0 (the container's first process has
  // no parent in its PID namespace).
  std::string trace = temp_dir() + "/podman-json";
  ChildGuard dtruss{spawn({dtruss_bin(), backend(), "--json", "--pidns-translation", "-t",
                           "getppid", "--output", trace, "--container", c.name},
                          "/dev/null", "")};
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", c.host_pid) >= 3; }))
      << c.name << ": " << read_file(trace);
  size_t outside_calls = calls_so_far(trace, "getppid", outside.pid);
  EXPECT_EQ(interrupt(dtruss), 0);
  EXPECT_EQ(outside_calls, 0u) << read_file(trace);
  size_t seen = 0;
  for (const auto& e : syscalls(json_lines(read_file(trace)))) {
    EXPECT_EQ(e.value("pid", 0), c.host_pid) << e.dump();
    EXPECT_EQ(e.value("ns_pid", 0), 1) << e.dump();
    EXPECT_EQ(e.value("ns_tid", 0), 1) << e.dump();
    EXPECT_EQ(e.value("container", ""), "podman:" + c.id) << e.dump();
    EXPECT_EQ(e.value("ret", -1), 0) << e.dump();
    ++seen;
  }
  EXPECT_GE(seen, 3u);

  // By an id prefix, as text: the prefix names the container (its id cut to 12 digits).
  std::string text = temp_dir() + "/podman-text";
  ChildGuard by_id{spawn({dtruss_bin(), backend(), "-t", "getppid", "--output", text, "--container",
                          c.id.substr(0, 8)},
                         "/dev/null", "")};
  std::string prefix = std::to_string(c.host_pid) + "/" + std::to_string(c.host_pid) +
                       " (sleeper) [podman:" + c.id.substr(0, 12) + "]: getppid()";
  EXPECT_TRUE(wait_for_text(text, prefix, 20000)) << prefix << "\n" << read_file(text);
  EXPECT_EQ(interrupt(by_id), 0);
  EXPECT_FALSE(contains(read_file(text), std::to_string(outside.pid) + "/")) << read_file(text);
  // Detached, never killed: the container runs on.
  EXPECT_EQ(kill(c.host_pid, 0), 0);
  EXPECT_NE(proc_state(c.host_pid), 't');
}

// The container's cgroup in the v1 pids hierarchy (where podman's cgroupfs manager puts it on a
// v1 host), traced by --cgroup.
TEST_P(Podman, ByItsCgroupV1Directory) {
  ASSERT_EQ(geteuid(), 0u) << "podman tests run a container: run them as root";
  PodmanContainer c;
  ASSERT_TRUE(c.error.empty()) << c.error;
  std::string dir = "/sys/fs/cgroup/pids/libpod_parent/libpod-" + c.id;
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0)
    GTEST_SKIP() << "this host has no cgroup v1 pids hierarchy holding the container (" << dir
                 << ")";
  ChildGuard outside{spawn({fixture("sleeper"), "60"}, "/dev/null", "")};
  std::string trace = temp_dir() + "/podman-v1";
  ChildGuard dtruss{spawn(
      {dtruss_bin(), backend(), "--json", "-t", "getppid", "--output", trace, "--cgroup", dir},
      "/dev/null", "")};
  ASSERT_TRUE(wait_until([&] { return calls_so_far(trace, "getppid", c.host_pid) >= 3; }))
      << read_file(trace);
  size_t outside_calls = calls_so_far(trace, "getppid", outside.pid);
  EXPECT_EQ(interrupt(dtruss), 0);
  EXPECT_EQ(outside_calls, 0u) << read_file(trace);
  for (const auto& e : syscalls(json_lines(read_file(trace))))
    EXPECT_EQ(e.value("container", ""), "podman:" + c.id) << e.dump();
}

INSTANTIATE_BACKENDS(Podman);

}  // namespace
}  // namespace e2e
