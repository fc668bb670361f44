// execve as the program made it, and the start of a command as it happened: the arguments a
// script was called with (not the interpreter's), the environment with -v, arrays and strings
// cut only with a mark, a command that cannot run told in one line, and timestamps that count
// from the command's start. Run on both backends (see tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

void write_file(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  chmod(path.c_str(), mode);
}

// The trace's execve lines.
std::vector<std::string> execve_lines(const std::string& trace) {
  std::vector<std::string> out;
  for (const auto& l : lines(trace))
    if (l.rfind("execve(", 0) == 0) out.push_back(l);
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? ", \"" : "\"") + items[i] + "\"";
  return s + "]";
}

TEST(ExecTruth, ScriptArgvIsTheCallers) {
  std::string dir = temp_dir();
  std::string script = dir + "/s.sh";
  write_file(script, "#!/bin/sh\nexit 0\n", 0755);
  auto r = run_traced({"-t", "execve", script, "a", "b"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 1u) << r.trace;
  EXPECT_EQ(ex[0].rfind("execve(\"" + script + "\", " + quoted_list({script, "a", "b"}) + ", ", 0),
            0u)
      << ex[0];
}

// The same when the strings are on pages the caller never read (a posix_spawn child passing its
// parent's constants): the eBPF side cannot read them at entry and takes them from the new
// image, where the interpreter's strings come first.
TEST(ExecTruth, ScriptArgvFromPagesNotYetRead) {
  std::string dir = temp_dir();
  std::string script = dir + "/s.sh";
  write_file(script, "#!/bin/sh\nexit 0\n", 0755);
  auto r = run_traced({"-f", "-t", "execve", fixture("exec_truth"), "spawn", script});
  ASSERT_EQ(r.status, 0) << r.err;
  bool seen = false;
  for (const auto& l : lines(r.trace))
    if (l.find("execve(\"" + script + "\"") != std::string::npos) {
      seen = true;
      EXPECT_NE(l.find(", " + quoted_list({script, "first-arg", "second-arg"}) + ", "),
                std::string::npos)
          << l;
    }
  EXPECT_TRUE(seen) << r.trace;
}

TEST(ExecTruth, VerboseShowsTheEnvironment) {
  auto r = run_traced({"-v", "-t", "execve", "/usr/bin/env", "-i", "A=1", "B=two", "/bin/true"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 2u) << r.trace;
  EXPECT_NE(ex[1].find(", [\"/bin/true\"], [\"A=1\", \"B=two\"])"), std::string::npos) << ex[1];
}

// argv too long to keep whole leaves room for the environment's strings.
TEST(ExecTruth, VerboseEnvironmentAfterAHugeArgv) {
  std::vector<std::string> args{"-v", "-t", "execve", "/usr/bin/env", "-i", "A=1", "/bin/true"};
  for (int i = 0; i < 3000; ++i) args.push_back(std::to_string(i));
  auto r = run_traced(args);
  ASSERT_EQ(r.status, 0) << r.err;
  auto ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 2u) << r.trace;
  EXPECT_NE(ex[1].find("], [\"A=1\"])"), std::string::npos) << ex[1].substr(ex[1].size() - 200);
}

TEST(ExecTruth, ManyArgumentsShownWhole) {
  std::vector<std::string> args{"-t", "execve", "/bin/true"}, shown{"/bin/true"};
  for (int i = 1; i <= 40; ++i) {
    args.push_back(std::to_string(i));
    shown.push_back(std::to_string(i));
  }
  auto r = run_traced(args);
  ASSERT_EQ(r.status, 0) << r.err;
  auto ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 1u) << r.trace;
  EXPECT_NE(ex[0].find(", " + quoted_list(shown) + ", "), std::string::npos) << ex[0];
}

// More than any backend keeps: what is shown is the start of argv, and the cut is marked.
TEST(ExecTruth, HugeArgvCutWithAMark) {
  std::vector<std::string> args{"-t", "execve", "/bin/true"};
  for (int i = 0; i < 1100; ++i) args.push_back("arg" + std::to_string(i));
  auto r = run_traced(args);
  ASSERT_EQ(r.status, 0) << r.err;
  auto ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 1u) << r.trace;
  size_t end = ex[0].find(", ...], ");
  ASSERT_NE(end, std::string::npos)
      << ex[0].substr(0, 300) << " ... " << ex[0].substr(ex[0].size() - 300);
  std::string expect = "[\"/bin/true\"";
  for (int i = 0; expect.size() < end - ex[0].find('['); ++i)
    expect += ", \"arg" + std::to_string(i) + "\"";
  size_t open = ex[0].find('[');
  EXPECT_EQ(ex[0].substr(open, end - open), expect);
}

TEST(ExecTruth, LongArgumentShownUpToStrsize) {
  std::string big(3000, 'x'), small(100, 'y');
  auto r = run_traced({"--strsize", "4000", "-t", "execve", "/bin/true", big});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 1u) << r.trace;
  EXPECT_NE(ex[0].find(", [\"/bin/true\", \"" + big + "\"], "), std::string::npos) << ex[0];

  r = run_traced({"-t", "execve", "/bin/true", small});
  ASSERT_EQ(r.status, 0) << r.err;
  ex = execve_lines(r.trace);
  ASSERT_EQ(ex.size(), 1u) << r.trace;
  EXPECT_NE(ex[0].find(", [\"/bin/true\", \"" + small.substr(0, 64) + "\"...], "),
            std::string::npos)
      << ex[0];
}

