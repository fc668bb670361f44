// Part 9's options as parsed: --status and its short forms, -P, --timestamps (with and without a
// precision), -r, -T, -Y and --decode-pids.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/options.h"
#include "parse_support.h"

namespace dtruss {
namespace {

using unit::last_err;

// The options, then a command ("true").
ParseOutcome parse(std::vector<std::string> args, Options* opt) {
  args.emplace_back("true");
  return unit::parse(std::move(args), opt);
}

unsigned status_of(std::vector<std::string> args) {
  Options o;
  EXPECT_EQ(parse(std::move(args), &o), ParseOutcome::Run) << last_err();
  return o.status;
}

TEST(FilterOptions, StatusWordsAndShortForms) {
  EXPECT_EQ(status_of({}), 0u);
  EXPECT_EQ(status_of({"-Z"}), kStatusFailed);
  EXPECT_EQ(status_of({"--failed-only"}), kStatusFailed);
  EXPECT_EQ(status_of({"-z"}), kStatusSuccessful);
  EXPECT_EQ(status_of({"-Z", "-z"}), kStatusFailed | kStatusSuccessful);
  EXPECT_EQ(status_of({"--status=unfinished,detached"}), kStatusUnfinished | kStatusDetached);
  EXPECT_EQ(status_of({"--status", "failed", "--status=successful"}),
            kStatusFailed | kStatusSuccessful);
  Options o;
  EXPECT_EQ(parse({"--status=failed,"}, &o), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("not ''"), std::string::npos) << last_err();
}

TEST(FilterOptions, PathsAreRepeatableAndNeverEmpty) {
  Options o;
  ASSERT_EQ(parse({"-P", "/a,b", "--path=/c"}, &o), ParseOutcome::Run);
  EXPECT_EQ(o.paths, (std::vector<std::string>{"/a,b", "/c"}));
  Options bad;
  EXPECT_EQ(parse({"-P", ""}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("-P needs a path"), std::string::npos) << last_err();
}

TEST(FilterOptions, TimestampsTakeAnOptionalPrecision) {
  Options o;
  ASSERT_EQ(parse({"--timestamps"}, &o), ParseOutcome::Run);
  EXPECT_EQ(o.timestamps, Timestamps::Micros);
  ASSERT_EQ(parse({"--timestamps=ns"}, &o), ParseOutcome::Run);
  EXPECT_EQ(o.timestamps, Timestamps::Nanos);
  ASSERT_EQ(parse({"--timestamps=s"}, &o), ParseOutcome::Run);
  EXPECT_EQ(o.timestamps, Timestamps::Seconds);
  Options bad;
  EXPECT_EQ(parse({"--timestamps=h"}, &bad), ParseOutcome::ExitUsage);
  EXPECT_NE(last_err().find("--timestamps takes s, ms, us or ns, not 'h'"), std::string::npos)
      << last_err();
}

TEST(FilterOptions, TimesAndNames) {
  Options o;
  ASSERT_EQ(parse({"-r", "-T", "-Y"}, &o), ParseOutcome::Run);
  EXPECT_TRUE(o.relative_timestamps);
  EXPECT_TRUE(o.syscall_times);
  EXPECT_TRUE(o.comm);
  Options d;
  ASSERT_EQ(parse({"--decode-pids=comm"}, &d), ParseOutcome::Run);
  EXPECT_TRUE(d.comm);
  Options none;
  ASSERT_EQ(parse({}, &none), ParseOutcome::Run);
  EXPECT_FALSE(none.comm);
}

}  // namespace
}  // namespace dtruss
