#include "backends/common/launch.h"

#include <fcntl.h>
#include <grp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/trace_error.h"
#include "util/text.h"

namespace dtruss {
namespace {

bool is_executable_file(const std::string& p, int* err) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) {
    *err = errno;
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    *err = EISDIR;
    return false;
  }
  if (access(p.c_str(), X_OK) != 0) {
    *err = errno;
    return false;
  }
  return true;
}

struct SeccompDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using SeccompFilter = std::unique_ptr<void, SeccompDeleter>;

// The -t filter: listed syscalls stop the tracee (SECCOMP_RET_TRACE), all others run untouched.
SeccompFilter build_filter(const std::vector<long>& syscalls) {
  SeccompFilter ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) throw TraceError("cannot create the seccomp filter for -t");
  // Root may install a filter without no_new_privs, which would break setuid programs; others
  // need it (the kernel's rule), and then setuid programs run without their privileges.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, geteuid() == 0 ? 0 : 1);
  // Calls through another ABI (int 0x80) are not filtered: let them through rather than kill.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  for (long nr : syscalls) {
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_TRACE(0), static_cast<int>(nr), 0);
    if (rc != 0 && rc != -EDOM)
      throw TraceError("cannot add syscall " + std::to_string(nr) +
                       " to the seccomp filter: " + std::strerror(-rc));
  }
  return ctx;
}

[[noreturn]] void child_fail(int fd, int err) {
  ssize_t n = write(fd, &err, sizeof(err));
  (void)n;
  _exit(127);
}

// In the child: undo dtruss's own signal set-up, which the command must not inherit.
void reset_signals() {
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// In the child: -u's privilege drop, then the exec; reports errno on `err_fd` on failure.
[[noreturn]] void become_user_and_exec(const LaunchSpec& spec, char* const* argv, int err_fd) {
  if (spec.run_as != nullptr) {
    const RunAs& u = *spec.run_as;
    if (setgroups(u.groups.size(), u.groups.data()) != 0 || setgid(u.gid) != 0 ||
        setuid(u.uid) != 0)
      child_fail(err_fd, errno);
    if (setuid(0) == 0 && u.uid != 0) child_fail(err_fd, EPERM);  // must not regain root
  }
  execv(spec.path.c_str(), argv);
  child_fail(err_fd, errno);
}

std::vector<char*> argv_of(const LaunchSpec& spec) {
  std::vector<char*> argv;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

bool resolve_command(const std::string& name, std::string* path, std::string* error) {
  int err = ENOENT;
  if (name.find('/') != std::string::npos) {
    if (is_executable_file(name, &err)) {
      *path = name;
      return true;
    }
    *error = "cannot run '" + name + "': " + std::strerror(err);
    return false;
  }
  const char* env = getenv("PATH");
  std::string paths = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
  int first_err = 0;
  for (auto dir : split(paths, ':')) {
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    if (is_executable_file(candidate, &err)) {
      *path = candidate;
      return true;
    }
    if (err != ENOENT && err != ENOTDIR && first_err == 0) first_err = err;
  }
  *error = first_err != 0 ? "cannot run '" + name + "': " + std::strerror(first_err)
                          : "command not found: '" + name + "' (not in PATH)";
  return false;
}

std::string exec_failure(const std::string& name, const std::string& path, int err,
                         const RunAs* run_as) {
  std::string why = std::strerror(err);
  // A script whose interpreter is missing fails with ENOENT, as if the script were: name it.
  char head[256] = {};
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, head, sizeof(head) - 1) : -1;
  if (fd >= 0) close(fd);
  if (err == ENOENT && n > 2 && head[0] == '#' && head[1] == '!') {
    std::string line(head + 2, static_cast<size_t>(n - 2));
    line = line.substr(0, line.find('\n'));
    size_t from = line.find_first_not_of(" \t");
    if (from != std::string::npos) {
      why += " (interpreter ";
      append_c_escaped(why, line.substr(from, line.find_first_of(" \t", from) - from));
      why += ")";
    }
  } else if (err == EACCES && run_as != nullptr) {
    why += " (as user " + run_as->name + ")";
  }
  return "cannot run '" + name + "': " + why;
}

Launched launch_stopped(const LaunchSpec& spec) {
  SeccompFilter filter;
  if (!spec.seccomp_syscalls.empty()) filter = build_filter(spec.seccomp_syscalls);

  std::vector<char*> argv = argv_of(spec);

  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw TraceError(std::string("pipe: ") + strerror(errno));

  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw TraceError(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    close(pipefd[0]);
    reset_signals();
    // Until the tracer has seized and continued us, its death (even by SIGKILL) ends us too: we
    // are never left stopped, with no one to continue us.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    // Wait here until the tracer has seized us: nothing after this point goes untraced.
    raise(SIGSTOP);
    prctl(PR_SET_PDEATHSIG, 0);
    if (filter && seccomp_load(filter.get()) != 0) child_fail(pipefd[1], EPERM);
    become_user_and_exec(spec, argv.data(), pipefd[1]);
  }
  close(pipefd[1]);
  int status = 0;
  while (waitpid(pid, &status, WUNTRACED) < 0) {
    if (errno != EINTR) throw TraceError(std::string("waitpid: ") + strerror(errno));
  }
  if (!WIFSTOPPED(status)) {
    close(pipefd[0]);
    throw TraceError("the child ended before it could be traced");
  }
  return Launched{pid, pipefd[0]};
}

Launched launch_gated(const LaunchSpec& spec) {
  std::vector<char*> argv = argv_of(spec);
  int err[2], go[2];
  if (pipe2(err, O_CLOEXEC) != 0) throw TraceError(std::string("pipe: ") + strerror(errno));
  if (pipe2(go, O_CLOEXEC) != 0) {
    close(err[0]);
    close(err[1]);
    throw TraceError(std::string("pipe: ") + strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) throw TraceError(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    close(err[0]);
    close(go[1]);
    reset_signals();
    char byte;
    ssize_t n;
    do n = read(go[0], &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) _exit(127);  // the tracer went away before releasing us
    become_user_and_exec(spec, argv.data(), err[1]);
  }
  close(err[1]);
  close(go[0]);
  return Launched{pid, err[0], go[1]};
}

}  // namespace dtruss
