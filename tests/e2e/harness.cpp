#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

extern char** environ;

namespace e2e {

uint64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

int wait_for(pid_t pid, int timeout_ms) {
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) return -1;
    if (now_ms() >= deadline) return -1;
    usleep(5 * 1000);
  }
}

namespace {

struct TempDirs {
  std::vector<std::string> dirs;
  ~TempDirs() {
    for (const auto& d : dirs) std::filesystem::remove_all(d);
  }
};
TempDirs g_temps;

}  // namespace

std::string dtruss_bin() {
  return DTRUSS_BIN;
}
std::string fixture(const std::string& name) {
  return std::string(FIXTURE_DIR) + "/" + name;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/dtruss-e2e-XXXXXX";
  char* d = mkdtemp(tmpl);
  if (d == nullptr) throw std::runtime_error("mkdtemp failed");
  g_temps.dirs.emplace_back(d);
  return d;
}

bool have_program(const std::string& name) {
  const char* path = getenv("PATH");
  std::stringstream ss(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':'))
    if (access((dir + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

// Starts argv with the file actions `fa`, every signal at its default and none blocked (what
// the test process blocks or ignores is not the child's business); in a process group of its own
// when `own_group`. Its pid, or -1 (*error: posix_spawn's error).
pid_t spawn_with(const std::vector<std::string>& argv, const posix_spawn_file_actions_t* fa,
                 bool own_group, int* error = nullptr) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, (own_group ? POSIX_SPAWN_SETPGROUP : 0) | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSIGMASK);
  if (own_group) posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], fa, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  if (error != nullptr) *error = rc;
  return rc == 0 ? pid : -1;
}

bool small_asan_quarantine() {
#if defined(__SANITIZE_ADDRESS__)
  const char* before = getenv("ASAN_OPTIONS");
  std::string asan = before != nullptr ? std::string(before) + ":" : std::string();
  setenv("ASAN_OPTIONS", (asan + "quarantine_size_mb=1").c_str(), 1);
  return true;
#else
  return false;
#endif
}

Result run(const std::vector<std::string>& argv, int timeout_s) {
  Result r;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  // The child runs in its own process group so that a timeout can end everything it started.
  int rc = 0;
  pid_t pid = spawn_with(argv, &fa, true, &rc);
  posix_spawn_file_actions_destroy(&fa);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    throw std::runtime_error(std::string("posix_spawn ") + argv[0] + ": " + strerror(rc));
  }
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_s) * 1000;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    int64_t left = static_cast<int64_t>(deadline) - static_cast<int64_t>(now_ms());
    if (left <= 0) {
      timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    int n = poll(fds, 2, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[65536];
      ssize_t got = read(fds[i].fd, buf, sizeof(buf));
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.maxrss_kib = ru.ru_maxrss;
  r.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
            static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  if (timed_out) ADD_FAILURE() << argv[0] << " did not finish within " << timeout_s << " s";
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

Result run_dtruss(const std::vector<std::string>& args, int timeout_s) {
  std::vector<std::string> argv{dtruss_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, timeout_s);
}

Result run_traced(const std::vector<std::string>& args, int timeout_s) {
  std::string file = temp_dir() + "/trace";
  std::vector<std::string> argv{dtruss_bin(), "--output", file};
  argv.insert(argv.end(), args.begin(), args.end());
  Result r = run(argv, timeout_s);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  r.trace = ss.str();
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines(text)) {
    if (line.empty()) continue;
    try {
      out.push_back(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << line << " (" << e.what() << ")";
    }
  }
  return out;
}

std::vector<nlohmann::json> syscalls(const std::vector<nlohmann::json>& events,
                                     const std::string& name) {
  std::vector<nlohmann::json> out;
  for (const auto& e : events)
    if (e.value("type", "") == "syscall" && (name.empty() || e.value("syscall", "") == name))
      out.push_back(e);
  return out;
}

std::vector<std::string> call_names(const std::vector<nlohmann::json>& calls) {
  std::vector<std::string> out;
  for (const auto& c : calls) out.push_back(c.value("syscall", ""));
  return out;
}

std::vector<nlohmann::json> fixture_calls(const std::string& backend, const std::string& name,
                                          const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--backend=" + backend, "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(fixture(name));
  auto r = run_traced(args);
  EXPECT_EQ(r.status, 0) << name << " (its first failed step), or a tracer error: " << r.err;
  return syscalls(json_lines(r.trace));
}

nlohmann::json only(const std::vector<nlohmann::json>& calls, const std::string& name) {
  auto found = syscalls(calls, name);
  EXPECT_EQ(found.size(), 1u) << "calls to " << name;
  return found.empty() ? nlohmann::json::object() : found.front();
}

std::string dump(const std::vector<nlohmann::json>& events) {
  std::string out;
  for (const auto& e : events) out += e.dump() + "\n";
  return out;
}

std::string text_arg(const nlohmann::json& e, const char* key) {
  if (!e.contains("args") || !e["args"].contains(key)) return "";
  const nlohmann::json& v = e["args"][key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("str") && v["str"].is_string())
    return v["str"].get<std::string>();
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::vector<int> free_fds_in_command(size_t n) {
  std::vector<int> out;
  for (int fd = 3; out.size() < n; ++fd) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC) != 0) out.push_back(fd);
  }
  return out;
}

