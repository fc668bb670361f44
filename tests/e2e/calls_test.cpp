// What dtruss shows of single-process fixtures: arguments, results and errors of file, pipe and
// memory calls, execve, signals, and how the traced program ends (its exit status included).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// Index of the first event at or after `from` for which `pred` holds; -1 if none.
template <class Pred>
long find_event(const std::vector<json>& events, Pred pred, long from = 0) {
  for (size_t i = static_cast<size_t>(std::max(from, 0L)); i < events.size(); ++i)
    if (pred(events[i])) return static_cast<long>(i);
  return -1;
}

bool is_call(const json& e, const std::string& name) {
  return e.value("type", "") == "syscall" && e.value("syscall", "") == name;
}

// The line of `text` containing `needle`, or "" when there is none.
std::string line_with(const std::string& text, const std::string& needle) {
  for (const auto& l : lines(text))
    if (l.find(needle) != std::string::npos) return l;
  return "";
}

std::string last_line(const std::string& text) {
  auto ls = lines(text);
  while (!ls.empty() && ls.back().empty()) ls.pop_back();
  return ls.empty() ? "" : ls.back();
}

// ---------------------------------------------------------------------------------------------
// files: openat (created, reopened, missing), write and read of a file

TEST(Files, OpenatWriteReadAndMissingPathInJson) {
  std::string dir = temp_dir();
  std::string path = dir + "/hello.txt";
  auto r = run_traced({"--json", fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));

  // The creating openat.
  long created = find_event(ev, [&](const json& e) {
    return is_call(e, "openat") && text_arg(e, "filename") == path &&
           e["args"].value("flags", "") == "O_WRONLY|O_CREAT|O_TRUNC";
  });
  ASSERT_GE(created, 0) << "no openat(\"" << path << "\", O_WRONLY|O_CREAT|O_TRUNC)";
  const json& c = ev[static_cast<size_t>(created)];
  EXPECT_EQ(c["args"]["dfd"], "AT_FDCWD");
  EXPECT_EQ(c["args"]["mode"], 420) << "mode 0644 is 420 in JSON";
  ASSERT_TRUE(c["ret"].is_number_integer());
  EXPECT_GE(c["ret"].get<long>(), 3);
  EXPECT_TRUE(c["errno"].is_null());
  EXPECT_EQ(c["nr"], 257);
  long wfd = c["ret"].get<long>();

  // The write of the text into it.
  long wrote = find_event(
      ev, [&](const json& e) { return is_call(e, "write") && e["args"].value("fd", -100L) == wfd; },
      created + 1);
  ASSERT_GT(wrote, created) << "no write to fd " << wfd << " after the creating openat";
  const json& w = ev[static_cast<size_t>(wrote)];
  EXPECT_EQ(w["args"]["buf"], "hello dtruss\n");
  EXPECT_EQ(w["args"]["count"], 13);
  EXPECT_EQ(w["ret"], 13);
  EXPECT_TRUE(w["errno"].is_null());

  // The read-only reopen.
  long reopened = find_event(ev, [&](const json& e) {
    return is_call(e, "openat") && text_arg(e, "filename") == path &&
           e["args"].value("flags", "") == "O_RDONLY";
  });
  ASSERT_GT(reopened, wrote) << "no openat(\"" << path << "\", O_RDONLY) after the write";
  const json& o = ev[static_cast<size_t>(reopened)];
  EXPECT_EQ(o["args"]["dfd"], "AT_FDCWD");
  ASSERT_TRUE(o["ret"].is_number_integer());
  EXPECT_GE(o["ret"].get<long>(), 3);
  EXPECT_TRUE(o["errno"].is_null());
  long rfd = o["ret"].get<long>();

  long rd = find_event(
      ev, [&](const json& e) { return is_call(e, "read") && e["args"].value("fd", -100L) == rfd; },
      reopened + 1);
  ASSERT_GT(rd, reopened) << "no read from fd " << rfd;
  const json& rj = ev[static_cast<size_t>(rd)];
  EXPECT_EQ(rj["ret"], 13);
  EXPECT_EQ(rj["args"]["buf"], "hello dtruss\n");
  EXPECT_EQ(rj["args"]["count"], 64);
  EXPECT_TRUE(rj["errno"].is_null());

  long closed = find_event(
      ev, [&](const json& e) { return is_call(e, "close") && e["args"].value("fd", -100L) == rfd; },
      rd + 1);
  ASSERT_GT(closed, rd) << "no close of fd " << rfd << " after the read";
  EXPECT_EQ(ev[static_cast<size_t>(closed)]["ret"], 0);

  // The missing path.
  long missing = find_event(ev, [&](const json& e) {
    return is_call(e, "openat") && text_arg(e, "filename") == "/nonexistent/dtruss-missing";
  });
  ASSERT_GT(missing, closed) << "no openat of /nonexistent/dtruss-missing after the close";
  const json& m = ev[static_cast<size_t>(missing)];
  EXPECT_EQ(m["args"]["flags"], "O_RDONLY");
  EXPECT_EQ(m["ret"], -1);
  EXPECT_EQ(m["errno"], "ENOENT");
  EXPECT_EQ(m["errmsg"], "No such file or directory");

  // Every syscall event has the documented fields.
  for (const auto& e : syscalls(ev)) {
    EXPECT_TRUE(e.contains("ts_ns") && e["ts_ns"].is_number_unsigned()) << e.dump();
    EXPECT_TRUE(e.contains("dur_ns")) << e.dump();
    EXPECT_TRUE(e["pid"].is_number_integer()) << e.dump();
    EXPECT_EQ(e["pid"], e["tid"]) << "single-threaded fixture: " << e.dump();
    EXPECT_TRUE(e["nr"].is_number_integer()) << e.dump();
    EXPECT_TRUE(e["args"].is_object()) << e.dump();
    EXPECT_TRUE(e.contains("ret") && e.contains("errno")) << e.dump();
  }
}

