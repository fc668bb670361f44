// --inject's spec (app/inject_spec) and its two spellings on the command line (cli/options).
#include "app/inject_spec.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>

#include <string>
#include <vector>

#include "cli/options.h"

namespace dtruss {
namespace {

InjectRule parsed(const std::string& spec) {
  InjectRule r;
  std::string error;
  EXPECT_TRUE(parse_inject_spec(spec, &r, &error)) << spec << ": " << error;
  return r;
}

std::string refusal(const std::string& spec) {
  InjectRule r;
  std::string error;
  EXPECT_FALSE(parse_inject_spec(spec, &r, &error)) << spec;
  return error;
}

std::vector<uint64_t> occurrences(const InjectWhen& w, uint64_t up_to) {
  std::vector<uint64_t> out;
  for (uint64_t n = 1; n <= up_to; ++n)
    if (w.matches(n)) out.push_back(n);
  return out;
}

TEST(InjectSpec, ErrorByNameOrNumber) {
  InjectRule r = parsed("openat:error=EACCES");
  EXPECT_TRUE(r.selects(SYS_openat));
  EXPECT_FALSE(r.selects(SYS_read));
  EXPECT_EQ(r.action.error, EACCES);
  EXPECT_FALSE(r.action.retval);
  EXPECT_TRUE(r.action.skips_call());
  EXPECT_EQ(parsed("read:error=enospc").action.error, ENOSPC);
  EXPECT_EQ(parsed("read:error=4").action.error, 4);
}

TEST(InjectSpec, SetAsDashTReadsIt) {
  InjectRule r = parsed("open,openat,!read:retval=0");
  EXPECT_TRUE(r.selects(SYS_openat));
  EXPECT_TRUE(r.selects(SYS_open));
  r = parsed("%network:error=ECONNREFUSED");
  EXPECT_TRUE(r.selects(SYS_connect));
  EXPECT_FALSE(r.selects(SYS_openat));
}

TEST(InjectSpec, RetvalSignalDelays) {
  EXPECT_EQ(parsed("getpid:retval=42").action.retval, 42);
  EXPECT_EQ(parsed("getpid:retval=-7").action.retval, -7);
  EXPECT_EQ(parsed("getppid:signal=SIGUSR1").action.signal, SIGUSR1);
  EXPECT_EQ(parsed("getppid:signal=usr2").action.signal, SIGUSR2);
  EXPECT_EQ(parsed("getppid:signal=9").action.signal, 9);
  InjectAction a = parsed("read:delay_enter=1500:delay_exit=10ms").action;
  EXPECT_EQ(a.delay_enter_us, 1500u);  // microseconds, strace's unit
  EXPECT_EQ(a.delay_exit_us, 10000u);
  EXPECT_EQ(parsed("read:delay_enter=2s").action.delay_enter_us, 2000000u);
  EXPECT_EQ(parsed("read:delay_enter=3000ns").action.delay_enter_us, 3u);
  EXPECT_EQ(parsed("read:delay_enter=2.5ms").action.delay_enter_us, 2500u);  // strtod's numbers
  EXPECT_EQ(parsed("read:delay_exit=0.5ms").action.delay_exit_us, 500u);
  EXPECT_FALSE(parsed("read:delay_enter=5").action.skips_call());
  a = parsed("read:error=EINTR:signal=SIGALRM").action;  // together, as strace allows
  EXPECT_EQ(a.error, EINTR);
  EXPECT_EQ(a.signal, SIGALRM);
}

TEST(InjectSpec, WhenAsStraceReadsIt) {
  EXPECT_EQ(occurrences(parsed("read:error=EIO").when, 4), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(occurrences(parsed("read:error=EIO:when=3").when, 9), (std::vector<uint64_t>{3}));
  EXPECT_EQ(occurrences(parsed("read:error=EIO:when=3..5").when, 9),
            (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(occurrences(parsed("read:error=EIO:when=3+").when, 6),
            (std::vector<uint64_t>{3, 4, 5, 6}));
  EXPECT_EQ(occurrences(parsed("read:error=EIO:when=3+2").when, 10),
            (std::vector<uint64_t>{3, 5, 7, 9}));
  EXPECT_EQ(occurrences(parsed("read:when=3..9+2:error=EIO").when, 20),
            (std::vector<uint64_t>{3, 5, 7, 9}));
  // The last when= counts, as strace's; FIRST and STEP up to 65535, LAST to 65534.
  EXPECT_EQ(occurrences(parsed("read:when=2:error=EIO:when=4").when, 9),
            (std::vector<uint64_t>{4}));
  EXPECT_EQ(parsed("read:error=EIO:when=65535+65535").when.first, 65535u);
  EXPECT_EQ(parsed("read:error=EIO:when=1..65534").when.last, 65534u);
}

TEST(InjectSpec, RefusedWithOneLineThatSaysWhy) {
  struct {
    const char* spec;
    const char* says;
  } cases[] = {
      {"openat:error=EFOO", "error= needs an errno name"},
      {"openat:error=0", "error= needs"},
      {"openat:error=4096", "error= needs"},
      {"openat:error=EACCES:retval=1", "error= and retval= exclude each other"},
      {"openat:when=3", "give what to inject"},
      {"openat:error=EIO:when=0", "when= needs"},
      {"openat:error=EIO:when=5..3", "when= needs"},
      {"openat:error=EIO:when=3+0", "when= needs"},
      {"openat:error=EIO:when=x", "when= needs"},
      {"openat:error=EIO:when=3..", "when= needs"},
      {"openat:error=EIO:error=EACCES", "error= is given twice"},
      {"openat:signal=USR1:signal=USR2", "signal= is given twice"},
      {"openat:error=EIO:when=1..65535", "when= needs"},
      {"openat:error=EIO:when=65536", "when= needs"},
      {"openat:delay_enter=-1", "delay_enter= needs"},
      {"openat:delay_enter=1e3", "delay_enter= needs"},
      {"openat:signal=SIGNOPE", "signal= needs"},
      {"openat:retval=12x", "retval= needs"},
      {"openat:delay_enter=5m", "delay_enter= needs"},
      {"openat:fault=EIO", "unknown 'fault=EIO'"},
      {"opnat:error=EIO", "unknown syscall 'opnat'"},
      {"openat", "give SET:ACTION"},
      {":error=EIO", "give SET:ACTION"},
  };
  for (const auto& c : cases) {
    std::string error = refusal(c.spec);
    EXPECT_NE(error.find(c.says), std::string::npos) << c.spec << " -> " << error;
    EXPECT_EQ(error.rfind("--inject=", 0), 0u) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  }
}

ParseOutcome parse(std::vector<std::string> args, Options* opt) {
  args.insert(args.begin(), "dtruss");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStderr();
  ParseOutcome r = parse_options(static_cast<int>(args.size()), argv.data(), opt);
  testing::internal::GetCapturedStderr();
  return r;
}

TEST(InjectOption, RepeatableAndStraceSpelling) {
  Options o;
  ASSERT_EQ(
      parse({"--inject=openat:error=EACCES", "-e", "inject=read:retval=0:when=2", "-e", "ls", "-e"},
            &o),
      ParseOutcome::Run);
  EXPECT_EQ(o.inject, (std::vector<std::string>{"openat:error=EACCES", "read:retval=0:when=2"}));
  EXPECT_TRUE(o.elapsed);  // the -e without inject= is dtruss's ELAPSD column
  EXPECT_EQ(o.command, (std::vector<std::string>{"ls", "-e"}));
  Options plain;
  ASSERT_EQ(parse({"-e", "inject=read:retval=0", "ls"}, &plain), ParseOutcome::Run);
  EXPECT_FALSE(plain.elapsed);  // -e inject= is not the column
  EXPECT_EQ(parse({"--inject=", "ls"}, &plain), ParseOutcome::ExitUsage);
}

}  // namespace
}  // namespace dtruss