int exit_code(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

// Every program it loaded is attached: as many links as programs (each loaded program gets one
// link; the first link alone could be on_sys_enter's, before the exit's program counts a call).
bool wait_bpf_attached(pid_t pid) {
  return wait_until([pid] {
    std::error_code ec;
    int links = 0, programs = 0;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fdinfo", ec)) {
      std::string info = read_file(fd.path().string());
      links += contains(info, "link_id:");
      programs += info.starts_with("prog_type:") || contains(info, "\nprog_type:");
    }
    return links > 0 && links == programs;
  });
}

std::string cgroup2_mount() {
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

Result burst_in_cgroup(const std::string& dir, int n) {
  return run({"/bin/sh", "-c",
              "echo $$ > " + dir + "/cgroup.procs && exec " + fixture("getppid_burst") + " " +
                  std::to_string(n)});
}

std::map<std::string, std::pair<long, long>> summary_rows(const std::string& text) {
  std::map<std::string, std::pair<long, long>> out;
  bool in_table = false;
  std::regex row("^(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+\\d+(\\s+\\S+){4}.*$");
  for (const auto& l : lines(text)) {
    if (l.rfind("CALL ", 0) == 0) {
      in_table = true;
      continue;
    }
    if (!in_table) continue;
    if (l.rfind("TOTAL ", 0) == 0) break;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(l, m, row)) << "not a table row: '" << l << "'";
    if (m.empty()) continue;
    out[m[1]] = {std::stol(m[2]), std::stol(m[3])};
  }
  return out;
}

nlohmann::json summary_object(const std::string& path) {
  nlohmann::json summary;
  for (const auto& e : json_lines(read_file(path)))
    if (e.value("type", "") == "summary") summary = e;
  return summary;
}

int interrupt(ChildGuard& dtruss) {
  kill(dtruss.pid, SIGINT);
  int status = wait_for(dtruss.pid, 20000);
  dtruss.pid = -1;
  return exit_code(status);
}

void end(ChildGuard& process) {
  kill(process.pid, SIGKILL);
  waitpid(process.pid, nullptr, 0);
  process.pid = -1;
}

bool is_address(const nlohmann::json& v) {
  return v.is_string() && v.get<std::string>().rfind("0x", 0) == 0;
}

std::vector<nlohmann::json> calls_where(const std::vector<nlohmann::json>& calls,
                                        const std::string& name, const std::string& key,
                                        const nlohmann::json& value) {
  std::vector<nlohmann::json> out;
  for (const auto& c : calls)
    if (c["syscall"] == name && c["args"][key] == value) out.push_back(c);
  return out;
}

nlohmann::json only_call(const std::vector<nlohmann::json>& calls, const std::string& name,
                         const std::string& key, const nlohmann::json& value) {
  auto found = calls_where(calls, name, key, value);
  EXPECT_EQ(found.size(), 1u) << name << " " << key << "=" << value;
  return found.empty() ? nlohmann::json::object() : found[0];
}

std::vector<nlohmann::json> of_type(const std::vector<nlohmann::json>& events,
                                    const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& e : events)
    if (e.value("type", "") == type) out.push_back(e);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& out_file,
            const std::string& err_file, int stdin_fd) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (stdin_fd >= 0)
    posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
  else
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (!out_file.empty())
    posix_spawn_file_actions_addopen(&fa, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (!err_file.empty())
    posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = spawn_with(argv, &fa, false);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

ChildGuard::~ChildGuard() {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

bool wait_for_text(const std::string& path, const std::string& text, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_file(path).find(text) != std::string::npos) return true;
    usleep(10 * 1000);
  }
  return false;
}

std::string proc_status(pid_t pid, const std::string& key) {
  std::stringstream ss(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(ss, line))
    if (line.rfind(key + ":", 0) == 0) {
      size_t v = line.find_first_not_of(" \t", key.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
  return "";
}

// The state letter of /proc/PID/stat (R, S, D, T, t, Z...), '?' if the process is gone.
char proc_state(pid_t pid) {
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

bool wait_until(const std::function<bool()>& ready, int timeout_ms) {
  uint64_t deadline = now_ms() + static_cast<uint64_t>(timeout_ms);
  while (true) {
    if (ready()) return true;
    if (now_ms() >= deadline) return false;
    usleep(5 * 1000);
  }
}

long proc_syscall(pid_t pid) {
  std::string text = read_file("/proc/" + std::to_string(pid) + "/syscall");
  if (text.empty() || !isdigit(static_cast<unsigned char>(text[0]))) return -1;  // "running"
  return std::strtol(text.c_str(), nullptr, 10);
}

bool wait_asleep_in(pid_t pid, std::initializer_list<long> numbers, int timeout_ms) {
  return wait_until(
      [&] {
        if (proc_state(pid) != 'S') return false;
        long nr = proc_syscall(pid);
        // Asleep in it, still: the state and the call were read one after the other.
        for (long n : numbers)
          if (nr == n) return proc_state(pid) == 'S';
        return false;
      },
      timeout_ms);
}

std::vector<nlohmann::json> json_lines_so_far(const std::string& path) {
  std::string text = read_file(path);
  text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  std::vector<nlohmann::json> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_discarded() && j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

size_t calls_so_far(const std::string& path, const std::string& name, long pid) {
  size_t n = 0;
  for (const auto& e : json_lines_so_far(path))
    if (e.value("type", "") == "syscall" && e.value("syscall", "") == name &&
        (pid <= 0 || e.value("pid", 0L) == pid))
      ++n;
  return n;
}

}  // namespace e2e
