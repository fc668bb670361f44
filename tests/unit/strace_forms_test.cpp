// strace's forms on dtruss's command line (cli/strace_forms.h): -e KEY=VALUE beside dtruss's own
// -e, strace's sets, and the hints for strace habits.
#include "cli/strace_forms.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <vector>

#include "cli/options.h"
#include "parse_support.h"

namespace dtruss {
namespace {

using unit::last_err;
using unit::parse;

using Words = std::vector<std::string>;

TEST(StraceForms, DashEWithKeyValueIsStraceExpression) {
  for (const Words& args : {Words{"-e", "trace=open,read", "ls"}, Words{"-etrace=open,read", "ls"},
                            Words{"-e", "t=open,read", "ls"}, Words{"--trace=open,read", "ls"}}) {
    Options o;
    ASSERT_EQ(parse(args, &o), ParseOutcome::Run) << args[0] << ": " << last_err();
    EXPECT_EQ(o.trace_list, "open,read") << args[0];
    EXPECT_FALSE(o.elapsed) << args[0] << ": the expression is not -e's column";
    EXPECT_EQ(o.command, Words{"ls"}) << args[0];
  }
}

TEST(StraceForms, DashEAloneKeepsItsMeaning) {
  Options o;
  ASSERT_EQ(parse({"-e", "ls", "-e", "trace=x"}, &o), ParseOutcome::Run) << last_err();
  EXPECT_TRUE(o.elapsed);
  EXPECT_EQ(o.command, (Words{"ls", "-e", "trace=x"})) << "the command's words are its own";
  o = {};
  ASSERT_EQ(parse({"--elapsed", "-t", "read", "ls"}, &o), ParseOutcome::Run) << last_err();
  EXPECT_TRUE(o.elapsed);
  o = {};
  ASSERT_EQ(parse({"-ec", "ls"}, &o), ParseOutcome::Run) << last_err();
  EXPECT_TRUE(o.elapsed && o.count);
  o = {};  // -e ends a group of flags: the next word is its expression
  ASSERT_EQ(parse({"-ce", "trace=read", "ls"}, &o), ParseOutcome::Run) << last_err();
  EXPECT_TRUE(o.count);
  EXPECT_FALSE(o.elapsed);
  EXPECT_EQ(o.trace_list, "read");
  o = {};  // a word with = that is none of strace's keys: a command, as before
  ASSERT_EQ(parse({"-e", "FOO=bar"}, &o), ParseOutcome::Run) << last_err();
  EXPECT_TRUE(o.elapsed);
  EXPECT_EQ(o.command, Words{"FOO=bar"});
}

TEST(StraceForms, TraceSetNegatesAsAWhole) {
  Options o;
  ASSERT_EQ(parse({"-e", "trace=!open,read", "ls"}, &o), ParseOutcome::Run) << last_err();
  EXPECT_EQ(o.trace_list, "!open,!read");
  EXPECT_EQ(trace_set_as_list("%file,!openat"), "%file,!openat");
  EXPECT_EQ(trace_set_as_list("!a,!b"), "!a,!b");
}

TEST(StraceForms, SetsAndTheirOptions) {
  Options o;
  ASSERT_EQ(parse({"-e", "signal=!SIGCHLD", "-e", "r=0,3", "-e", "writes=1", "ls"}, &o),
            ParseOutcome::Run)
      << last_err();
  EXPECT_EQ(o.signal_set, "!SIGCHLD");
  EXPECT_EQ(o.dump_read, "0,3");
  EXPECT_EQ(o.dump_write, "1");
  o = {};
  EXPECT_EQ(parse({"-e", "signal=SIGNOPE", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("unknown signal 'SIGNOPE'"), std::string::npos) << last_err();
  o = {};
  EXPECT_EQ(parse({"-e", "abbrev=none", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("-e abbrev= is strace's"), std::string::npos) << last_err();
}

TEST(StraceForms, SignalSet) {
  NumberSet s;
  std::string err;
  ASSERT_TRUE(parse_signal_set("!SIGCHLD", &s, &err)) << err;
  EXPECT_FALSE(s.contains(SIGCHLD));
  EXPECT_TRUE(s.contains(SIGUSR1));
  ASSERT_TRUE(parse_signal_set("chld,Usr1,15", &s, &err)) << err;
  EXPECT_TRUE(s.contains(SIGCHLD) && s.contains(SIGUSR1) && s.contains(SIGTERM));
  EXPECT_FALSE(s.contains(SIGINT));
  ASSERT_TRUE(parse_signal_set("none", &s, &err)) << err;
  EXPECT_FALSE(s.contains(SIGINT));
  ASSERT_TRUE(parse_signal_set("all", &s, &err)) << err;
  EXPECT_TRUE(s.contains(SIGINT));
  EXPECT_FALSE(parse_signal_set("0", &s, &err));
  EXPECT_FALSE(parse_signal_set("SIGFOO", &s, &err));
}

TEST(StraceForms, FdSet) {
  NumberSet s;
  std::string err;
  ASSERT_TRUE(parse_fd_set("3,5", &s, &err)) << err;
  EXPECT_TRUE(s.contains(3) && s.contains(5));
  EXPECT_FALSE(s.contains(4) || s.contains(1000));
  ASSERT_TRUE(parse_fd_set("!1", &s, &err)) << err;
  EXPECT_TRUE(s.contains(3) && s.contains(1000));
  EXPECT_FALSE(s.contains(1));
  EXPECT_FALSE(parse_fd_set("-1", &s, &err));
  EXPECT_NE(err.find("bad fd '-1'"), std::string::npos) << err;
}

TEST(StraceForms, HabitHints) {
  Options o;
  EXPECT_EQ(parse({"-s", "128", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("did you mean --strsize 128?"), std::string::npos) << last_err();
  o = {};
  EXPECT_EQ(parse({"-tt", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("-tt is strace's wall-clock time"), std::string::npos) << last_err();
  o = {};
  EXPECT_EQ(parse({"-ttt", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("-ttt is strace's"), std::string::npos) << last_err();
  o = {};
  EXPECT_EQ(parse({"-s128", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("did you mean --strsize 128?"), std::string::npos) << last_err();
  o = {};
  EXPECT_EQ(parse({"-fs64", "ls"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("unknown option '-6'"), std::string::npos) << last_err();
  o = {};  // -s with a command: no hint
  EXPECT_EQ(parse({"-s", "ls"}, &o), ParseOutcome::Run) << last_err();
}

}  // namespace
}  // namespace dtruss
