// Runs build/dtruss as a person would and collects what it printed and its exit status.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace e2e {

struct Result {
  int status = -1;      // exit code, or 128+N when killed by signal N
  std::string out;      // standard output (the traced program's)
  std::string err;      // standard error (dtruss's messages, and the trace without --output)
  std::string trace;    // the --output file, when run_traced() wrote one
  long maxrss_kib = 0;  // the peak resident memory of the process or of any it waited for
  double cpu_s = 0;     // its CPU time (user + system) and that of those it waited for
};

// Runs `argv` (argv[0] is a path) with stdin from /dev/null; kills it after `timeout_s`.
Result run(const std::vector<std::string>& argv, int timeout_s = 60);
// Runs dtruss with `args`, the trace going to a temporary --output file (Result::trace).
Result run_traced(const std::vector<std::string>& args, int timeout_s = 60);
// Runs dtruss with `args` as given (trace on standard error unless args say otherwise).
Result run_dtruss(const std::vector<std::string>& args, int timeout_s = 60);

// Under ASan (make test's second pass) freed memory waits in a quarantine (256 MB by default) and
// shadow memory adds to the rest, so a test of dtruss's peak memory can bound only differences
// there: this makes the quarantine of the programs run from now on small (1 MB) and says whether
// the test runs under ASan. (Without ASan: nothing, false.)
bool small_asan_quarantine();

// Parses JSON Lines; fails the current test on a line that is not valid JSON.
std::vector<nlohmann::json> json_lines(const std::string& text);
// The names of these syscall events, in order.
std::vector<std::string> call_names(const std::vector<nlohmann::json>& calls);
// The "syscall" events of a JSON trace, optionally only those named `name`.
std::vector<nlohmann::json> syscalls(const std::vector<nlohmann::json>& events,
                                     const std::string& name = "");
// The syscall events of a fixture traced with --backend=BACKEND --json (and `extra` options
// before the command); fails the current test if it does not exit 0.
std::vector<nlohmann::json> fixture_calls(const std::string& backend, const std::string& name,
                                          const std::vector<std::string>& extra = {});
// The calls named `name` whose argument `key` is `value`, in order.
std::vector<nlohmann::json> calls_where(const std::vector<nlohmann::json>& calls,
                                        const std::string& name, const std::string& key,
                                        const nlohmann::json& value);
// The only such call (a test failure, and an empty object, if there is not exactly one).
nlohmann::json only_call(const std::vector<nlohmann::json>& calls, const std::string& name,
                         const std::string& key, const nlohmann::json& value);
// A pointer shown as an address ("0x..."): what was not decoded (not copied, not written).
bool is_address(const nlohmann::json& v);
// The only call named `name` of `calls` (a test failure, and an empty object, if there is not
// exactly one).
nlohmann::json only(const std::vector<nlohmann::json>& calls, const std::string& name);
// The events, one JSON object a line: printed with a failure, it shows what dtruss did.
std::string dump(const std::vector<nlohmann::json>& events);
// A string argument of a syscall event: a JSON string, or {"str":..., "truncated":true} when
// dtruss cut it; "" when the argument is absent or not a string.
std::string text_arg(const nlohmann::json& e, const char* key);
// The events of a JSON trace of one type ("exit", "signal", "stop", ...).
std::vector<nlohmann::json> of_type(const std::vector<nlohmann::json>& events,
                                    const std::string& type);
std::vector<std::string> lines(const std::string& text);

std::string dtruss_bin();
std::string fixture(const std::string& name);  // path of a built fixture program
// A fresh empty directory for this test (removed at exit).
std::string temp_dir();
bool have_program(const std::string& name);  // in PATH
bool contains(const std::string& text, const std::string& part);
// The `n` lowest descriptors a command started by dtruss finds free, when dtruss leaks none of
// its own: those not open in this test process, or open with FD_CLOEXEC (the test runner may
// have left a descriptor open for us to inherit, as ctest does).
std::vector<int> free_fds_in_command(size_t n);

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::string& path);
// Waits until the file holds `text` (dtruss is attached, the command runs); false after
// `timeout_ms`. Timing windows start from there, whatever a backend's start-up costs.
bool wait_for_text(const std::string& path, const std::string& text, int timeout_ms = 10000);
// The value of a "Key:" line of /proc/PID/status, without the key and the blanks after it
// ("" if absent).
std::string proc_status(pid_t pid, const std::string& key);
// The state letter of /proc/PID/stat (R, S, D, T, t, Z...), '?' if the process is gone.
char proc_state(pid_t pid);
// Starts argv with standard input from /dev/null (or the descriptor `stdin_fd`), standard output
// to `out_file` and standard error to `err_file` ("" leaves it as ours), without waiting for it.
// Returns its pid (-1 when it could not be started).
pid_t spawn(const std::vector<std::string>& argv, const std::string& out_file,
            const std::string& err_file, int stdin_fd = -1);