TEST(Files, TextLinesOfOpenat) {
  std::string dir = temp_dir();
  std::string path = dir + "/hello.txt";
  auto r = run_traced({fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  SCOPED_TRACE(r.trace);
  // No descriptor of dtruss's leaks into the command: it gets the lowest one free in ours.
  std::string fd = std::to_string(free_fds_in_command(1)[0]);
  EXPECT_NE(r.trace.find("openat(AT_FDCWD, \"" + path +
                         "\", O_WRONLY|O_CREAT|O_TRUNC, 0644)\t\t = " + fd + "\n"),
            std::string::npos);
  EXPECT_NE(r.trace.find("write(" + fd + ", \"hello dtruss\\n\", 13)\t\t = 13\n"),
            std::string::npos);
  EXPECT_NE(r.trace.find("read(" + fd + ", \"hello dtruss\\n\", 64)\t\t = 13\n"),
            std::string::npos);
  std::string missing = line_with(r.trace, "/nonexistent/dtruss-missing");
  ASSERT_FALSE(missing.empty());
  EXPECT_EQ(missing.rfind("openat(AT_FDCWD, \"/nonexistent/dtruss-missing\", O_RDONLY", 0), 0u)
      << missing;
  EXPECT_NE(missing.find("= -1 ENOENT (No such file or directory)"), std::string::npos) << missing;
}

// ---------------------------------------------------------------------------------------------
// rw: write to stdout, pipe2, a round trip through the pipe

TEST(ReadWrite, WriteAndPipeRoundTripInJson) {
  auto r = run_traced({"--json", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fixture says hi\n") << "the command's own output goes through untouched";
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));

  long w1 = find_event(
      ev, [](const json& e) { return is_call(e, "write") && e["args"].value("fd", -100L) == 1; });
  ASSERT_GE(w1, 0) << "no write(1, ...)";
  const json& w = ev[static_cast<size_t>(w1)];
  EXPECT_EQ(w["args"], json({{"fd", 1}, {"buf", "fixture says hi\n"}, {"count", 16}}));
  EXPECT_EQ(w["ret"], 16);
  EXPECT_TRUE(w["errno"].is_null());
  EXPECT_EQ(w["nr"], 1);
  EXPECT_EQ(w["comm"], "rw");

  long p = find_event(
      ev, [](const json& e) { return is_call(e, "pipe2"); }, w1 + 1);
  ASSERT_GT(p, w1) << "no pipe2 after the write";
  const json& pj = ev[static_cast<size_t>(p)];
  EXPECT_EQ(pj["ret"], 0);
  EXPECT_EQ(pj["args"]["flags"], "O_CLOEXEC");
  const json& fildes = pj["args"]["fildes"];
  ASSERT_TRUE(fildes.is_array()) << "fildes should be [read end, write end]: " << fildes.dump();
  ASSERT_EQ(fildes.size(), 2u);
  ASSERT_TRUE(fildes[0].is_number_integer() && fildes[1].is_number_integer()) << fildes.dump();
  long rfd = fildes[0].get<long>(), wfd = fildes[1].get<long>();
  EXPECT_GE(rfd, 3);
  EXPECT_GE(wfd, 3);
  EXPECT_NE(rfd, wfd);

  long wp = find_event(
      ev, [&](const json& e) { return is_call(e, "write") && e["args"].value("fd", -100L) == wfd; },
      p + 1);
  ASSERT_GT(wp, p) << "no write to the pipe's write end " << wfd;
  EXPECT_EQ(ev[static_cast<size_t>(wp)]["args"]["buf"], "through the pipe");
  EXPECT_EQ(ev[static_cast<size_t>(wp)]["args"]["count"], 16);
  EXPECT_EQ(ev[static_cast<size_t>(wp)]["ret"], 16);

  long rp = find_event(
      ev, [&](const json& e) { return is_call(e, "read") && e["args"].value("fd", -100L) == rfd; },
      wp + 1);
  ASSERT_GT(rp, wp) << "no read from the pipe's read end " << rfd;
  EXPECT_EQ(ev[static_cast<size_t>(rp)]["ret"], 16);
  EXPECT_EQ(ev[static_cast<size_t>(rp)]["args"]["buf"], "through the pipe");
  EXPECT_EQ(ev[static_cast<size_t>(rp)]["args"]["count"], 64);

  for (long fd : {rfd, wfd}) {
    long c = find_event(
        ev,
        [&](const json& e) { return is_call(e, "close") && e["args"].value("fd", -100L) == fd; },
        rp + 1);
    EXPECT_GT(c, rp) << "no close(" << fd << ") after the read";
  }
}

TEST(ReadWrite, TextLines) {
  auto r = run_traced({fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  SCOPED_TRACE(r.trace);
  EXPECT_NE(r.trace.find("write(1, \"fixture says hi\\n\", 16)\t\t = 16\n"), std::string::npos);
  auto fds = free_fds_in_command(2);
  std::string rfd = std::to_string(fds[0]), wfd = std::to_string(fds[1]);
  EXPECT_NE(r.trace.find("pipe2([" + rfd + ", " + wfd + "], O_CLOEXEC)\t\t = 0\n"),
            std::string::npos);
  EXPECT_NE(r.trace.find("write(" + wfd + ", \"through the pipe\", 16)\t\t = 16\n"),
            std::string::npos);
  EXPECT_NE(r.trace.find("read(" + rfd + ", \"through the pipe\", 64)\t\t = 16\n"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// mmap: anonymous mapping, mprotect, munmap

TEST(Memory, MmapMprotectMunmapInJson) {
  auto r = run_traced({"--json", fixture("mmap")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));

  // The fixture's munmap(p, 8192) is its last munmap; its mmap is the last 8 KiB anonymous one
  // before it (ld.so makes one of the same shape earlier).
  long un = -1;
  for (long i = static_cast<long>(ev.size()) - 1; i >= 0 && un < 0; --i)
    if (is_call(ev[static_cast<size_t>(i)], "munmap") &&
        ev[static_cast<size_t>(i)]["args"].value("len", 0L) == 8192)
      un = i;
  ASSERT_GE(un, 0) << "no munmap(p, 8192)";
  const json& u = ev[static_cast<size_t>(un)];
  ASSERT_TRUE(u["args"]["addr"].is_string()) << "addresses are \"0x...\" strings";
  std::string addr = u["args"]["addr"];
  EXPECT_EQ(u["ret"], 0);

  // `ret` is always a JSON number (docs/json.md); arguments that are addresses are hex strings.
  const uint64_t addr_value = std::stoull(addr, nullptr, 16);
  long mm = -1;
  for (long i = un - 1; i >= 0 && mm < 0; --i) {
    const json& e = ev[static_cast<size_t>(i)];
    if (is_call(e, "mmap") && e["ret"].is_number() && e["ret"].get<uint64_t>() == addr_value)
      mm = i;
  }
  ASSERT_GE(mm, 0) << "no mmap returning " << addr << " before munmap";
  const json& m = ev[static_cast<size_t>(mm)];
  EXPECT_TRUE(m["args"]["addr"].is_null()) << "NULL is null";
  EXPECT_EQ(m["args"]["len"], 8192);
  EXPECT_EQ(m["args"]["prot"], "PROT_READ|PROT_WRITE");
  EXPECT_EQ(m["args"]["flags"], "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(m["args"]["fd"], -1);
  EXPECT_EQ(m["args"]["off"], 0);
  EXPECT_TRUE(m["errno"].is_null());
  ASSERT_TRUE(m["ret"].is_number_unsigned()) << m["ret"].dump();
  EXPECT_GT(m["ret"].get<uint64_t>(), 0u);

  long mp = find_event(
      ev,
      [&](const json& e) { return is_call(e, "mprotect") && e["args"].value("start", "") == addr; },
      mm + 1);
  ASSERT_GT(mp, mm) << "no mprotect(" << addr << ", ...) after the mmap";
  ASSERT_LT(mp, un);
  const json& p = ev[static_cast<size_t>(mp)];
  EXPECT_EQ(p["args"]["len"], 4096);
  EXPECT_EQ(p["args"]["prot"], "PROT_READ");
  EXPECT_EQ(p["ret"], 0);
}

// ---------------------------------------------------------------------------------------------
// execve: the exec of another program, and its calls under its new name

TEST(Exec, ExecveArgumentsAndNewComm) {
  auto r = run_traced({"--json", fixture("execer")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "about to exec\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto calls = syscalls(ev);
  ASSERT_FALSE(calls.empty());

  // The trace starts at the command's own execve (dtruss's set-up in the child is not shown).
  const json& first = calls.front();
  EXPECT_EQ(first["syscall"], "execve");
  EXPECT_EQ(first["args"]["filename"], fixture("execer"));
  EXPECT_EQ(first["args"]["argv"], json::array({fixture("execer")}));
  EXPECT_EQ(first["ret"], 0);

  long wr = find_event(ev, [](const json& e) {
    return is_call(e, "write") && text_arg(e, "buf") == "about to exec\n";
  });
  ASSERT_GE(wr, 0);
  EXPECT_EQ(ev[static_cast<size_t>(wr)]["comm"], "execer");

  long ex = find_event(ev, [](const json& e) {
    return is_call(e, "execve") && text_arg(e, "filename") == "/bin/true";
  });
  ASSERT_GT(ex, wr) << "no execve(\"/bin/true\", ...) after the write";
  const json& x = ev[static_cast<size_t>(ex)];
  EXPECT_EQ(x["args"]["argv"], json::array({"true", "arg1"}));
  const json& envp = x["args"]["envp"];
  ASSERT_TRUE(envp.is_object() && envp.contains("count")) << envp.dump();
  ASSERT_TRUE(envp["count"].is_number_integer()) << envp.dump();
  EXPECT_GT(envp["count"].get<long>(), 0);
  EXPECT_EQ(x["ret"], 0);
  EXPECT_TRUE(x["errno"].is_null());
  EXPECT_EQ(x["pid"], first["pid"]) << "execve keeps the pid";

  // After it, the new program's calls, named "true".
  size_t after = 0;
  for (size_t i = static_cast<size_t>(ex) + 1; i < ev.size(); ++i) {
    if (ev[i].value("type", "") != "syscall") continue;
    ++after;
    EXPECT_EQ(ev[i]["comm"], "true") << ev[i].dump();
    EXPECT_EQ(ev[i]["pid"], first["pid"]) << ev[i].dump();
  }
  EXPECT_GE(after, 3u) << "the calls of /bin/true should follow the execve";
  auto exits = syscalls(ev, "exit_group");
  ASSERT_EQ(exits.size(), 1u);
  EXPECT_EQ(exits[0]["comm"], "true");
  EXPECT_EQ(exits[0]["args"]["error_code"], 0);
}

// ---------------------------------------------------------------------------------------------
// signals

TEST(Signals, CaughtSignalIsShownBeforeItsHandlersCalls) {
  auto r = run_traced({"--json", fixture("signals")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "caught\n") << "the signal must still reach the program";
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));

  long act = find_event(ev, [](const json& e) {
    return is_call(e, "rt_sigaction") && e["args"].value("sig", "") == "SIGUSR1";
  });
  ASSERT_GE(act, 0) << "no rt_sigaction(SIGUSR1, ...)";

  long k = find_event(
      ev,
      [](const json& e) { return is_call(e, "kill") && e["args"].value("sig", "") == "SIGUSR1"; },
      act + 1);
  ASSERT_GT(k, act) << "no kill(..., SIGUSR1)";
  const json& kj = ev[static_cast<size_t>(k)];
  EXPECT_EQ(kj["args"]["pid"], kj["pid"]);
  EXPECT_EQ(kj["ret"], 0);

  long s = find_event(ev, [](const json& e) {
    return e.value("type", "") == "signal" && e.value("signal", "") == "SIGUSR1";
  });
  ASSERT_GE(s, 0) << "no signal event for SIGUSR1";
  EXPECT_GT(s, k) << "the signal is delivered after the kill";
  const json& sj = ev[static_cast<size_t>(s)];
  EXPECT_EQ(sj["pid"], kj["pid"]);
  EXPECT_EQ(sj["siginfo"]["si_signo"], "SIGUSR1");
  EXPECT_EQ(sj["siginfo"]["si_code"], "SI_USER");
  EXPECT_EQ(sj["siginfo"]["si_pid"], kj["pid"]);
  EXPECT_EQ(sj["siginfo"]["si_uid"], static_cast<long>(getuid()));

  long w = find_event(
      ev, [](const json& e) { return is_call(e, "write") && text_arg(e, "buf") == "caught\n"; });
  ASSERT_GE(w, 0) << "no write of the handler";
  EXPECT_GT(w, s) << "the handler's write comes after the signal";
  EXPECT_EQ(ev[static_cast<size_t>(w)]["ret"], 7);
  long ret = find_event(
      ev, [](const json& e) { return is_call(e, "rt_sigreturn"); }, w + 1);
  EXPECT_GT(ret, w) << "rt_sigreturn ends the handler";
}

TEST(Signals, TextSignalLine) {
  auto r = run_traced({fixture("signals")});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string line = line_with(r.trace, "--- SIGUSR1");
  ASSERT_FALSE(line.empty()) << r.trace;
  EXPECT_EQ(line.rfind("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=", 0), 0u) << line;
  EXPECT_EQ(line.substr(line.size() - 5), "} ---") << line;
}

// ---------------------------------------------------------------------------------------------
// how the program ends

TEST(Ending, KilledBySigkill) {
  auto r = run_traced({"--json", fixture("selfkill")});
  EXPECT_EQ(r.status, 137) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto kills = syscalls(ev, "kill");
  ASSERT_EQ(kills.size(), 1u);
  EXPECT_EQ(kills[0]["args"]["sig"], "SIGKILL");
  EXPECT_EQ(kills[0]["args"]["pid"], kills[0]["pid"]);
  // It never returned: the process died in it.
  EXPECT_TRUE(kills[0]["ret"].is_null()) << kills[0].dump();
  EXPECT_TRUE(kills[0]["errno"].is_null()) << kills[0].dump();
  EXPECT_EQ(kills[0].value("unfinished", false), true) << kills[0].dump();
  ASSERT_FALSE(ev.empty());
  const json& last = ev.back();
  EXPECT_EQ(last["type"], "exit");
  EXPECT_EQ(last["signal"], "SIGKILL");
  EXPECT_EQ(last["core_dumped"], false);
  EXPECT_FALSE(last.contains("status"));
  EXPECT_EQ(last["pid"], kills[0]["pid"]);
}

TEST(Ending, KilledBySigkillText) {
  auto r = run_traced({fixture("selfkill")});
  EXPECT_EQ(r.status, 137) << r.err;
  EXPECT_EQ(last_line(r.trace), "+++ killed by SIGKILL +++") << r.trace;
}

TEST(Ending, Segfault) {
  auto r = run_traced({"--json", fixture("selfsegv")});
  EXPECT_EQ(r.status, 139) << r.err;
  EXPECT_EQ(r.out, "about to crash\n");
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  long s = find_event(ev, [](const json& e) {
    return e.value("type", "") == "signal" && e.value("signal", "") == "SIGSEGV";
  });
  ASSERT_GE(s, 0) << "no SIGSEGV signal event";
  const json& si = ev[static_cast<size_t>(s)]["siginfo"];
  EXPECT_EQ(si["si_signo"], "SIGSEGV");
  EXPECT_EQ(si["si_code"], "SEGV_MAPERR");
  ASSERT_TRUE(si.contains("si_addr")) << si.dump();
  EXPECT_TRUE(si["si_addr"].is_null()) << "the fault address is NULL: " << si.dump();
  const json& last = ev.back();
  EXPECT_EQ(last["type"], "exit");
  EXPECT_EQ(last["signal"], "SIGSEGV");
  EXPECT_EQ(last["core_dumped"], false) << "the fixture sets RLIMIT_CORE to 0";
}

TEST(Ending, SegfaultText) {
  auto r = run_traced({fixture("selfsegv")});
  EXPECT_EQ(r.status, 139) << r.err;
  EXPECT_NE(
      r.trace.find("\n--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL} ---\n"),
      std::string::npos)
      << r.trace;
  EXPECT_EQ(last_line(r.trace), "+++ killed by SIGSEGV +++") << r.trace;
}

TEST(Ending, ExitStatus3) {
  auto r = run_traced({"--json", fixture("exit3")});
  EXPECT_EQ(r.status, 3) << r.err;
  auto ev = json_lines(r.trace);
  SCOPED_TRACE(dump(ev));
  auto eg = syscalls(ev, "exit_group");
  ASSERT_EQ(eg.size(), 1u);
  EXPECT_EQ(eg[0]["args"], json({{"error_code", 3}}));
  EXPECT_TRUE(eg[0]["ret"].is_null()) << "exit_group does not return";
  EXPECT_TRUE(eg[0]["errno"].is_null());
  EXPECT_EQ(eg[0]["nr"], 231);
  const json& last = ev.back();
  EXPECT_EQ(last["type"], "exit");
  EXPECT_EQ(last["status"], 3);
  EXPECT_FALSE(last.contains("signal"));
}

TEST(Ending, ExitStatus3Text) {
  auto r = run_traced({fixture("exit3")});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.trace.find("\nexit_group(3)\t\t = ?\n"), std::string::npos) << r.trace;
  EXPECT_EQ(last_line(r.trace), "+++ exited with 3 +++") << r.trace;
}

// dtruss's own exit status is the command's: 128+N when signal N killed it.
TEST(Ending, DtrussExitStatusIsTheCommands) {
  struct Case {
    const char* fixture;
    int status;
  };
  for (Case c : {Case{"rw", 0}, Case{"exit3", 3}, Case{"selfkill", 137}, Case{"selfsegv", 139}}) {
    auto r = e2e::run_dtruss({fixture(c.fixture)});
    EXPECT_EQ(r.status, c.status) << c.fixture << ": " << r.err;
    // The trace (on standard error) ends with how the command ended.
    std::string end = last_line(r.err);
    EXPECT_EQ(end.rfind("+++ ", 0), 0u) << c.fixture << ": " << end;
  }
}

}  // namespace
}  // namespace e2e
