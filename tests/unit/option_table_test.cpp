// The option table is what the man page and the completions are generated from: it must agree
// with what the parser accepts.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "cli/options.h"
#include "util/text.h"

namespace dtruss {
namespace {

struct Parsed {
  ParseOutcome outcome;
  Options opt;
  std::string err;
};

Parsed parse(std::vector<std::string> args) {
  args.insert(args.begin(), "dtruss");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Parsed p;
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  p.outcome = parse_options(static_cast<int>(args.size()), argv.data(), &p.opt);
  testing::internal::GetCapturedStdout();
  p.err = testing::internal::GetCapturedStderr();
  return p;
}

std::string label(const OptionDoc& o) {
  return o.key < 256 ? std::string("-") + static_cast<char>(o.key) : std::string("--") + o.name;
}

TEST(OptionTable, NamesAndKeysAreUnique) {
  std::set<int> keys;
  std::set<std::string> names;
  for (const auto& o : option_table()) {
    EXPECT_TRUE(keys.insert(o.key).second) << o.name;
    EXPECT_TRUE(names.insert(o.name).second) << o.name;
    EXPECT_NE(std::string(o.help), "") << o.name;
  }
  EXPECT_GE(option_table().size(), 30u);
}

TEST(OptionTable, HelpShowsEveryRow) {
  std::string help = usage_text();
  for (const auto& o : option_table()) {
    EXPECT_NE(help.find(std::string("--") + o.name), std::string::npos) << o.name;
    EXPECT_NE(help.find(o.help), std::string::npos) << o.name;
  }
}

// Every word a completion offers for a choice option is accepted, in the short and long form
// alike; a word that is not a choice is refused with the list of choices.
TEST(OptionTable, EveryChoiceParses) {
  int with_choices = 0;
  for (const auto& o : option_table()) {
    const char* words = option_choices(o.key);
    if (words == nullptr) continue;
    ++with_choices;
    ASSERT_NE(o.arg, nullptr) << o.name << " has choices but takes no argument";
    for (auto word : split(words, '|')) {
      std::string w(word);
      Parsed p = parse({"-c", std::string("--") + o.name + "=" + w, "true"});
      EXPECT_EQ(p.outcome, ParseOutcome::Run) << o.name << "=" << w << ": " << p.err;
      if (o.key < 256) {
        Parsed s = parse({"-c", label(o), w, "true"});
        EXPECT_EQ(s.outcome, ParseOutcome::Run) << label(o) << " " << w << ": " << s.err;
      }
    }
    Parsed bad = parse({"-c", std::string("--") + o.name + "=nope", "true"});
    EXPECT_EQ(bad.outcome, ParseOutcome::ExitUsage) << o.name;
    EXPECT_NE(bad.err.find(label(o) + " takes "), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("not 'nope'"), std::string::npos) << bad.err;
  }
  // -X, --backend, --sort, --summary-by, --color, --status, --timestamps, --decode-pids,
  // --tracer-cpu
  EXPECT_EQ(with_choices, 9);
}

TEST(OptionTable, ChoicesSetTheirValues) {
  EXPECT_EQ(parse({"-X", "raw", "true"}).opt.style, ArgStyle::Raw);
  EXPECT_EQ(parse({"-X", "verbose", "true"}).opt.style, ArgStyle::Verbose);
  EXPECT_EQ(parse({"-X", "verbose", "-X", "decoded", "true"}).opt.style, ArgStyle::Decoded);
  EXPECT_EQ(parse({"--backend=bpf", "true"}).opt.backend, BackendChoice::Bpf);
  EXPECT_EQ(parse({"--backend", "ptrace", "true"}).opt.backend, BackendChoice::Ptrace);
  EXPECT_EQ(parse({"-c", "--sort=errors", "true"}).opt.sort, SummarySort::Errors);
  EXPECT_EQ(parse({"-c", "--sort=name", "true"}).opt.sort, SummarySort::Name);
  EXPECT_EQ(parse({"-c", "--summary-by=process", "true"}).opt.summary_by, SummaryBy::Process);
  EXPECT_EQ(parse({"--color=never", "true"}).opt.color, ColorChoice::Never);
  Parsed x = parse({"-X", "hex", "true"});
  EXPECT_EQ(x.outcome, ParseOutcome::ExitUsage);
  EXPECT_NE(x.err.find("-X takes raw, verbose or decoded, not 'hex'"), std::string::npos) << x.err;
}

}  // namespace
}  // namespace dtruss