TEST(ExecTruth, LongPathCutWithAMark) {
  auto r = run_traced({"--json", "-f", "-t", "execve", fixture("exec_truth"), "longpath", "5000"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto calls = syscalls(json_lines(r.trace), "execve");
  ASSERT_EQ(calls.size(), 2u) << r.trace;
  const json& path = calls[1]["args"]["filename"];
  ASSERT_TRUE(path.is_object()) << path.dump().substr(0, 200);
  EXPECT_EQ(path["truncated"], true);
  EXPECT_EQ(path["str"].get<std::string>(), "/" + std::string(4095, 'a'));
}

// --strsize beyond what a backend can copy: shown whole, or the limit is announced.
TEST(ExecTruth, StrsizeBeyondTheLimitIsNotSilent) {
  std::string big(6000, 'z');
  auto r = run_traced({"--strsize", "8000", "-t", "execve", "/bin/true", big});
  ASSERT_EQ(r.status, 0) << r.err;
  bool whole = r.trace.find("\"" + big + "\"]") != std::string::npos;
  bool announced = (r.trace + r.err).find("--strsize") != std::string::npos;
  EXPECT_TRUE(whole || announced) << r.err << r.trace.substr(0, 500);
}

// A command that cannot run: one line, exit 2, no trace file (nor a truncated one).
struct Unrunnable {
  const char* what;
  std::string content;
  mode_t mode;
  bool as_nobody;
  const char* reason;  // in the message
};

void expect_refused(const Unrunnable& u) {
  SCOPED_TRACE(u.what);
  std::string dir = temp_dir();
  chmod(dir.c_str(), 0755);
  std::string prog = dir + "/prog";
  write_file(prog, u.content, u.mode);
  std::string out = dir + "/trace";
  std::vector<std::string> args{"--output", out};
  if (u.as_nobody) args.insert(args.end(), {"-u", "nobody"});
  args.push_back(prog);
  auto r = run_dtruss(args);
  EXPECT_EQ(r.status, 2);
  auto err = lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_EQ(err[0].rfind("dtruss: cannot run '" + prog + "': ", 0), 0u) << err[0];
  EXPECT_NE(err[0].find(u.reason), std::string::npos) << err[0];
  EXPECT_NE(access(out.c_str(), F_OK), 0) << e2e::read_file(out);
  // An existing file is left as it was.
  write_file(out, "keep\n", 0644);
  r = run_dtruss(args);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(e2e::read_file(out), "keep\n");
}

TEST(ExecTruth, MissingInterpreter) {
  expect_refused({"missing interpreter", "#!/nonexistent/interp\n", 0755, false,
                  "No such file or directory (interpreter /nonexistent/interp)"});
}

TEST(ExecTruth, NotAnExecutable) {
  expect_refused({"bad ELF",
                  std::string("\x7f"
                              "ELF\x02\x01\x01",
                              7) +
                      std::string(200, '\x01'),
                  0755, false, "Exec format error"});
  expect_refused({"no #!", "echo hello\n", 0755, false, "Exec format error"});
}

TEST(ExecTruth, NotExecutableByTheUser) {
  expect_refused({"-u nobody", "#!/bin/sh\nexit 0\n", 0700, true, "Permission denied"});
}

// The first call's time counts from the command's start, not from dtruss's own set-up: with eBPF,
// the time base comes after the programs were loaded. The command itself asks the kernel when
// the BPF programs its parent (dtruss) holds were loaded, and the trace's base is recovered from
// an event's wall-clock and relative times. (The eBPF backend counted from before it loaded its
// programs, 85-260 ms earlier.) eBPF named: the ptrace backend loads nothing.
TEST(BpfExecTruth, TimestampsCountFromTheCommand) {
  REQUIRE_BPF();
  auto r = run_traced({"--backend=bpf", "--json", "--timestamps=ns", "-t", "execve",
                       fixture("exec_truth"), "bpfload"});
  ASSERT_EQ(r.status, 0) << r.err;
  int64_t loaded = std::stoll(r.out);
  ASSERT_GT(loaded, 0) << "dtruss holds no BPF program: " << r.out;
  auto calls = syscalls(json_lines(r.trace), "execve");
  ASSERT_EQ(calls.size(), 1u) << r.trace;
  // wall_ns = monotonic + (realtime - monotonic): this process's offset is dtruss's, within the
  // clocks' slew over a second (microseconds at most).
  timespec rt{}, mono{};
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_MONOTONIC, &mono);
  int64_t offset = (rt.tv_sec - mono.tv_sec) * 1000000000LL + (rt.tv_nsec - mono.tv_nsec);
  int64_t event = calls[0]["wall_ns"].get<int64_t>() - offset;
  int64_t base = event - calls[0]["ts_ns"].get<int64_t>();
  EXPECT_GE(base + 1000000, loaded)  // (1 ms for the slew; the bug was tens of ms)
      << "the time base is " << (loaded - base) / 1000 << " us before the last program load";
  EXPECT_LE(base, event);
}

}  // namespace
}  // namespace e2e
