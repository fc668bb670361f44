// strace's -e status=, -e signal= and -e read=/write= select, in dtruss, what they select in strace
// on the same program (-e trace= and -e inject= are compared in selection_syntax_test.cpp and
// inject_test.cpp), on both backends.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using nlohmann::json;

class StraceForms : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    ASSERT_TRUE(e2e::have_program("strace"))
        << "this test compares with strace: install it (scripts/install-test-deps.sh)";
    dir_ = e2e::temp_dir();
  }
  // strace's -o file of `program` under `-e form` for each of `forms` (and -f).
  std::string strace(const std::vector<std::string>& forms,
                     const std::vector<std::string>& program) const {
    std::string out = dir_ + "/strace.out";
    std::vector<std::string> argv{"/usr/bin/env", "strace", "-qq", "-f", "-o", out};
    for (const auto& f : forms) argv.insert(argv.end(), {"-e", f});
    argv.insert(argv.end(), program.begin(), program.end());
    auto r = e2e::run(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    return e2e::read_file(out);
  }
  // dtruss's trace of `program` under the same (and -f), with `extra` options first.
  std::string dtruss(const std::vector<std::string>& forms, const std::vector<std::string>& program,
                     std::vector<std::string> extra) const {
    std::vector<std::string> argv{backend(), "-f"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const auto& f : forms) argv.insert(argv.end(), {"-e", f});
    argv.insert(argv.end(), program.begin(), program.end());
    auto r = e2e::run_traced(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.trace;
  }
  std::string dir_;
};

INSTANTIATE_BACKENDS(StraceForms);

// A line of strace -f without its pid (padded with blanks to a width).
std::string without_pid(const std::string& line) {
  size_t at = line.find_first_not_of("0123456789");
  if (at == 0 || at == std::string::npos || line[at] != ' ') return line;
  return line.substr(line.find_first_not_of(' ', at));
}

// strace's lines, without its -f pid: "NAME(...) = RET" -> "NAME failed" or "NAME ok"
// ("NAME unfinished" for "= ?"), one each.
std::set<std::string> strace_calls(const std::string& text) {
  std::set<std::string> out;
  for (std::string line : e2e::lines(text)) {
    line = without_pid(line);
    size_t paren = line.find('(');
    if (paren == std::string::npos || paren == 0 || line.starts_with("---") ||
        line.starts_with("+++"))
      continue;
    std::string name = line.substr(0, paren);
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)
      continue;
    size_t eq = line.rfind(" = ");
    if (eq == std::string::npos) continue;
    std::string ret = line.substr(eq + 3);
    out.insert(name + (ret.starts_with("?")    ? " unfinished"
                       : ret.starts_with("-1") ? " failed"
                                               : " ok"));
  }
  return out;
}

std::set<std::string> dtruss_calls(const std::string& trace) {
  std::set<std::string> out;
  for (const json& c : e2e::syscalls(e2e::json_lines(trace))) {
    std::string name = c["syscall"];
    out.insert(name + (c["ret"].is_null()      ? " unfinished"
                       : !c["errno"].is_null() ? " failed"
                                               : " ok"));
  }
  return out;
}

TEST_P(StraceForms, StatusSelectsAsStrace) {
  const std::vector<std::vector<std::string>> programs = {{fixture("files"), dir_},
                                                          {fixture("status_paths")}};
  for (const char* form : {"status=failed", "status=successful", "status=unfinished",
                           "status=failed,unfinished", "status=!failed", "status=all"}) {
    for (const auto& program : programs) {
      SCOPED_TRACE(std::string(form) + " on " + program[0]);
      auto theirs = strace_calls(strace({form}, program));
      EXPECT_FALSE(theirs.empty());
      EXPECT_EQ(dtruss_calls(dtruss({form}, program, {"--json"})), theirs);
    }
  }
}

