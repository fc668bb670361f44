#include "cli/options.h"

#include <gtest/gtest.h>

#include <vector>

#include "parse_support.h"

namespace dtruss {
namespace {

using unit::last_err;
using unit::parse;

TEST(Options, CommandStopsOptionParsing) {
  Options o;
  ASSERT_EQ(parse({"-f", "-t", "read", "ls", "-l", "-f"}, &o), ParseOutcome::Run);
  EXPECT_TRUE(o.follow);
  EXPECT_EQ(o.trace_list, "read");
  EXPECT_EQ(o.command, (std::vector<std::string>{"ls", "-l", "-f"}));
}

TEST(Options, DashAMeansAllColumns) {
  Options o;
  ASSERT_EQ(parse({"-a", "true"}, &o), ParseOutcome::Run);
  EXPECT_TRUE(o.count && o.relative && o.elapsed && o.follow && o.cpu);
  EXPECT_TRUE(o.show_task.value_or(false));
}

TEST(Options, PidsAndLongOptions) {
  Options o;
  ASSERT_EQ(parse({"-p", "12,34", "--json", "--strsize", "128", "--output", "f", "-b", "8M"}, &o),
            ParseOutcome::Run);
  EXPECT_EQ(o.pids, (std::vector<pid_t>{12, 34}));
  EXPECT_TRUE(o.json);
  EXPECT_EQ(o.strsize, 128u);
  EXPECT_EQ(o.output_file, "f");
  EXPECT_EQ(o.buffer_size, 8u << 20);
}

TEST(Options, BadValuesAreUsageErrors) {
  Options o;
  EXPECT_EQ(parse({"-b", "lots", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("-b needs a size"), std::string::npos);
  EXPECT_EQ(parse({"--strsize", "-1", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_EQ(parse({"-p", "abc"}, &o), ParseOutcome::ExitUsage);
  EXPECT_EQ(parse({"--backend=gpu", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_EQ(parse({"-p", "1", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("either a command or -p"), std::string::npos);
  EXPECT_EQ(parse({}, &o), ParseOutcome::ExitUsage);
  EXPECT_EQ(parse({"-j", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("unknown option '-j'"), std::string::npos);
  EXPECT_EQ(parse({"--bogus", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("unknown option '--bogus'"), std::string::npos) << last_err();
  EXPECT_EQ(parse({"-f", "--bogus=3", "true"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("unknown option '--bogus'"), std::string::npos) << last_err();
  EXPECT_EQ(parse({"-f", "--output"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("option --output needs an argument"), std::string::npos) << last_err();
  EXPECT_EQ(parse({"-t"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("needs an argument"), std::string::npos);
}

TEST(Options, StackOptions) {
  Options o;
  ASSERT_EQ(parse({"-s", "true"}, &o), ParseOutcome::Run);
  EXPECT_TRUE(o.stack);
  EXPECT_EQ(o.stack_depth, 32u);
  EXPECT_EQ(o.stack_size, 16384u);
  Options d;
  ASSERT_EQ(
      parse({"-s", "--stack-depth", "5", "--stack-size", "8K", "--folded", "f.txt", "true"}, &d),
      ParseOutcome::Run);
  EXPECT_EQ(d.stack_depth, 5u);
  EXPECT_EQ(d.stack_size, 8192u);
  EXPECT_EQ(d.folded_file, "f.txt");
  Options bad;
  EXPECT_EQ(parse({"-s", "--stack-depth", "0", "true"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("--stack-depth needs"), std::string::npos) << last_err();
  EXPECT_EQ(parse({"-s", "--stack-size", "64K", "true"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("--stack-size needs"), std::string::npos) << last_err();
  Options no_s;
  EXPECT_EQ(parse({"--folded", "f.txt", "true"}, &no_s), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("give it with -s"), std::string::npos) << last_err();
}

TEST(Options, ByNameAndScopes) {
  Options o;
  ASSERT_EQ(parse({"-n", "sshd"}, &o), ParseOutcome::Run);
  EXPECT_EQ(o.name, "sshd");
  EXPECT_FALSE(o.wait_for_name);
  Options w;
  ASSERT_EQ(parse({"-W", "nginx"}, &w), ParseOutcome::Run);
  EXPECT_TRUE(w.wait_for_name);
  Options a;
  ASSERT_EQ(parse({"--all"}, &a), ParseOutcome::Run);
  EXPECT_TRUE(a.all_processes);
  Options bad;
  EXPECT_EQ(parse({"-n", "sshd", "ls"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("give one of"), std::string::npos);
  EXPECT_EQ(parse(
                {
                    "-n",
                    "",
                },
                &bad),
            ParseOutcome::ExitUsage);
}

TEST(Options, SummaryTimelineAndColor) {
  Options o;
  ASSERT_EQ(parse({"--summary", "--sort", "time", "--summary-by", "thread", "-H", "--timeline",
                   "t.json", "--color=always", "ls"},
                  &o),
            ParseOutcome::Run);
  EXPECT_TRUE(o.summary_only);
  EXPECT_FALSE(o.count);
  EXPECT_EQ(o.sort, SummarySort::Time);
  EXPECT_EQ(o.summary_by, SummaryBy::Thread);
  EXPECT_TRUE(o.histogram);
  EXPECT_EQ(o.timeline_file, "t.json");
  EXPECT_EQ(o.color, ColorChoice::Always);
  Options d;
  ASSERT_EQ(parse({"-c", "--summary-by=process", "ls"}, &d), ParseOutcome::Run);
  EXPECT_EQ(d.sort, SummarySort::Calls);
  EXPECT_EQ(d.summary_by, SummaryBy::Process);
  EXPECT_EQ(d.color, ColorChoice::Auto);
  Options bad;
  EXPECT_EQ(parse({"--color", "sometimes", "ls"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("--color takes auto, always or never, not 'sometimes'"),
            std::string::npos)
      << last_err();
  EXPECT_EQ(parse({"--summary-by", "cpu", "--summary", "ls"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("--summary-by takes process, thread, comm, container or cgroup"),
            std::string::npos);
  EXPECT_EQ(parse({"--summary-by", "thread", "ls"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("give it with -c or --summary"), std::string::npos);
  EXPECT_EQ(parse({"--timeline=", "ls"}, &bad), ParseOutcome::ExitUsage);
}

TEST(Options, HelpListsEveryOption) {
  std::string help = usage_text();
  for (const char* opt : {"-a", "-b",        "-c",     "-d",           "-e",         "-f",
                          "-l", "-L",        "-o",     "-p",           "-t",         "-u",
                          "-X", "--output",  "--json", "--backend",    "--strsize",  "--version",
                          "-H", "--summary", "--sort", "--summary-by", "--timeline", "--color"})
    EXPECT_NE(help.find(opt), std::string::npos) << opt;
}

}  // namespace
}  // namespace dtruss