// Kills and reaps a child left behind by a failed test.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard();
};
// CLOCK_MONOTONIC in milliseconds.
uint64_t now_ms();
// Waits up to `timeout_ms` for our child `pid`; its wait status, or -1 on timeout.
int wait_for(pid_t pid, int timeout_ms);
// A wait status as an exit code: the code, or 128+N when killed by signal N.
int exit_code(int wait_status);
// Ends a dtruss the test started as Ctrl-C does; its exit code.
int interrupt(ChildGuard& dtruss);
// Waits until the eBPF dtruss `pid` holds its programs' links (their fdinfo says so): it traces.
bool wait_bpf_attached(pid_t pid);
// Where the cgroup2 hierarchy is mounted ("" when it is not).
std::string cgroup2_mount();
// Runs `n` getppid calls (the getppid_burst fixture) in a process that first moves itself into
// the cgroup directory `dir`.
Result burst_in_cgroup(const std::string& dir, int n);
// The rows (name -> calls, errors) of a text summary: the lines after the first CALL header, up to
// TOTAL. Fails the test on a line that is no row.
std::map<std::string, std::pair<long, long>> summary_rows(const std::string& text);
// The "summary" object of a --json trace in `path` (null when there is none).
nlohmann::json summary_object(const std::string& path);
// Kills and reaps a process the test started (one in a cgroup leaves it: the cgroup can go).
void end(ChildGuard& process);
// Waits until `ready()` holds, asking every few milliseconds; false after `timeout_ms`. For a
// condition, never a time: a loaded machine only makes it wait longer.
bool wait_until(const std::function<bool()>& ready, int timeout_ms = 20000);
// The number of the system call `pid` is blocked in (the first field of /proc/PID/syscall):
// -1 while it runs, or when it is gone.
long proc_syscall(pid_t pid);
// Waits until `pid` is asleep ('S') in one of the system calls `numbers` (SYS_read, ...).
bool wait_asleep_in(pid_t pid, std::initializer_list<long> numbers, int timeout_ms = 20000);
// The JSON objects of the complete lines a running dtruss has written to `path` so far (a
// partial last line is left out, and so is any line that is not JSON).
std::vector<nlohmann::json> json_lines_so_far(const std::string& path);
// How many "syscall" events named `name` (of process `pid` when > 0) those lines hold.
size_t calls_so_far(const std::string& path, const std::string& name, long pid = 0);

}  // namespace e2e

// The eBPF tests need root and kernel BTF; where they cannot run they fail and say why, unless
// DTRUSS_TEST_ALLOW_NO_BPF=1 allows them to be skipped (CI never sets it).
#define REQUIRE_BPF()                                                                     \
  do {                                                                                    \
    std::string why;                                                                      \
    if (geteuid() != 0)                                                                   \
      why = "not root";                                                                   \
    else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)                                \
      why = "no kernel BTF";                                                              \
    if (!why.empty()) {                                                                   \
      const char* allow = std::getenv("DTRUSS_TEST_ALLOW_NO_BPF");                        \
      if (allow != nullptr && std::string(allow) == "1") GTEST_SKIP() << "eBPF: " << why; \
      FAIL() << "the eBPF tests need root and kernel BTF (" << why                        \
             << "); set DTRUSS_TEST_ALLOW_NO_BPF=1 to skip them";                         \
    }                                                                                     \
  } while (0)

namespace e2e {

// A suite that runs once per backend, its parameter ("ptrace" or "bpf"): the eBPF runs need root
// and kernel BTF (REQUIRE_BPF). backend() is the option that names it.
class BackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "bpf") REQUIRE_BPF();
  }
  std::string backend() const { return "--backend=" + GetParam(); }
};

}  // namespace e2e

// Runs the TEST_Ps of `suite` (an e2e::BackendTest) once per backend, as
// Backends/SUITE.NAME/ptrace and Backends/SUITE.NAME/bpf. The whole suite's second registration
// (the "ptrace:" prefix, DTRUSS_BACKEND=ptrace: tests/CMakeLists.txt) leaves out every test under
// Backends/, as each already names its backend; so too a plain TEST whose suite's name starts with
// Bpf or Ptrace (BpfBackend, PtraceFaults): such a suite names its backend in every run.
#define INSTANTIATE_BACKENDS(suite) INSTANTIATE_BACKENDS_OF(suite, "ptrace", "bpf")
// The same for a suite about some of the backends only (`...`: their names).
#define INSTANTIATE_BACKENDS_OF(suite, ...)            \
  INSTANTIATE_TEST_SUITE_P(                            \
      Backends, suite, ::testing::Values(__VA_ARGS__), \
      [](const ::testing::TestParamInfo<std::string>& info) { return info.param; })