// The signals strace shows ("--- SIGUSR1 {...} ---"), against dtruss's "signal" events, on a
// program that signals itself and one whose child exits (SIGCHLD).
std::set<std::string> strace_signals(const std::string& text) {
  std::set<std::string> out;
  for (const auto& line : e2e::lines(text)) {
    size_t at = line.find("--- SIG");
    if (at != std::string::npos) out.insert(line.substr(at + 4, line.find(' ', at + 4) - at - 4));
  }
  return out;
}

TEST_P(StraceForms, SignalSetSelectsAsStrace) {
  const std::vector<std::vector<std::string>> programs = {{fixture("signals")},
                                                          {fixture("forker")}};
  for (const char* form : {"signal=all", "signal=none", "signal=SIGUSR1", "signal=!SIGUSR1",
                           "signal=chld", "signal=!SIGCHLD,SIGUSR1", "signal=SIGUSR1,SIGCHLD"}) {
    for (const auto& program : programs) {
      SCOPED_TRACE(std::string(form) + " on " + program[0]);
      auto theirs = strace_signals(strace({form}, program));
      std::set<std::string> ours;
      for (const json& s :
           e2e::of_type(e2e::json_lines(dtruss({form}, program, {"--json"})), "signal"))
        ours.insert(s["signal"].get<std::string>());
      EXPECT_EQ(ours, theirs);
    }
  }
  // (the programs do send and get signals: the comparison is not of two empty sets)
  EXPECT_EQ(strace_signals(strace({"signal=all"}, {fixture("signals")})),
            (std::set<std::string>{"SIGUSR1"}));
  EXPECT_EQ(strace_signals(strace({"signal=all"}, {fixture("forker")})),
            (std::set<std::string>{"SIGCHLD"}));
}

// The hex and ASCII lines strace writes after a read or write on the fds of -e read=/write=, with
// the call each follows (its name and fd): the same lines after the same calls.
std::vector<std::string> dumps(const std::string& text) {
  std::vector<std::string> out;
  std::string call;
  for (std::string line : e2e::lines(text)) {
    line = without_pid(line);
    size_t start = line.find_first_not_of(' ');
    if (start != std::string::npos && line.compare(start, 2, "| ") == 0) {  // (a dump line)
      out.push_back(call + line.substr(start));
      continue;
    }
    size_t comma = line.find(',');
    if (line.find('(') != std::string::npos && comma != std::string::npos)
      call = line.substr(0, comma) + ": ";
  }
  return out;
}

TEST_P(StraceForms, ReadWriteDumpsAsStrace) {
  // The pipe's fds (the lowest free ones: the same in every run of rw from here).
  auto pipe = e2e::run_traced({backend(), "--json", "-t", "pipe2", fixture("rw")});
  json fds = e2e::syscalls(e2e::json_lines(pipe.trace), "pipe2").at(0)["args"]["fildes"];
  ASSERT_EQ(fds.size(), 2u) << pipe.trace;
  std::string rd = std::to_string(fds[0].get<int>()), wr = std::to_string(fds[1].get<int>());
  for (const std::string& form : std::vector<std::string>{
           "read=" + rd, "write=" + wr, "write=1," + wr, "read=" + rd + "," + wr, "read=none"}) {
    SCOPED_TRACE(form);
    auto theirs = dumps(strace({form, "trace=read,write"}, {fixture("rw")}));
    auto ours = dumps(dtruss({form, "trace=read,write"}, {fixture("rw")}, {"-L"}));
    EXPECT_EQ(ours, theirs);
    if (form != "read=none") {
      EXPECT_FALSE(theirs.empty());
    }
  }
}

}  // namespace

namespace {

// A status set that selects nothing is refused (it would otherwise show everything): exit 2,
// nothing run.
TEST(StraceFormsUsage, StatusSetOfNothingIsRefused) {
  for (const char* form : {"status=!all", "status=!failed,successful,unfinished,detached"}) {
    auto r = e2e::run_dtruss({"-e", form, fixture("rw")});
    EXPECT_EQ(r.status, 2) << form;
    EXPECT_TRUE(e2e::contains(r.err, "--status selects nothing")) << r.err;
    EXPECT_EQ(r.out, "") << "nothing may run";
  }
}

}  // namespace
