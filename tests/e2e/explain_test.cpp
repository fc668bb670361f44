// --explain NAME (a syscall explained), -x / --explain COMMAND (an annotated trace, text and
// JSON) and -c --explain (descriptions in the summary). Expected texts come from the data files
// (src/syscalls/descriptions/*.txt), read here independently of dtruss's generated tables.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

struct Block {
  std::string about, returns;
  std::vector<std::pair<std::string, std::string>> args, errnos;
};

// The block of `name` in descriptions/*.txt, if one is written.
std::optional<Block> block_of(const std::string& name) {
  for (const auto& entry : std::filesystem::directory_iterator(DESCRIPTIONS_DIR)) {
    std::ifstream in(entry.path());
    std::string line;
    bool inside = false;
    Block b;
    while (std::getline(in, line)) {
      if (!inside) {
        inside = line == "@ " + name;
        continue;
      }
      if (line.empty()) break;
      if (line[0] == '#') continue;
      auto colon = line.find(": ");
      std::string key = line.substr(0, colon), text = line.substr(colon + 2);
      if (key == "about")
        b.about = text;
      else if (key == "returns")
        b.returns = text;
      else if (key.starts_with("arg "))
        b.args.emplace_back(key.substr(4), text);
      else if (key.starts_with("errno "))
        b.errnos.emplace_back(key.substr(6), text);
    }
    if (inside) return b;
  }
  return std::nullopt;
}

// The description as the annotations show it after "name: ".
std::string phrase(std::string about) {
  if (about.size() > 1 && std::isupper(static_cast<unsigned char>(about[0])) &&
      std::islower(static_cast<unsigned char>(about[1])))
    about[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(about[0])));
  if (about.ends_with('.') && !about.ends_with("...")) about.pop_back();
  return about;
}

// What an annotated trace says ENOENT means for `name`.
std::string enoent_meaning(const std::string& name) {
  if (auto b = block_of(name))
    for (const auto& [e, text] : b->errnos)
      if (e == "ENOENT") return text;
  return "no such file or directory";
}

void expect_explained(const std::string& name, const std::string& signature) {
  auto r = run_dtruss({"--explain", name});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string& t = r.out;
  EXPECT_EQ(t.find(signature), 0u) << t;
  auto b = block_of(name);
  if (!b) {  // the half numbered >= 160 is written separately
    EXPECT_NE(t.find("No description of this syscall yet."), std::string::npos) << t;
    return;
  }
  EXPECT_NE(t.find("\n" + b->about + "\n"), std::string::npos) << t;
  EXPECT_NE(t.find("\nReturns: " + b->returns + "\n"), std::string::npos) << t;
  ASSERT_FALSE(b->args.empty());
  for (const auto& [arg, text] : b->args)
    EXPECT_NE(t.find("  " + arg + " "), std::string::npos) << arg << "\n" << t;
  for (const auto& [arg, text] : b->args)
    EXPECT_NE(t.find(" " + text + "\n"), std::string::npos) << arg << "\n" << t;
  ASSERT_FALSE(b->errnos.empty());
  EXPECT_NE(t.find("Common errors"), std::string::npos) << t;
  for (const auto& [e, text] : b->errnos)
    EXPECT_NE(t.find("  " + e + " "), std::string::npos) << e << "\n" << t;
  for (const auto& [e, text] : b->errnos)
    EXPECT_NE(t.find(" " + text + "\n"), std::string::npos) << e << "\n" << t;
}

TEST(Explain, OpenatSignatureAndDescription) {
  expect_explained("openat", "openat(int dfd, const char *filename, int flags, umode_t mode)");
}

TEST(Explain, OpenSignatureArgumentsReturnsAndErrors) {
  ASSERT_TRUE(block_of("open")) << "open is in descriptions/unistd.txt";
  expect_explained("open", "open(const char *filename, int flags, umode_t mode)");
}

