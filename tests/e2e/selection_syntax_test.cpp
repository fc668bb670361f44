// -t's forms for strace and DTrace users (globs, /regex, %net, ?name, syscall::NAME:entry),
// strace's -e KEY=VALUE (trace, signal, read, write) beside dtruss's own -e, and the hints for
// strace habits that mean something else to dtruss: on real programs, on both backends.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "harness.h"

namespace {

using e2e::fixture;
using e2e::json_lines;
using e2e::of_type;
using e2e::run_dtruss;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

// The names of the calls of a JSON trace, each once.
std::set<std::string> names_of(const std::string& trace) {
  std::set<std::string> names;
  for (const json& c : syscalls(json_lines(trace))) names.insert(c["syscall"].get<std::string>());
  return names;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class SelectionSyntax : public e2e::BackendTest {
 protected:
  // The names of the calls of `name` (a fixture, its arguments after) traced with `opts`.
  std::set<std::string> traced(std::vector<std::string> opts, const std::string& name,
                               const std::vector<std::string>& args = {}) {
    opts.insert(opts.begin(), {backend(), "--json"});
    opts.push_back(fixture(name));
    opts.insert(opts.end(), args.begin(), args.end());
    auto r = run_traced(opts);
    EXPECT_EQ(r.status, 0) << r.err;
    return names_of(r.trace);
  }
};

TEST_P(SelectionSyntax, GlobSelectsTheNamesItMatches) {
  std::string dir = e2e::temp_dir();
  auto names = traced({"-t", "open*,*stat*"}, "files", {dir});
  EXPECT_TRUE(names.count("openat")) << "files opens its file three times";
  for (const auto& n : names)
    EXPECT_TRUE(n.starts_with("open") || contains(n, "stat")) << n << " was not asked for";
}

// The numbers of the newest calls (454 and up) reach the backend's filter (the eBPF wanted map,
// the ptrace seccomp filter) from globs, expressions and probes alike.
TEST_P(SelectionSyntax, NewestCallsByEveryForm) {
  std::string dir = e2e::temp_dir();
  auto names = traced({"-t", "futex_*,/^(list|stat)mount$,syscall::file_*attr:entry"},
                      "new_syscalls", {dir});
  EXPECT_EQ(names, (std::set<std::string>{"futex_wake", "futex_wait", "futex_requeue", "listmount",
                                          "statmount", "file_getattr"}));
}

TEST_P(SelectionSyntax, RegexSelectsTheNamesItFinds) {
  auto names = traced({"-t", "/^(read|write)$"}, "rw");
  EXPECT_EQ(names, (std::set<std::string>{"read", "write"}));
  names = traced({"-t", "/^pipe"}, "rw");
  EXPECT_EQ(names, (std::set<std::string>{"pipe2"}));
}

TEST_P(SelectionSyntax, NetIsNetworkAndTheHelpExampleRuns) {
  auto names = traced({"-t", "%net"}, "structs_net");
  EXPECT_TRUE(names.count("socketpair") && names.count("connect") && names.count("accept4"));
  EXPECT_EQ(names, traced({"-t", "%network"}, "structs_net"));
  names = traced({"-t", "open,%net"}, "structs_net");  // -h's example
  EXPECT_TRUE(names.count("socket"));
  EXPECT_FALSE(names.count("write"));
}

TEST_P(SelectionSyntax, QuestionMarkNameMayBeMissing) {
  EXPECT_EQ(traced({"-t", "?no_such_call,write"}, "rw"), (std::set<std::string>{"write"}));
  auto r = run_dtruss({backend(), "-t", "no_such_call,write", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "unknown syscall 'no_such_call'")) << r.err;
  EXPECT_EQ(r.out, "") << "nothing may run";
}

TEST_P(SelectionSyntax, DtraceProbeNamesTheSyscalls) {
  EXPECT_EQ(traced({"-t", "syscall::write:entry"}, "rw"), (std::set<std::string>{"write"}));
  EXPECT_EQ(traced({"-t", "syscall::pipe*:return,syscall::read:entry"}, "rw"),
            (std::set<std::string>{"pipe2", "read"}));
  auto all = traced({"-t", "syscall:::entry"}, "rw");
  EXPECT_TRUE(all.count("execve") && all.count("pipe2") && all.count("close")) << all.size();
  auto r = run_dtruss({backend(), "-t", "fbt::vfs_read:entry", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "dtruss traces the syscall provider only")) << r.err;
}

TEST_P(SelectionSyntax, UnmatchedGlobOrRegexIsRefused) {
  for (const char* list : {"zzq*", "/^zzq"}) {
    auto r = run_dtruss({backend(), "-t", list, fixture("rw")});
    EXPECT_EQ(r.status, 2) << list;
    EXPECT_TRUE(contains(r.err, "no syscall matches '" + std::string(list) + "'")) << r.err;
    EXPECT_EQ(r.out, "") << "nothing may run";
  }
}

// -e trace=LIST is -t LIST, and does not turn on -e's ELAPSD column.
TEST_P(SelectionSyntax, StraceTraceExpression) {
  for (std::vector<std::string> e : {std::vector<std::string>{"-e", "trace=write"},
                                     {"-etrace=write"},
                                     {"-e", "t=write"},
                                     {"--trace=write"}}) {
    e.insert(e.begin(), backend());
    e.push_back(fixture("rw"));
    auto r = run_traced(e);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(contains(r.trace, "ELAPSD")) << e[1] << "\n" << r.trace;
    EXPECT_TRUE(contains(r.trace, "write(1, \"fixture says hi\\n\", 16)")) << r.trace;
    EXPECT_FALSE(contains(r.trace, "pipe2(")) << e[1] << "\n" << r.trace;
  }
  auto r = run_traced({backend(), "-e", "-t", "write", fixture("rw")});  // -e alone: ELAPSD
  EXPECT_TRUE(contains(r.trace, "ELAPSD")) << r.trace;
  // strace's leading ! negates the whole set; dtruss's -t negates the item.
  auto names = traced({"-e", "trace=!write,read"}, "rw");
  EXPECT_FALSE(names.count("write") || names.count("read"));
  EXPECT_TRUE(names.count("pipe2"));
  names = traced({"-e", "trace=%desc,!write"}, "rw");
  EXPECT_TRUE(names.count("read") && !names.count("write"));
}

TEST_P(SelectionSyntax, StraceSignalExpression) {
  auto shown = [&](const std::string& set) {
    auto r =
        run_traced({backend(), "--json", "-t", "kill", "-e", "signal=" + set, fixture("signals")});
    EXPECT_EQ(r.status, 0) << r.err;
    std::set<std::string> names;
    for (const json& s : of_type(json_lines(r.trace), "signal"))
      names.insert(s["signal"].get<std::string>());
    return names;
  };
  std::set<std::string> usr1{"SIGUSR1"}, none;
  EXPECT_EQ(shown("!SIGCHLD"), usr1);
  EXPECT_EQ(shown("usr1"), usr1);
  EXPECT_EQ(shown("SIGUSR1,SIGHUP"), usr1);
  EXPECT_EQ(shown("!SIGUSR1"), none);
  EXPECT_EQ(shown("none"), none);
  EXPECT_EQ(shown("!sigusr1"), none);
  EXPECT_EQ(shown("all"), usr1);
  auto r = run_dtruss({backend(), "-e", "signal=SIGBOGUS", fixture("signals")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err, "unknown signal 'SIGBOGUS'")) << r.err;
  EXPECT_EQ(r.out, "") << "nothing may run";
}

// -e write=W -e read=R (rw's pipe): its data, in strace's hex and ASCII lines, after the calls
// on those fds only.
TEST_P(SelectionSyntax, StraceReadWriteDumps) {
  // The pipe's fds (the lowest free ones: the same in every run from this test).
  auto pipe = run_traced({backend(), "--json", "-t", "pipe2", fixture("rw")});
  json fds = syscalls(json_lines(pipe.trace), "pipe2").at(0)["args"]["fildes"];
  ASSERT_EQ(fds.size(), 2u) << pipe.trace;
  std::string rd = std::to_string(fds[0].get<int>()), wr = std::to_string(fds[1].get<int>());
  auto r = run_traced({backend(), "-L", "-t", "read,write", "-e", "write=" + wr, "-e", "read=" + rd,
                       fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string dump =
      " | 00000  74 68 72 6f 75 67 68 20  74 68 65 20 70 69 70 65  through the pipe |";
  // Each call line with the dump lines that follow it.
  std::vector<std::pair<std::string, std::vector<std::string>>> calls;
  for (const auto& line : e2e::lines(r.trace)) {
    if (line.starts_with(" | ") && !calls.empty())
      calls.back().second.push_back(line);
    else
      calls.push_back({line, {}});
  }
  size_t pipe_calls = 0, loader_reads = 0;
  for (const auto& [line, dumps] : calls) {
    if (line.starts_with("write(" + wr + ", ") || line.starts_with("read(" + rd + ", \"thro")) {
      ++pipe_calls;
      EXPECT_EQ(dumps, std::vector<std::string>{dump}) << line;
    } else if (line.starts_with("read(" + rd + ", \"\\x7fELF") && line.ends_with("= 832")) {
      ++loader_reads;  // the loader reads libc's ELF header on that fd: 832 bytes, in full
      EXPECT_EQ(dumps.size(), 832u / 16) << line;
    } else {
      EXPECT_TRUE(dumps.empty()) << line << "\n" << dumps.front();
    }
  }
  EXPECT_EQ(pipe_calls, 2u) << r.trace;
  EXPECT_EQ(loader_reads, 1u) << r.trace;

  r = run_traced({backend(), "--json", "-t", "write", "-e", "w=" + wr, fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const json& c : syscalls(json_lines(r.trace), "write")) {
    if (c["args"]["fd"] == fds[1])
      EXPECT_EQ(c["dump"], "7468726f756768207468652070697065") << c;
    else
      EXPECT_FALSE(c.contains("dump")) << c;
  }
}

// A large write: dumped in full by both backends (eBPF copies up to 64 KiB of a dumped call's
// buffer; what it could not copy would be said by a line, or dump_len: dump_full_test.cpp).
TEST_P(SelectionSyntax, LargeDumpSaysWhatIsMissing) {
  std::string file = e2e::temp_dir() + "/data";
  {
    std::ofstream f(file);
    for (int i = 0; i < 2000; ++i) f << "line " << i % 10 << "...\n";  // 20000 bytes
  }
  auto r = run_traced({backend(), "--json", "-t", "write", "-e", "write=1", "/bin/cat", file});
  ASSERT_EQ(r.status, 0) << r.err;
  auto writes = syscalls(json_lines(r.trace), "write");
  ASSERT_EQ(writes.size(), 1u) << r.trace;
  const json& w = writes[0];
  ASSERT_EQ(w["ret"], 20000);
  std::string hex = w["dump"].get<std::string>();
  size_t captured = 20000;
  EXPECT_EQ(hex.size(), 2 * captured);
  EXPECT_EQ(hex.substr(0, 20), "6c696e6520302e2e2e0a");  // "line 0...\n"
  if (captured < 20000)
    EXPECT_EQ(w["dump_len"], 20000);
  else
    EXPECT_FALSE(w.contains("dump_len"));
  r = run_traced({backend(), "-t", "write", "-e", "write=1", "/bin/cat", file});
  ASSERT_EQ(r.status, 0) << r.err;
  size_t lines = 0;
  for (const auto& line : e2e::lines(r.trace)) lines += line.starts_with(" | 0");
  EXPECT_EQ(lines, captured / 16);
  std::string missing = " | (" + std::to_string(20000 - captured) + " of 20000 bytes not captured)";
  EXPECT_EQ(contains(r.trace, missing + "\n"), captured < 20000) << r.trace;
}

// readv and writev: the data of every buffer, as one dump (-e read=all -e write=all).
TEST_P(SelectionSyntax, IovecDumps) {
  auto r = run_traced({backend(), "-L", "-t", "readv,writev", "-e", "read=all", "-e", "write=all",
                       fixture("structs_net")});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string dump =
      " | 00000  70 69 6e 67 20 70 6f 6e  67                       ping pong        |";
  auto ls = e2e::lines(r.trace);
  size_t dumps = 0;
  for (size_t i = 1; i < ls.size(); ++i) {
    if (!ls[i].starts_with(" | ")) continue;
    ++dumps;
    EXPECT_EQ(ls[i], dump) << r.trace;
    EXPECT_TRUE(ls[i - 1].starts_with("writev(") || ls[i - 1].starts_with("readv(")) << r.trace;
  }
  EXPECT_EQ(dumps, 2u) << r.trace;
}

// The names strace's -o file shows calls of ("openat(AT_FDCWD, ..." lines), each once.
std::set<std::string> strace_names(const std::string& text) {
  std::set<std::string> names;
  for (const auto& line : e2e::lines(text)) {
    size_t paren = line.find('(');
    if (paren == std::string::npos || paren == 0) continue;
    std::string name = line.substr(0, paren);
    if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos)
      names.insert(name);
  }
  return names;
}

// strace's -e trace= forms select the same calls in dtruss as in strace, on the same programs.
TEST_P(SelectionSyntax, SameSelectionAsStrace) {
  ASSERT_TRUE(e2e::have_program("strace"))
      << "this test compares with strace: install it (scripts/install-test-deps.sh)";
  std::string dir = e2e::temp_dir();
  const std::vector<std::vector<std::string>> programs = {{fixture("files"), dir},
                                                          {fixture("structs_net")}};
  const char* forms[] = {"trace=%file",
                         "trace=%desc",
                         "trace=%net",
                         "trace=%network",
                         "trace=%process",
                         "trace=%memory",
                         "trace=/^(open|read)",
                         "t=/stat",
                         "trace=!%memory,%desc",
                         "trace=!read",
                         "trace=?no_such_call,read,write",
                         "trace=all",
                         "trace=%signal,%creds"};
  for (const auto& program : programs) {
    for (const char* form : forms) {
      std::string out = dir + "/strace.out";
      std::vector<std::string> st{"/usr/bin/env", "strace", "-qq", "-o", out, "-e", form};
      st.insert(st.end(), program.begin(), program.end());
      auto s = e2e::run(st);
      ASSERT_EQ(s.status, 0) << s.err;
      std::vector<std::string> dt{backend(), "--json", "-e", form};
      dt.insert(dt.end(), program.begin(), program.end());
      auto d = run_traced(dt);
      ASSERT_EQ(d.status, 0) << d.err;
      EXPECT_EQ(names_of(d.trace), strace_names(e2e::read_file(out)))
          << "-e " << form << " on " << program[0];
    }
  }
}

// strace's classes of the stat and statfs calls and %pure, and the personality suffixes (NAME@64
// is the x86_64 call; @32 and @x32 select nothing dtruss traces, as strace on x86_64 shows
// nothing of a 64-bit program for them), on a program that makes each call once.
TEST_P(SelectionSyntax, StatClassesAndPersonalitiesAsStrace) {
  ASSERT_TRUE(e2e::have_program("strace"))
      << "this test compares with strace: install it (scripts/install-test-deps.sh)";
  std::string dir = e2e::temp_dir();
  const char* forms[] = {"trace=%stat",
                         "trace=%lstat",
                         "trace=%fstat",
                         "trace=%%stat",
                         "trace=%statfs",
                         "trace=%fstatfs",
                         "trace=%%statfs",
                         "trace=%pure",
                         "trace=getpid@64,fstat,read@32",
                         "trace=!%pure,getpgrp@x32,getuid@64"};
  for (const char* form : forms) {
    std::string out = dir + "/strace.out";
    auto s = e2e::run(
        {"/usr/bin/env", "strace", "-qq", "-o", out, "-e", form, fixture("stat_variants")});
    ASSERT_EQ(s.status, 0) << s.err;
    auto d = run_traced({backend(), "--json", "-e", form, fixture("stat_variants")});
    ASSERT_EQ(d.status, 0) << d.err;
    auto theirs = strace_names(e2e::read_file(out));
    EXPECT_FALSE(theirs.empty()) << form;
    EXPECT_EQ(names_of(d.trace), theirs) << "-e " << form;
    // (a suffix of another ABI is said, once)
    EXPECT_EQ(contains(d.err, "calls are not traced"),
              contains(form, "@32") || contains(form, "@x32"))
        << d.err;
  }
}

INSTANTIATE_BACKENDS(SelectionSyntax);

// strace habits that collide with dtruss's flags: one line that says what was meant, exit 2,
// nothing run.
TEST(SelectionSyntaxUsage, StraceHabitsGetAHint) {
  struct Case {
    std::vector<std::string> args;
    const char* hint;
  } cases[] = {
      {{"-s", "128", "@rw"}, "did you mean --strsize 128?"},
      {{"-s128", "@rw"}, "did you mean --strsize 128?"},
      {{"-tt", "@rw"},
       "-tt is strace's wall-clock time; dtruss's -t takes a syscall list: "
       "did you mean --timestamps=us?"},
      {{"-ttt", "@rw"}, "did you mean --timestamps=us?"},
      {{"-e", "abbrev=none", "@rw"}, "-e abbrev= is strace's; dtruss has no such setting"},
      {{"-e", "read=x", "@rw"}, "bad fd 'x'"},
  };
  for (auto& c : cases) {
    for (auto& a : c.args)
      if (a == "@rw") a = fixture("rw");
    auto r = run_dtruss(c.args);
    EXPECT_EQ(r.status, 2) << c.args[0];
    EXPECT_TRUE(contains(r.err, c.hint)) << r.err;
    EXPECT_EQ(e2e::lines(r.err).size(), 2u) << "the hint, then 'Try dtruss -h'\n" << r.err;
    EXPECT_EQ(r.out, "") << "nothing may run";
  }
}

// strace's -e NAME (its trace= by default) is dtruss's -e and a command NAME: said, as -o FILE is.
TEST(SelectionSyntaxUsage, DashESyscallIsNotACommand) {
  auto r = run_dtruss({"-e", "openat", fixture("rw")});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err,
                       "'openat' is not a command you can run. Note that -e alone adds the "
                       "ELAPSD column: to trace only openat, use -e trace=openat"))
      << r.err;
  EXPECT_EQ(r.out, "") << "nothing may run";
}

TEST(SelectionSyntaxUsage, HelpStatesTheDashERule) {
  auto r = run_dtruss({"-h"});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(contains(r.out, "-e alone is the ELAPSD column. -e KEY=VALUE")) << r.out;
}

}  // namespace
