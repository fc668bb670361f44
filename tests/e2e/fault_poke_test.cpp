// strace's -e fault= (--fault: an injected error, ENOSYS unless error= says) and --inject's
// syscall= (another call runs in place of the selected one) and poke_enter=/poke_exit= (bytes
// written where an argument points, before the call reads them or after it wrote them). The
// ptrace backend does them, eBPF refuses as it does --inject. Each test checks what the program
// itself saw, and where strace can do the same, that it sees the same under strace.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::contains;
using e2e::fixture;
using e2e::json_lines;
using e2e::lines;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

// "/nonexistent..." became "/tmp" before chdir read it; getcwd's buffer got "/poked" after the
// call; getppid's number became gettid's (a harmless call in its place), its result 5.
constexpr const char* kPokeChdir = "inject=chdir:poke_enter=@arg1=2f746d7000";
constexpr const char* kPokeGetcwd = "inject=getcwd:poke_exit=@arg1=2f706f6b656400";
constexpr const char* kGetppidAsGetpid = "inject=getppid:syscall=gettid:retval=5";

TEST(Fault, FailsWithEnosysUnlessTold) {
  auto r =
      run_traced({"--json", "-e", "fault=openat:when=3", fixture("inject_target"), "opens", "4"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto opens = syscalls(json_lines(r.trace), "openat");
  ASSERT_GE(opens.size(), 3u) << r.trace;
  for (size_t i = 0; i < opens.size(); ++i)
    EXPECT_EQ(opens[i].value("injected", false), i == 2) << opens[i].dump();
  EXPECT_EQ(opens[2]["errno"], "ENOSYS");
  EXPECT_EQ(opens[2]["inject"], json({{"error", "ENOSYS"}}));
  // (error= as --inject's)
  auto eperm =
      run_traced({"--fault=openat:error=EPERM:when=3", fixture("inject_target"), "opens", "4"});
  ASSERT_EQ(eperm.status, 0) << eperm.err;
  EXPECT_TRUE(contains(eperm.trace, "= -1 EPERM (Operation not permitted) (INJECTED)"))
      << eperm.trace;
}

TEST(Fault, PokesAndReplacementReachTheProgram) {
  auto r = run_traced({"--json", "-t", "chdir,getcwd,getppid", "-e", kPokeChdir, "-e", kPokeGetcwd,
                       "-e", kGetppidAsGetpid, fixture("poke_target")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "chdir: ok\ngetcwd: /poked\ngetppid: 5\n");
  auto events = json_lines(r.trace);
  json chdir = e2e::only(syscalls(events), "chdir");
  EXPECT_EQ(chdir["args"]["filename"], "/tmp") << "the trace shows what the call read";
  EXPECT_EQ(chdir["ret"], 0);
  EXPECT_EQ(chdir["inject"], json::parse(R"({"poke_enter":[{"arg":1,"hex":"2f746d7000"}]})"));
  json getcwd = e2e::only(syscalls(events), "getcwd");
  EXPECT_EQ(getcwd["inject"], json::parse(R"({"poke_exit":[{"arg":1,"hex":"2f706f6b656400"}]})"));
  json getppid = e2e::only(syscalls(events), "getppid");
  EXPECT_EQ(getppid["ret"], 5);
  EXPECT_EQ(getppid["inject"], json({{"retval", 5}, {"syscall", "gettid"}}));
}

TEST(Fault, TextMarksPokedArgs) {
  auto r = run_traced(
      {"-t", "chdir,getppid", "-e", kPokeChdir, "-e", kGetppidAsGetpid, fixture("poke_target")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.trace, "chdir(\"/tmp\")\t\t = 0 (INJECTED: args)\n")) << r.trace;
  EXPECT_TRUE(contains(r.trace, "getppid()\t\t = 5 (INJECTED)\n")) << r.trace;
}

TEST(Fault, RefusedBeforeAnythingStarts) {
  struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"-e", "fault=openat:retval=3"}, "unknown 'retval=3' (it takes error= and when=)"},
      {{"--fault=openat:error=EWHAT"}, "error= needs an errno name"},
      {{"--backend=bpf", "--fault=openat"}, "--fault needs the ptrace backend"},
      {{"--inject=getppid:syscall=openat:error=EPERM"}, "syscall= needs a syscall of no arguments"},
      {{"--inject=getppid:syscall=getpid"}, "syscall= needs error= or retval="},
      {{"--inject=chdir:poke_enter=@arg2=00"}, "chdir has no argument 2 to poke (it takes 1)"},
      {{"--inject=chdir:poke_enter=@arg1=0"}, "poke_enter= needs @argN=HEX"},
      {{"--inject=chdir:poke_exit=@arg7=00"}, "poke_exit= needs @argN=HEX"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back(fixture("poke_target"));
    auto r = e2e::run_dtruss(args);
    SCOPED_TRACE(c.args.back());
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.err, c.says)) << r.err;
    EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
    EXPECT_EQ(r.out, "") << "the command ran";
  }
}

// The same specs under strace: the program sees the same.
TEST(Fault, SameAsStraceOnTheSameProgram) {
  ASSERT_TRUE(e2e::have_program("strace")) << "this test compares with strace: install it";
  struct {
    std::vector<std::string> specs;
    std::vector<std::string> command;
  } cases[] = {
      {{"fault=openat:when=3"}, {fixture("inject_target"), "opens", "5"}},
      {{"fault=openat:error=EPERM:when=3+2"}, {fixture("inject_target"), "opens", "5"}},
      {{kPokeChdir, kPokeGetcwd, kGetppidAsGetpid}, {fixture("poke_target")}},
      {{kPokeChdir}, {fixture("poke_target")}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.specs[0]);
    std::vector<std::string> theirs{"/usr/bin/env", "strace", "-f", "-o", "/dev/null"};
    std::vector<std::string> ours;
    for (const auto& s : c.specs) {
      theirs.insert(theirs.end(), {"-e", s});
      ours.insert(ours.end(), {"-e", s});
    }
    theirs.insert(theirs.end(), c.command.begin(), c.command.end());
    ours.insert(ours.end(), c.command.begin(), c.command.end());
    auto s = e2e::run(theirs);
    auto d = run_traced(ours);
    ASSERT_EQ(s.status, 0) << s.err;
    ASSERT_EQ(d.status, 0) << d.err;
    EXPECT_EQ(d.out, s.out);
    auto plain = e2e::run(c.command);  // (and something was injected)
    EXPECT_NE(d.out, plain.out);
  }
}

}  // namespace