TEST(Explain, UnknownNameSuggestsAsTraceListDoes) {
  auto r = run_dtruss({"--explain", "opne"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("unknown syscall 'opne' (did you mean: open?)"), std::string::npos) << r.err;
  auto t = run_dtruss({"-t", "opne", "true"});
  EXPECT_NE(t.err.find("unknown syscall 'opne' (did you mean: open?)"), std::string::npos) << t.err;
  auto n = run_dtruss({"--explain", "nosuchcall"});
  EXPECT_EQ(n.status, 2);
  EXPECT_NE(n.err.find("unknown syscall 'nosuchcall'"), std::string::npos) << n.err;
  EXPECT_TRUE(n.out.empty()) << n.out;
}

TEST(Explain, AloneIsAUsageError) {
  auto r = run_dtruss({"--explain"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--explain needs a syscall name"), std::string::npos) << r.err;
}

// -x always traces, even a command named like a syscall; --explain NAME explains it.
TEST(Explain, DashXTracesACommandNamedLikeASyscall) {
  auto r = run_traced({"-x", "sync"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.trace.find("\nsync()"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("# execve: "), std::string::npos) << r.trace;
  auto e = run_dtruss({"--explain", "sync"});
  EXPECT_EQ(e.status, 0);
  EXPECT_EQ(e.out.find("sync()"), 0u) << e.out;
}

// Checks an annotated text trace of `cat /nonexistent`.
void check_annotated_cat(const std::string& trace) {
  auto ls = lines(trace);
  std::map<std::string, size_t> first_call;  // syscall -> line index of its first call
  for (size_t i = 0; i < ls.size(); ++i) {
    auto paren = ls[i].find('(');
    if (ls[i].starts_with("#") || paren == std::string::npos) continue;
    first_call.emplace(ls[i].substr(0, paren), i);
  }
  // A description right before the first call of each described syscall, and only there.
  for (const char* name : {"execve", "brk", "mmap", "close", "read", "openat", "newfstatat"}) {
    auto b = block_of(name);
    ASSERT_TRUE(first_call.count(name)) << name << "\n" << trace;
    size_t at = first_call[name];
    std::string about = "# " + std::string(name) + ": " + (b ? phrase(b->about) : "");
    size_t n = 0;
    for (const auto& l : ls) n += l == about;
    if (b) {
      ASSERT_GT(at, 0u);
      EXPECT_EQ(ls[at - 1], about) << trace;
      EXPECT_EQ(n, 1u) << about << "\n" << trace;
    } else {
      EXPECT_FALSE(ls[at - 1].starts_with("# " + std::string(name) + ": ")) << trace;
    }
  }
  // The ENOENT of openat: explained once, right after the first openat that failed with it.
  std::string note = "# openat: ENOENT means " + enoent_meaning("openat");
  size_t notes = 0, first_fail = 0;
  for (size_t i = 0; i < ls.size(); ++i) {
    notes += ls[i] == note;
    if (first_fail == 0 && ls[i].starts_with("openat(") &&
        ls[i].find("= -1 ENOENT (No such file or directory)") != std::string::npos)
      first_fail = i;
  }
  EXPECT_EQ(notes, 1u) << note << "\n" << trace;
  ASSERT_GT(first_fail, 0u) << trace;
  ASSERT_LT(first_fail + 1, ls.size());
  EXPECT_EQ(ls[first_fail + 1], note) << trace;
}

TEST(Explain, AnnotatedTextTrace) {
  auto r = run_traced({"-x", "cat", "/nonexistent"});
  EXPECT_EQ(r.status, 1) << r.err;
  check_annotated_cat(r.trace);
}

TEST(Explain, ExplainWithACommandAnnotatesLikeDashX) {
  auto r = run_traced({"--explain", "cat", "/nonexistent"});
  EXPECT_EQ(r.status, 1) << r.err;
  check_annotated_cat(r.trace);
}

TEST(Explain, AnnotatedJsonTrace) {
  auto r = run_traced({"--json", "-x", "cat", "/nonexistent"});
  EXPECT_EQ(r.status, 1) << r.err;
  auto ev = json_lines(r.trace);
  std::map<std::string, size_t> abouts, first;
  size_t enoent_notes = 0;
  bool after_first_fail = false;
  for (size_t i = 0; i < ev.size(); ++i) {
    const json& e = ev[i];
    if (e["type"] == "explain") {
      ASSERT_TRUE(e["ts_ns"].is_number()) << e;
      ASSERT_TRUE(e["text"].is_string()) << e;
      if (!e.contains("errno")) {
        std::string name = e["syscall"];
        ++abouts[name];
        auto b = block_of(name);
        ASSERT_TRUE(b) << e;
        EXPECT_EQ(e["text"], phrase(b->about));
        ASSERT_LT(i + 1, ev.size());
        EXPECT_EQ(ev[i + 1]["type"], "syscall");
        EXPECT_EQ(ev[i + 1]["syscall"], name) << "the description precedes its first call";
        EXPECT_FALSE(first.count(name)) << name << " was seen before its description";
      } else if (e["syscall"] == "openat" && e["errno"] == "ENOENT") {
        ++enoent_notes;
        EXPECT_EQ(e["text"], enoent_meaning("openat"));
        EXPECT_TRUE(after_first_fail) << "right after the first openat ENOENT";
      }
      continue;
    }
    after_first_fail = false;
    if (e["type"] != "syscall") continue;
    first.emplace(e["syscall"], i);
    if (e["syscall"] == "openat" && e["errno"] == "ENOENT" && enoent_notes == 0)
      after_first_fail = true;
  }
  EXPECT_EQ(enoent_notes, 1u) << r.trace;
  for (const char* name : {"execve", "brk", "mmap", "close", "read"})
    EXPECT_EQ(abouts[name], 1u) << name << "\n" << r.trace;
  for (const auto& [name, n] : abouts) EXPECT_EQ(n, 1u) << name;
}

TEST(Explain, SummaryShowsDescriptions) {
  auto r = run_traced({"-c", "--explain", "cat", "/nonexistent"});
  EXPECT_EQ(r.status, 1) << r.err;
  auto close_about = block_of("close");
  ASSERT_TRUE(close_about);
  bool found = false;
  for (const auto& l : lines(r.trace))
    found |= l.starts_with("close ") && l.ends_with("  " + phrase(close_about->about));
  EXPECT_TRUE(found) << r.trace;
  auto plain = run_traced({"-c", "cat", "/nonexistent"});
  EXPECT_EQ(plain.trace.find(phrase(close_about->about)), std::string::npos) << plain.trace;

  auto j = run_traced({"--json", "-c", "--explain", "cat", "/nonexistent"});
  auto ev = json_lines(j.trace);
  ASSERT_FALSE(ev.empty());
  ASSERT_EQ(ev.back()["type"], "summary");
  bool close_row = false;
  for (const auto& c : ev.back()["calls"])
    if (c["syscall"] == "close") close_row = c["about"] == phrase(close_about->about);
  EXPECT_TRUE(close_row) << ev.back();
}

}  // namespace
}  // namespace e2e
