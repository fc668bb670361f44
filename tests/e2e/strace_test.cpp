// dtruss against strace: for the same command, each thread makes the same syscalls in the same
// order, whichever tracer watches it.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// Per thread, in the order threads first appear: the names of the syscalls it made.
using Sequences = std::vector<std::pair<long, std::vector<std::string>>>;

void add_call(Sequences& seqs, std::map<long, size_t>& index, long tid, const std::string& name) {
  auto it = index.find(tid);
  if (it == index.end()) {
    it = index.emplace(tid, seqs.size()).first;
    seqs.push_back({tid, {}});
  }
  seqs[it->second].second.push_back(name);
}

// strace -f -o FILE lines: "PID NAME(args) = ret", "PID NAME(args <unfinished ...>",
// "PID <... NAME resumed> ...) = ret", "PID +++ exited with 0 +++", "PID --- SIGCHLD {...} ---".
Sequences parse_strace(const std::string& text) {
  Sequences seqs;
  std::map<long, size_t> index;
  std::regex call("^(?:(\\d+)\\s+)?([a-z_][a-z0-9_]*)\\(");
  for (const auto& l : lines(text)) {
    std::smatch m;
    if (!std::regex_search(l, m, call)) continue;  // resumed, +++, --- lines
    long tid = m[1].matched ? std::stol(m[1]) : 0;
    add_call(seqs, index, tid, m[2]);
  }
  return seqs;
}

Sequences parse_dtruss(const std::string& json_trace) {
  Sequences seqs;
  std::map<long, size_t> index;
  for (const auto& e : syscalls(json_lines(json_trace)))
    add_call(seqs, index, e["tid"].get<long>(), e["syscall"].get<std::string>());
  return seqs;
}

std::string show(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += n + "\n";
  return out;
}

// The first position where two sequences differ, with some context, for a readable failure.
std::string first_difference(const std::vector<std::string>& want,
                             const std::vector<std::string>& got) {
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  std::ostringstream out;
  out << "sequences differ at call #" << i << " (strace has " << want.size() << " calls, dtruss "
      << got.size() << ")\n";
  size_t from = i >= 3 ? i - 3 : 0;
  out << "  strace: ";
  for (size_t k = from; k < std::min(want.size(), i + 4); ++k)
    out << (k == i ? "[" : "") << want[k] << (k == i ? "] " : " ");
  out << "\n  dtruss: ";
  for (size_t k = from; k < std::min(got.size(), i + 4); ++k)
    out << (k == i ? "[" : "") << got[k] << (k == i ? "] " : " ");
  return out.str();
}

void compare_with_strace(const std::vector<std::string>& cmd) {
  ASSERT_TRUE(e2e::have_program("strace"))
      << "strace is not installed: this test compares dtruss with it (apt-get install strace)";
  // One untraced run first, so that caches a first run may fill (e.g. Python's bytecode) do not
  // make the two traced runs differ.
  run(cmd);

  std::string file = temp_dir() + "/strace.out";
  std::vector<std::string> st{"/usr/bin/env", "strace", "-f", "-qq",
                              "-o",           file,     "-e", "signal=none"};
  st.insert(st.end(), cmd.begin(), cmd.end());
  auto s = run(st);
  ASSERT_EQ(s.status, 0) << s.err;
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  Sequences want = parse_strace(ss.str());
  ASSERT_FALSE(want.empty()) << "nothing parsed from strace's output:\n" << ss.str();

  std::vector<std::string> args{"-f", "--json"};
  args.insert(args.end(), cmd.begin(), cmd.end());
  auto d = run_traced(args);
  ASSERT_EQ(d.status, 0) << d.err;
  Sequences got = parse_dtruss(d.trace);
  ASSERT_FALSE(got.empty());

  EXPECT_EQ(want.front().second.front(), "execve");
  EXPECT_EQ(got.front().second.front(), "execve") << "dtruss's trace starts at the execve";
  ASSERT_EQ(want.size(), got.size())
      << "number of threads: strace " << want.size() << ", dtruss " << got.size();
  for (size_t t = 0; t < want.size(); ++t) {
    EXPECT_EQ(want[t].second, got[t].second)
        << "thread #" << t << " (strace tid " << want[t].first << ", dtruss tid " << got[t].first
        << "): " << first_difference(want[t].second, got[t].second) << "\n--- strace ---\n"
        << show(want[t].second) << "--- dtruss ---\n"
        << show(got[t].second);
  }
}

TEST(StraceParity, Ls) {
  compare_with_strace({"/bin/ls", "/"});
}

TEST(StraceParity, Cat) {
  compare_with_strace({"/bin/cat", "/etc/passwd"});
}

TEST(StraceParity, Python) {
  compare_with_strace({"/usr/bin/python3", "-c", "pass"});
}

}  // namespace
}  // namespace e2e
