// Capture files (-w, -R) and the flight recorder (--flight-recorder, --trigger), part 11: the
// same view options show the same output live and from the capture, byte for byte, on both
// backends; a capture cut short replays up to its last event; a file dtruss does not read is
// refused in one line; the flight recorder writes the events before SIGUSR1 or a trigger.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {

// Where each record of a capture's decompressed stream starts (docs/capture-format.md: a type
// byte, the payload's length as a LEB128 number, the payload). (capture_context_test.cpp too.)
std::vector<size_t> capture_record_starts(const std::string& r) {
  std::vector<size_t> starts;
  for (size_t at = 0; at + 2 <= r.size();) {
    starts.push_back(at);
    uint64_t len = 0;
    size_t i = at + 1;
    for (int shift = 0; i < r.size() && shift < 35; shift += 7) {
      auto b = static_cast<uint8_t>(r[i++]);
      len |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) break;
    }
    at = i + len;
  }
  return starts;
}

namespace {

using nlohmann::json;

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// The marker paths (flight.c) of the openat calls of a JSON trace, in order.
std::vector<std::string> markers(const std::string& json_trace) {
  std::vector<std::string> out;
  for (const json& e : syscalls(json_lines(json_trace), "openat")) {
    std::string path = text_arg(e, "filename");
    if (path.rfind("/nonexistent/flight-", 0) == 0) out.push_back(path.substr(20));
  }
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Capture : public BackendTest {
 protected:
  std::string dir_ = temp_dir();
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

  // Records `cmd` with `view`, the trace of the live view in --output live; then replays it with
  // the same view into --output replay; both must succeed and be identical (and not empty).
  // Files the view writes (--timeline, --folded: `extra_files`) are compared too.
  void expect_same(const std::vector<std::string>& view, const std::vector<std::string>& cmd,
                   const std::vector<std::string>& extra_files = {}) {
    SCOPED_TRACE(::testing::PrintToString(view));
    std::string cap = file("c.cap"), live = file("live"), replay = file("replay");
    Result r = run_dtruss(
        concat(concat({backend(), "-w", cap, "--output", live}, with_files(view, "live")), cmd));
    ASSERT_EQ(r.status, 0) << r.err;
    Result p = run_dtruss(concat({"-R", cap, "--output", replay}, with_files(view, "replay")));
    ASSERT_EQ(p.status, 0) << p.err;
    std::string a = read_file(live), b = read_file(replay);
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, b);
    for (const auto& f : extra_files) {
      std::string la = read_file(file("live." + f)), rb = read_file(file("replay." + f));
      EXPECT_FALSE(la.empty()) << f;
      EXPECT_EQ(la, rb) << f;
    }
  }
  // The view with @NAME replaced by a file of this run (live.NAME, replay.NAME).
  std::vector<std::string> with_files(std::vector<std::string> view, const std::string& run) const {
    for (auto& a : view)
      if (!a.empty() && a[0] == '@') a = file(run + "." + a.substr(1));
    return view;
  }
};

// Each view option, live (dtruss -w FILE with the option) and replayed (-R FILE with it).
TEST_P(Capture, EveryViewIsTheSameLiveAndReplayed) {
  std::string d = temp_dir();
  std::vector<std::string> cmd = {fixture("files"), d};
  const std::vector<std::vector<std::string>> views = {
      {},
      {"--json"},
      {"--json", "--timestamps=ns"},
      {"-c"},
      {"--summary"},
      {"--summary", "--summary-by=process", "-H", "--sort=time"},
      {"--summary", "--json"},
      {"-y"},
      {"-x"},
      {"-t", "openat,read"},
      {"-Z"},
      {"-z", "-P", d + "/hello.txt"},
      {"--timestamps=us", "-r", "-T"},
      {"-d", "-e"},
      {"-X", "raw", "-l", "-Y"},
      {"--signal=none", "--color=always"},
  };
  for (const auto& v : views) expect_same(v, cmd);
  expect_same({"--timeline", "@timeline"}, cmd, {"timeline"});
}

// What the backend must record besides: -s's frames, -o's CPU times, -f's children (the PID
// prefix the live trace shows is that of the replay), -v's and --strsize's captures, --read's
// and --write's whole buffers.
TEST_P(Capture, StacksCpuAndChildrenReplayTheSame) {
  expect_same({"-s"}, {fixture("stack_chain")});
  expect_same({"-s", "--summary", "--folded", "@folded"}, {fixture("stack_chain")}, {"folded"});
  expect_same({"-o", "-d"}, {fixture("files"), temp_dir()});
  expect_same({"-f"}, {fixture("forker")});
  expect_same({"-v", "--strsize=200"}, {fixture("files"), temp_dir()});
  expect_same({"--read=3", "--write=3"}, {fixture("files"), temp_dir()});
}

// -w FILE alone writes only the file (the command's own output passes); -R shows it.
TEST_P(Capture, WriteAloneWritesOnlyTheFile) {
  std::string cap = file("only.cap");
  Result r = run_dtruss({backend(), "-w", cap, "/bin/echo", "hello"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "hello\n");
  EXPECT_EQ(r.err, "");
  Result p = run_dtruss({"-R", cap, "--json"});
  ASSERT_EQ(p.status, 0) << p.err;
  auto calls = syscalls(json_lines(p.out + p.err), "write");
  ASSERT_FALSE(calls.empty()) << p.err;
}

// --summary with -w: the backend still sends every call (the eBPF backend counts in the kernel
// otherwise), so the capture shows the lines too, and the same table.
TEST_P(Capture, SummaryRecordsEveryCall) {
  std::string cap = file("sum.cap");
  Result r = run_dtruss({backend(), "-w", cap, "--summary", "--output", file("live"),
                         fixture("flight"), "yield", "20"});
  ASSERT_EQ(r.status, 0) << r.err;
  Result p = run_dtruss({"-R", cap, "--json", "--output", file("lines")});
  ASSERT_EQ(p.status, 0) << p.err;
  auto events = json_lines(read_file(file("lines")));
  EXPECT_EQ(syscalls(events, "sched_yield").size(), 1u) << dump(events);
  EXPECT_EQ(markers(read_file(file("lines"))).size(), 40u);
  Result s = run_dtruss({"-R", cap, "--summary", "--output", file("table")});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(read_file(file("table")), read_file(file("live")));
}

// A capture holds -y's fd notes always: recorded without -y, it shows them with -y (and, as -y
// said at the call, the file each fd was), and without -y it shows none.
TEST_P(Capture, FdNotesAreRecordedWithoutY) {
  std::string cap = file("fd.cap"), d = temp_dir();
  Result r = run_dtruss({backend(), "-w", cap, fixture("files"), d});
  ASSERT_EQ(r.status, 0) << r.err;
  Result y = run_dtruss({"-R", cap, "-y", "--output", file("y")});
  ASSERT_EQ(y.status, 0) << y.err;
  std::string with = read_file(file("y"));
  EXPECT_TRUE(contains(with, "<" + d + "/hello.txt>, \"hello dtruss\\n\", 13)")) << with;
  Result n = run_dtruss({"-R", cap, "--output", file("n")});
  ASSERT_EQ(n.status, 0) << n.err;
  EXPECT_FALSE(contains(read_file(file("n")), "hello.txt>")) << read_file(file("n"));
}

// A capture cut short (a killed recorder, a full disk) replays up to its last complete event and
// says where it ends (status 1); its lines are the first lines of the whole capture's.
TEST_P(Capture, TruncatedFileReplaysUpToItsLastEvent) {
  std::string cap = file("whole.cap");
  Result r = run_dtruss({backend(), "-w", cap, fixture("flight"), "yield", "3000"}, 120);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string bytes = read_file(cap);
  ASSERT_GT(bytes.size(), 20000u);
  Result whole = run_dtruss({"-R", cap, "--output", file("whole.txt")});
  ASSERT_EQ(whole.status, 0) << whole.err;
  std::string full = read_file(file("whole.txt"));

  std::string cut = file("cut.cap");
  write_bytes(cut, bytes.substr(0, bytes.size() / 2));
  Result p = run_dtruss({"-R", cut, "--output", file("cut.txt")});
  EXPECT_EQ(p.status, 1);
  EXPECT_TRUE(contains(p.err, "ends early")) << p.err;
  EXPECT_EQ(lines(p.err).size(), 1u) << p.err;
  std::string part = read_file(file("cut.txt"));
  EXPECT_GT(part.size(), 1000u);
  EXPECT_LT(part.size(), full.size());
  EXPECT_EQ(full.substr(0, part.size()), part);
}

// A file that is no capture, one of another format version, one damaged inside: one line, 2.
TEST_P(Capture, ForeignOldAndCorruptFilesAreRefused) {
  std::string cap = file("good.cap");
  Result r = run_dtruss({backend(), "-w", cap, fixture("flight"), "yield", "300"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string good = read_file(cap);
  ASSERT_GT(good.size(), 100u);

  auto refused = [&](const std::string& bytes, const std::string& says) {
    std::string f = file("bad.cap"), out = file("never");
    write_bytes(f, bytes);
    Result p = run_dtruss({"-R", f, "--output", out});
    EXPECT_EQ(p.status, 2) << says;
    EXPECT_TRUE(contains(p.err, says)) << p.err;
    EXPECT_EQ(lines(p.err).size(), 1u) << p.err;
    return p;
  };
  refused("SYSCALL(args) = return\nopenat(...) = 3\n", "is not a dtruss capture file");
  refused("", "is not a dtruss capture file");
  // Real files of the previous versions: 4 (a Syscall record's stores stood alone), written by
  // main 5704617's dtruss (`dtruss --backend=ptrace -w capture-v4.cap /bin/true`), 3 (a Label
  // record held the container alone), by main e62ecf5's, 2 (no Label records), by main
  // 6347dfc's, and 1 (each record stood alone), by main 4de5391's.
  for (int v : {4, 3, 2, 1})
    refused(read_file(std::string(FIXTURE_SRC_DIR) + "/capture-v" + std::to_string(v) + ".cap"),
            "format version " + std::to_string(v) +
                ", written by an older dtruss; this dtruss reads version 5 only");
  EXPECT_FALSE(std::filesystem::exists(file("never"))) << "refused before any output is made";
  std::string old = good;
  old[8] = 0;  // format version 0
  refused(old, "format version 0, written by an older dtruss");
  std::string next = good;
  next[8] = 6;
  refused(next, "format version 6, written by a newer dtruss");
  std::string damaged = good;
  for (size_t i = good.size() / 2; i < good.size() / 2 + 64; ++i) damaged[i] = '\x5a';
  std::string f = file("damaged.cap");
  write_bytes(f, damaged);
  Result d = run_dtruss({"-R", f, "--output", file("damaged.txt")});
  EXPECT_EQ(d.status, 2);
  EXPECT_TRUE(contains(d.err, "corrupt")) << d.err;
  EXPECT_EQ(lines(d.err).size(), 1u) << d.err;
}

// Bad input: one line, status 2, before anything is traced or any file is touched.
TEST_P(Capture, BadInputIsRefusedBeforeAnything) {
  std::string cap = file("c.cap");
  Result r = run_dtruss({backend(), "-w", cap, fixture("flight"), "yield", "10"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string marker = file("ran");
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{backend(), "-w", "/nonexistent/dir/x.cap", "/usr/bin/touch", marker}, "cannot write"},
      {{"-R", file("missing.cap")}, "No such file"},
      {{"-R", cap, "/usr/bin/touch", marker}, "-R shows a capture"},
      {{"-R", cap, "-s"}, "-s needs the user stacks"},
      {{"-R", cap, "-v"}, "-v needs"},
      {{"-R", cap, "-o"}, "-o needs"},
      {{"-R", cap, "--read=3"}, "--read needs"},
      {{"-R", cap, "--strsize=100"}, "--strsize 100"},
      {{"-R", cap, "-w", file("again.cap")}, "-w applies to a live trace"},
      {{"-R", cap, "--timeline", cap}, "the capture being replayed"},
      {{backend(), "--flight-recorder", "1M", "-w", "/nonexistent/dir/x.cap", "/usr/bin/touch",
        marker},
       "cannot write"},
      {{backend(), "--trigger", "errno=EIO", "/usr/bin/touch", marker}, "--flight-recorder"},
      {{backend(), "--flight-recorder", "1M", "--trigger", "errno=EWHAT", "/usr/bin/touch", marker},
       "EWHAT"},
      {{backend(), "--flight-recorder", "1M", "--trigger", "syscall=opne", "/usr/bin/touch",
        marker},
       "opne"},
      {{backend(), "--flight-recorder", "12", "/usr/bin/touch", marker}, "--flight-recorder"},
  };
  for (const auto& c : cases) {
    Result p = run_dtruss(concat(c.args, {"--output", file("out")}));
    EXPECT_EQ(p.status, 2) << ::testing::PrintToString(c.args);
    EXPECT_TRUE(contains(p.err, c.says)) << p.err;
    EXPECT_EQ(lines(p.err).size(), contains(p.err, "Try 'dtruss -h'") ? 2u : 1u) << p.err;
    EXPECT_FALSE(std::filesystem::exists(marker)) << "the command ran";
    EXPECT_FALSE(std::filesystem::exists(file("out"))) << "an output was made";
  }
}

// A replay needs no root and no eBPF: nobody replays a capture root made, as root does.
TEST_P(Capture, ReplayNeedsNoRoot) {
  ASSERT_EQ(geteuid(), 0u) << "switching to nobody needs root";
  std::string d = temp_dir();
  chmod(d.c_str(), 0755);
  std::string cap = d + "/c.cap", bin = d + "/dtruss";
  std::filesystem::copy_file(dtruss_bin(), bin);
  chmod(bin.c_str(), 0755);
  Result r = run_dtruss(
      {backend(), "-w", cap, "--json", "--output", file("live"), fixture("files"), temp_dir()});
  ASSERT_EQ(r.status, 0) << r.err;
  chmod(cap.c_str(), 0644);
  Result p = run({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", bin,
                  "-R", cap, "--json"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(p.err, read_file(file("live")));
}

// The flight recorder: --trigger errno=, syscall=, exit=nonzero, and a failed command, each
// write the events before it (the last of the marker calls before, none of those after).
TEST_P(Capture, FlightRecorderTriggersWriteTheEventsBefore) {
  struct Case {
    std::vector<std::string> options;
    std::string action;
    int status;
    const char* says;
  };
  const std::vector<Case> cases = {
      {{"--trigger", "errno=EISDIR"}, "eisdir", 0, "--trigger errno=EISDIR"},
      {{"--trigger", "syscall=sched_yield"}, "yield", 0, "--trigger syscall=sched_yield"},
      {{"--trigger", "exit=nonzero"}, "exit", 3, "--trigger exit=nonzero"},
      {{}, "exit", 3, "the command failed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.action);
    std::string cap = file("flight-" + c.action + std::to_string(c.options.size()) + ".cap");
    Result r =
        run_dtruss(concat(concat({backend(), "--flight-recorder", "4M", "-w", cap}, c.options),
                          {fixture("flight"), c.action, "200"}));
    ASSERT_EQ(r.status, c.status) << r.err;
    EXPECT_TRUE(contains(r.err, c.says)) << r.err;
    std::string trace = file("flight.json");
    Result p = run_dtruss({"-R", cap, "--json", "--output", trace});
    ASSERT_EQ(p.status, 0) << p.err;
    auto m = markers(read_file(trace));
    EXPECT_TRUE(has(m, "before-0")) << "4M holds every call of this run";
    EXPECT_TRUE(has(m, "before-199"));
    EXPECT_FALSE(has(m, "after-0")) << "written when the trigger fired";
    auto events = json_lines(read_file(trace));
    if (c.action == "eisdir") {
      auto reads = syscalls(events, "read");
      ASSERT_FALSE(reads.empty());
      EXPECT_EQ(reads.back()["errno"], "EISDIR");
    }
    if (c.action == "yield") {
      EXPECT_EQ(syscalls(events, "sched_yield").size(), 1u);
    }
    if (c.action == "exit") {
      EXPECT_EQ(of_type(events, "exit").size(), 1u);
    }
  }
}

// SIGUSR1 writes the events so far, while the command goes on; a small ring keeps only the most
// recent ones (memory bounded by SIZE).
TEST_P(Capture, FlightRecorderWritesOnSigusr1KeepingTheMostRecent) {
  std::string cap = file("usr1.cap"), stop = file("stop"), out = file("out"), err = file("err");
  pid_t pid = spawn({dtruss_bin(), backend(), "--flight-recorder", "64K", "-w", cap,
                     fixture("flight"), "wait", "2000", stop},
                    out, err);
  ASSERT_GT(pid, 0);
  ChildGuard guard{pid};
  ASSERT_TRUE(wait_for_text(out, "ready", 60000)) << read_file(err);
  kill(pid, SIGUSR1);
  ASSERT_TRUE(wait_for_text(err, "wrote the last", 20000)) << read_file(err);
  // A second SIGUSR1: the events since the first, in FILE.1.
  kill(pid, SIGUSR1);
  ASSERT_TRUE(wait_for_text(err, "to '" + cap + ".1'", 20000)) << read_file(err);
  write_bytes(stop, "");
  int st = wait_for(pid, 60000);
  guard.pid = -1;
  ASSERT_EQ(exit_code(st), 0) << read_file(err);
  std::string trace = file("usr1.json");
  Result p = run_dtruss({"-R", cap, "--json", "--output", trace});
  ASSERT_EQ(p.status, 0) << p.err;
  auto m = markers(read_file(trace));
  ASSERT_FALSE(m.empty());
  EXPECT_TRUE(has(m, "before-1999"))
      << "the calls just before SIGUSR1: " << m.front() << " to " << m.back();
  EXPECT_FALSE(has(m, "before-0")) << "64K cannot hold 2000 calls: the oldest went";
  EXPECT_FALSE(has(m, "after-0"));
  EXPECT_LT(m.size(), 1500u);
  EXPECT_TRUE(contains(p.err, "earlier events")) << "the replay says the oldest were let go";
  std::string second = file("usr1.1.json");
  Result q = run_dtruss({"-R", cap + ".1", "--json", "--output", second});
  ASSERT_EQ(q.status, 0) << q.err;
  auto later = markers(read_file(second));
  ASSERT_FALSE(later.empty());
  EXPECT_FALSE(has(later, "before-1999")) << "written by the first";
  EXPECT_EQ(later.front().rfind("tick-", 0), 0u) << later.front();
}

// The flight recorder's memory is bounded by SIZE: 900,000 calls (about 12 MB of records, 13
// bytes a call) fill a 64M ring, and leave dtruss with a 1M ring at least 4 MB smaller (its peak
// RSS, measured by /usr/bin/time). (Under ASan the consumer is slow enough that the eBPF ring
// overflows and loses part of the burst: 6.4 MB apart there, 11 without it.)
TEST_P(Capture, FlightRecorderMemoryIsBoundedBySize) {
  auto peak_kb = [&](const std::string& size) {
    std::string rss = file("rss-" + size);
    // (-b 64M: the eBPF ring holds most of the burst, so that a slow consumer, under ASan, loses
    // little of it and the recorder's ring fills as the SIZE allows)
    Result r = run({"/usr/bin/time", "-f", "%M", "-o", rss, dtruss_bin(), backend(), "-b", "64M",
                    "--flight-recorder", size, fixture("getppid_burst"), "900000"},
                   120);
    EXPECT_EQ(r.status, 0) << r.err;
    return std::atol(read_file(rss).c_str());
  };
  long small = peak_kb("1M"), large = peak_kb("64M");
  ASSERT_GT(small, 0);
  EXPECT_GT(large - small, 4 * 1024) << small << " KB with 1M, " << large << " KB with 64M";
}

// Without -w the flight recorder writes dtruss-flight-PID.cap in the current directory, and says
// so.
TEST_P(Capture, FlightRecorderDefaultFile) {
  Result r = run({"/bin/sh", "-c",
                  "cd '" + dir_ + "' && exec '" + dtruss_bin() + "' " + backend() +
                      " --flight-recorder 1M '" + fixture("flight") + "' exit 5"});
  ASSERT_EQ(r.status, 3) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("to '(dtruss-flight-[0-9]+\\.cap)'")))
      << r.err;
  Result p = run_dtruss({"-R", dir_ + "/" + m[1].str(), "--json", "--output", file("d.json")});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_TRUE(has(markers(read_file(file("d.json"))), "before-4"));
}

// A capture that cannot be written (a full disk: /dev/full) is said at the end, status 1.
TEST_P(Capture, UnwritableCaptureIsSaid) {
  Result r = run_dtruss({backend(), "-w", "/dev/full", fixture("flight"), "yield", "10"});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.err, "cannot write the capture to '/dev/full': No space left on device"))
      << r.err;
}

// Ctrl-C ends a trace attached with -p: the capture records it, and its replay shows the same
// interruption (the JSON object, the closing line) as the live trace did.
TEST_P(Capture, InterruptedTraceReplaysTheSame) {
  std::string napper_out = file("napper.out"), cap = file("int.cap"), live = file("live.json");
  ChildGuard napper{spawn({fixture("napper")}, napper_out, "")};
  ASSERT_GT(napper.pid, 0);
  ASSERT_TRUE(wait_for_text(napper_out, "ready\n"));
  ChildGuard tracer{spawn({dtruss_bin(), backend(), "-w", cap, "--json", "--output", live, "-p",
                           std::to_string(napper.pid)},
                          file("dtruss.out"), file("dtruss.err"))};
  ASSERT_GT(tracer.pid, 0);
  ASSERT_TRUE(wait_until([&] { return calls_so_far(live, "getppid") >= 2; }))
      << read_file(file("dtruss.err"));
  ASSERT_EQ(kill(tracer.pid, SIGINT), 0);
  int st = wait_for(tracer.pid, 20000);
  tracer.pid = -1;
  ASSERT_EQ(exit_code(st), 0) << read_file(file("dtruss.err"));
  std::string live_err = read_file(file("dtruss.err"));
  ASSERT_TRUE(contains(live_err, "; detached")) << live_err;
  Result p = run_dtruss({"-R", cap, "--json", "--output", file("replay.json")});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(read_file(live), read_file(file("replay.json")));
  EXPECT_TRUE(contains(read_file(live), "\"interrupted\"")) << read_file(live);
  EXPECT_EQ(p.err, live_err) << "the same closing line";
}

// On a terminal the replay shows its progress on standard error, never in the trace; elsewhere
// it shows none.
TEST_P(Capture, ProgressOnATerminalOnly) {
  std::string cap = file("p.cap");
  Result r = run_dtruss({backend(), "-w", cap, fixture("flight"), "yield", "50"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string out = file("p.txt");
  // (python3's pty module: the command's standard error a terminal, what it writes copied out)
  Result tty = run({"/usr/bin/python3", "-c", "import pty, sys; pty.spawn(sys.argv[1:])",
                    dtruss_bin(), "-R", cap, "--output", out});
  ASSERT_EQ(tty.status, 0) << tty.out;
  EXPECT_TRUE(contains(tty.out, "replaying '" + cap + "'")) << tty.out << tty.err;
  std::string trace = read_file(out);
  EXPECT_TRUE(contains(trace, "sched_yield()"));
  EXPECT_FALSE(contains(trace, "replaying"));
  Result plain = run_dtruss({"-R", cap, "--output", out});
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(plain.err, "");
  EXPECT_EQ(read_file(out), trace);
}

INSTANTIATE_BACKENDS(Capture);

// The records of a capture, decompressed (the zstd program), split into the first two (Info,
// Begin), those between, and the last (End): docs/capture-format.md's layout.
struct Records {
  std::string head, middle, end;
};
Records split_records(const std::string& cap) {
  Result d = run({"/bin/sh", "-c", "tail -c +17 '" + cap + "' | zstd -dc"});
  EXPECT_EQ(d.status, 0) << d.err;
  const std::string& r = d.out;
  std::vector<size_t> starts = capture_record_starts(r);
  EXPECT_GE(starts.size(), 4u);
  if (starts.size() < 4) return {};
  EXPECT_EQ(r[starts[0]], 1) << "Info first";
  EXPECT_EQ(r[starts.back()], 13) << "End last";
  return {r.substr(0, starts[2]), r.substr(starts[2], starts.back() - starts[2]),
          r.substr(starts.back())};
}

// A capture file made of these records (the header of `like`, then the records through zstd).
void write_capture(const std::string& path, const std::string& like,
                   const std::vector<std::string_view>& parts, int copies_of_second = 1) {
  write_bytes(path, read_file(like).substr(0, 16));
  FILE* z = popen(("zstd -1 -qc >> '" + path + "'").c_str(), "w");
  ASSERT_NE(z, nullptr);
  for (size_t i = 0; i < parts.size(); ++i)
    for (int k = 0; k < (i == 1 ? copies_of_second : 1); ++k)
      fwrite(parts[i].data(), 1, parts[i].size(), z);
  ASSERT_EQ(pclose(z), 0);
}

// A capture taken with another syscall table (its Info's table hash changed): its numbers may
// mean other calls, so it is refused, saying so.
TEST(CaptureFile, OtherSyscallTableIsRefused) {
  ASSERT_TRUE(have_program("zstd"));
  std::string dir = temp_dir(), cap = dir + "/c.cap", other = dir + "/other.cap";
  Result r = run_dtruss({"-w", cap, fixture("flight"), "yield", "10"});
  ASSERT_EQ(r.status, 0) << r.err;
  Records rec = split_records(cap);
  Result same = run_dtruss({"-R", cap, "--output", dir + "/a"});
  ASSERT_EQ(same.status, 0) << same.err;
  // Info: 4 strings (version, backend, kernel, machine), then the table's hash.
  std::string machine = "x86_64";
  size_t at = rec.head.find(machine);
  ASSERT_NE(at, std::string::npos);
  std::string head = rec.head;
  head[at + machine.size()] ^= 1;
  write_capture(other, cap, {head, rec.middle, rec.end});
  Result p = run_dtruss({"-R", other, "--output", dir + "/b"});
  EXPECT_EQ(p.status, 2);
  EXPECT_TRUE(contains(p.err, "recorded with another syscall table")) << p.err;
  EXPECT_EQ(lines(p.err).size(), 1u) << p.err;
  EXPECT_FALSE(std::filesystem::exists(dir + "/b"));
}

// A capture far larger than memory needs: replayed streaming, dtruss's peak memory stays that
// of a small one. (A capture of 200 or more copies of a trace's records, 100+ MB decompressed, made
// with the zstd program as docs/capture-format.md describes.)
TEST(CaptureMemory, HugeCaptureReplaysInBoundedMemory) {
  ASSERT_TRUE(have_program("zstd"));
  std::string dir = temp_dir(), small = dir + "/small.cap", big = dir + "/big.cap";
  Result r = run_dtruss({"-w", small, fixture("flight"), "yield", "2000"}, 120);
  ASSERT_EQ(r.status, 0) << r.err;
  Records rec = split_records(small);
  ASSERT_FALSE(rec.middle.empty());
  // (as many copies as make 100+ MiB; each starts with a Sync: it refers back to nothing)
  ASSERT_EQ(rec.middle[0], 15) << "a Sync follows Begin";
  const int kCopies = std::max<int>(200, static_cast<int>((110u << 20) / rec.middle.size()) + 1);
  write_capture(big, small, {rec.head, rec.middle, rec.end}, kCopies);
  uint64_t stream = rec.middle.size() * kCopies;
  ASSERT_GT(stream, 100u << 20);

  // Under ASan (make test's second pass) freed memory waits in a quarantine (256 MB by
  // default) and shadow memory adds to it: there the bound is on what the big replay takes
  // beyond the small one's, with a small quarantine for both.
  const bool kAsan = small_asan_quarantine();
  auto peak_rss_kb = [&](const std::string& cap, const std::string& out) {
    Result p = run({"/usr/bin/time", "-f", "%M", "-o", dir + "/rss", dtruss_bin(), "-R", cap,
                    "--summary", "--output", out},
                   300);
    EXPECT_EQ(p.status, 0) << p.err;
    return std::atol(read_file(dir + "/rss").c_str());
  };
  long small_kb = peak_rss_kb(small, dir + "/one");
  long rss_kb = peak_rss_kb(big, dir + "/sum");
  EXPECT_GT(rss_kb, 0);
  EXPECT_LT(kAsan ? rss_kb - small_kb : rss_kb, 48 * 1024)
      << "peak RSS for " << (stream >> 20) << " MiB of records (" << small_kb
      << " KiB for the small one)";
  // Every copy was replayed: kCopies times the calls of the small one.
  std::smatch a, b;
  std::string s1 = read_file(dir + "/one"), s2 = read_file(dir + "/sum");
  ASSERT_TRUE(std::regex_search(s1, a, std::regex("(\\d+) calls, "))) << s1;
  ASSERT_TRUE(std::regex_search(s2, b, std::regex("(\\d+) calls, "))) << s2;
  EXPECT_EQ(std::stol(b[1]), std::stol(a[1]) * kCopies);

  // Ctrl-C stops a long replay: what was read is shown, the line says where, 128+SIGINT.
  ChildGuard replay{spawn({dtruss_bin(), "-R", big, "--output", dir + "/part"}, "", dir + "/err")};
  ASSERT_GT(replay.pid, 0);
  ASSERT_TRUE(wait_until([&] { return read_file(dir + "/part").size() > 100000; }));
  kill(replay.pid, SIGINT);
  int st = wait_for(replay.pid, 20000);
  replay.pid = -1;
  EXPECT_EQ(exit_code(st), 128 + SIGINT);
  std::string err = read_file(dir + "/err");
  EXPECT_TRUE(contains(err, "stopped by SIGINT after")) << err;
  EXPECT_EQ(lines(err).size(), 1u) << err;
}

}  // namespace
}  // namespace e2e
