// dtruss on a stranger's machine, tracing a hostile program, writing to a full disk: names that
// carry terminal controls are escaped in every output, outputs are checked before anything is
// written, and bad input is refused before anything starts (tests/fixtures/hostile.c).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// The names of hostile.c, raw and as text output escapes them (append_escaped; -y notes also
// escape '<' and '>').
const std::string kComm = "ev\x1b[8m\xc2\x9b\nil>";
const std::string kCommText = R"X(ev\x1b[8m\xc2\x9b\nil>)X";
const std::string kFile = "a>)\t\t = 0\n+++ exited with 0 +++\n\x1b[8m\xc2\x9b";
const std::string kFileNote = R"X(a\x3e)\t\t = 0\n+++ exited with 0 +++\n\x1b[8m\xc2\x9b)X";
const std::string kSocketNote = R"X(s\x3e)\x1b[8m\xc2\x9b)X";
const std::string kModule = "p\x1b[8m\xc2\x9b>)";
const std::string kModuleText = R"X(p\x1b[8m\xc2\x9b>))X";
const std::string kSymbolText = R"X(sy\x1b[8m\xc2\x9b>m)X";

// Bytes a terminal acts on, or that reorder what it shows, besides the newline and tab of the
// text format: ESC, the C1 control U+009B (as UTF-8), and any other C0 control.
bool has_terminal_controls(const std::string& s) {
  if (s.find("\xc2\x9b") != std::string::npos) return true;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') return true;
  return false;
}

size_t lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = 0;
  for (const auto& l : e2e::lines(text)) n += l.rfind(prefix, 0) == 0;
  return n;
}

// The exit code of our child (128+N if killed by signal N), -1 on timeout.
int exit_code(pid_t pid, int timeout_ms = 60000) {
  int st = e2e::wait_for(pid, timeout_ms);
  if (st == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return e2e::exit_code(st);
}

class Hostile : public e2e::BackendTest {
 protected:
  void SetUp() override {
    e2e::BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    dir_ = e2e::temp_dir();
  }
  // The fixture, copied to a file named like the name it gives itself: a backend that takes the
  // name from the exec (ptrace reads it once) sees the hostile name too.
  std::string program(const std::string& name = kComm) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary)
        << std::ifstream(fixture("hostile"), std::ios::binary).rdbuf();
    chmod(path.c_str(), 0755);
    return path;
  }
  std::string dir_;
};

// -y: the file's name would end the note, close the line and start a forged one, then hide the
// rest of the terminal.
TEST_P(Hostile, FdPathIsEscapedInText) {
  auto r = run_traced({backend(), "-y", "-t", "openat,write", program(), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(has_terminal_controls(r.trace)) << r.trace;
  EXPECT_EQ(lines_starting(r.trace, "+++ exited with 0 +++"), 1u) << r.trace;
  EXPECT_NE(r.trace.find("<" + dir_ + "/" + kFileNote + ">"), std::string::npos) << r.trace;
}

// (eBPF's -y names no socket yet: its fd table knows the files of the calls it saw.)
TEST_P(Hostile, UnixSocketPathIsEscapedInText) {
  auto r = run_traced({backend(), "-y", "-t", "listen,getsockname", program(), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(has_terminal_controls(r.trace)) << r.trace;
  if (GetParam() == "ptrace") {
    EXPECT_NE(r.trace.find("<UNIX:" + dir_ + "/" + kSocketNote + ">"), std::string::npos)
        << r.trace;
  }
}

// JSON escapes C0 controls by itself; C1 controls are valid UTF-8 and went through raw.
TEST_P(Hostile, JsonCarriesNoTerminalControls) {
  auto r = run_traced({backend(), "--json", "-y", "-t", "openat,write", program(), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(has_terminal_controls(r.trace)) << r.trace;
  auto ev = e2e::json_lines(r.trace);
  bool named = false;
  for (const auto& w : e2e::syscalls(ev, "write")) {
    const auto& fd = w["args"]["fd"];
    if (fd.is_object() && fd["path"] == dir_ + "/" + kFile) named = true;
    EXPECT_EQ(w["comm"], kComm) << w.dump();
  }
  EXPECT_TRUE(named) << r.trace;
}

TEST_P(Hostile, TimelineCarriesNoTerminalControls) {
  std::string timeline = dir_ + "/timeline.json";
  auto r = run_traced({backend(), "--timeline", timeline, program(), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string text = read_file(timeline);
  EXPECT_FALSE(has_terminal_controls(text)) << text;
  auto doc = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << text;
  bool named = false;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "process_name" && e["args"]["name"] == kComm) named = true;
  EXPECT_TRUE(named) << text;
}

// --summary-by: each table is headed by the process's name, which the process chose.
TEST_P(Hostile, ProcessNameIsEscapedInSummaryHeaders) {
  for (const char* by : {"process", "thread"}) {
    auto r = run_traced({backend(), "--summary", "--summary-by", by, program(), dir_});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(has_terminal_controls(r.trace)) << by << "\n" << r.trace;
    EXPECT_NE(r.trace.find("(" + kCommText + ")"), std::string::npos) << by << "\n" << r.trace;
  }
}

// -p: "attached to process N (NAME)".
TEST_P(Hostile, ProcessNameIsEscapedInMessages) {
  pid_t target = spawn({program(), dir_, "wait"}, "/dev/null", "/dev/null");
  ASSERT_TRUE(e2e::wait_for_text(dir_ + "/ready", "ready")) << "the fixture did not start";
  std::string err = dir_ + "/err";
  pid_t dtruss =
      spawn({e2e::dtruss_bin(), backend(), "-p", std::to_string(target)}, "/dev/null", err);
  bool attached = e2e::wait_for_text(err, "attached to process");
  std::ofstream(dir_ + "/go") << "go\n";
  EXPECT_EQ(exit_code(target), 0);
  EXPECT_EQ(exit_code(dtruss), 0);
  std::string text = read_file(err);
  EXPECT_TRUE(attached) << text;
  EXPECT_FALSE(has_terminal_controls(text)) << text;
  // (eBPF reads the name from /proc/PID/comm, to its first newline.)
  std::string name = GetParam() == "ptrace" ? kCommText : R"X(ev\x1b[8m\xc2\x9b)X";
  EXPECT_NE(text.find("attached to process " + std::to_string(target) + " (" + name),
            std::string::npos)
      << text;
}

// -s: the program's file is the module of its frames, and one of its functions has a hostile
// symbol. (Named without a newline or blank, which
// /proc/PID/maps would show escaped or cut: ptrace's unwinder would not find the file.)
TEST_P(Hostile, StackNamesAreEscaped) {
  std::string folded = dir_ + "/folded";
  auto r = run_traced({backend(), "-s", "--folded", folded, program(kModule), dir_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(has_terminal_controls(r.trace)) << r.trace;
  EXPECT_NE(r.trace.find("    " + kModuleText + "`"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("`" + kSymbolText + "+0x"), std::string::npos) << r.trace;
  std::string f = read_file(folded);
  EXPECT_FALSE(has_terminal_controls(f)) << f;
  EXPECT_NE(f.find(kModuleText + "`" + kSymbolText + ";"), std::string::npos) << f;
  for (const auto& l : e2e::lines(f)) {  // frame;frame;syscall count: one stack a line
    size_t space = l.rfind(' ');
    ASSERT_NE(space, std::string::npos) << l;
    EXPECT_EQ(l.find_first_not_of("0123456789", space + 1), std::string::npos) << l;
  }

  auto s = run_traced({backend(), "--summary", "-s", program(kModule), dir_});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_FALSE(has_terminal_controls(s.trace)) << s.trace;
  EXPECT_NE(s.trace.find("    " + kModuleText + "`" + kSymbolText + "\n"), std::string::npos)
      << s.trace;
}

INSTANTIATE_BACKENDS(Hostile);

// ---- the command line: refused before anything starts or any file is touched ----

TEST(Trust, EmptyUserIsRefused) {
  auto r = run_dtruss({"-u", "", "true"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("-u needs a user name"), std::string::npos) << r.err;
}

TEST(Trust, EmptyCommandIsRefused) {
  auto r = run_dtruss({""});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("the command is empty"), std::string::npos) << r.err;
}

TEST(Trust, NumbersAreStrict) {
  for (const char* pid : {" 1", "1 ", "+1", "0x1", "1,"}) {
    auto r = run_dtruss({"-p", pid});
    EXPECT_EQ(r.status, 2) << "'" << pid << "': " << r.err;
    EXPECT_NE(r.err.find("-p needs process IDs"), std::string::npos) << r.err;
  }
  for (const char* n : {" 64", "+64", "64 "}) {
    auto r = run_dtruss({"--strsize", n, "true"});
    EXPECT_EQ(r.status, 2) << "'" << n << "': " << r.err;
  }
}

TEST(Trust, RingSizeOutsideItsRangeIsRefused) {
  for (const char* size : {"1", "4095", "99999999999999", "4G"}) {
    auto r = run_dtruss({"-b", size, "true"});
    EXPECT_EQ(r.status, 2) << size << ": " << r.err;
    EXPECT_NE(r.err.find("-b needs a size from 4K to "), std::string::npos) << r.err;
  }
  auto ok = run_dtruss({"-b", "4K", "--output", "/dev/null", "true"});
  EXPECT_EQ(ok.status, 0) << ok.err;
}

TEST(Trust, NoOutputIsEmptiedWhenAnotherIsBad) {
  std::string dir = e2e::temp_dir();
  std::string t = dir + "/t";
  std::ofstream(t) << "precious\n";
  auto r = run_dtruss({"--output", t, "--timeline", dir, "true"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(read_file(t), "precious\n");
  auto f = run_dtruss({"--timeline", t, "--output", dir, "true"});
  EXPECT_EQ(f.status, 2) << f.err;
  EXPECT_EQ(read_file(t), "precious\n");
}

TEST(Trust, OneFileForTwoOutputsIsRefused) {
  std::string dir = e2e::temp_dir();
  std::string t = dir + "/t";
  std::ofstream(t) << "precious\n";
  ASSERT_EQ(link(t.c_str(), (dir + "/link").c_str()), 0);
  for (const std::string& other : {t, dir + "/./t", dir + "/link"}) {
    auto r = run_dtruss({"--output", t, "--timeline", other, "true"});
    EXPECT_EQ(r.status, 2) << other << ": " << r.err;
    EXPECT_NE(r.err.find("would go to the same file"), std::string::npos) << r.err;
    EXPECT_EQ(read_file(t), "precious\n") << other;
  }
  auto e = run_dtruss({"--output", "", "true"});
  EXPECT_EQ(e.status, 2) << e.err;
  EXPECT_NE(e.err.find("--output needs a file name"), std::string::npos) << e.err;
}

// As root (not through sudo): a file another user left in a shared directory is theirs.
TEST(Trust, AnotherUsersFileIsRefusedAsRoot) {
  ASSERT_EQ(geteuid(), 0u) << "this test runs as root, as the suite does";
  std::string dir = e2e::temp_dir();
  std::string t = dir + "/theirs";
  std::ofstream(t) << "theirs\n";
  ASSERT_EQ(chown(t.c_str(), 65534, 65534), 0);
  auto r = run_dtruss({"--output", t, "true"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("belongs to another user (uid 65534)"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(t), "theirs\n");
}

// A FIFO would block dtruss before it starts (and feed the trace to whoever reads it).
TEST(Trust, FifoIsRefused) {
  std::string dir = e2e::temp_dir();
  std::string fifo = dir + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0666), 0);
  for (const char* opt : {"--output", "--timeline"}) {
    auto r = run_dtruss({opt, fifo, "true"}, 20);
    EXPECT_EQ(r.status, 2) << opt << ": " << r.err;
    EXPECT_NE(r.err.find("it is a FIFO"), std::string::npos) << r.err;
  }
}

TEST(Trust, OutputToOwnStandardOutputWorks) {
  auto r = run_dtruss({"--output", "/dev/stdout", "-t", "execve", "true"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("execve(\"/usr/bin/true\""), std::string::npos) << r.out << r.err;
  auto n = run_dtruss({"--output", "/dev/null", "true"});
  EXPECT_EQ(n.status, 0) << n.err;
}

// Standard error on a full device: the trace cannot be written, nor the message saying so. dtruss
// ends with 1 (it aborted), and the command runs to its end.
TEST(Trust, FullStandardErrorDoesNotAbort) {
  std::string dir = e2e::temp_dir();
  std::string done = dir + "/done";
  pid_t pid =
      spawn({e2e::dtruss_bin(), "/bin/sh", "-c", "echo done > " + done}, "/dev/null", "/dev/full");
  EXPECT_EQ(exit_code(pid), 1);
  // (The command goes on after dtruss has ended: it may not have got there yet.)
  EXPECT_TRUE(e2e::wait_for_text(done, "done\n")) << read_file(done);
}

TEST(Trust, HelpAndExplainIntoAFullDeviceFail) {
  std::string dir = e2e::temp_dir();
  for (std::vector<std::string> args :
       {std::vector<std::string>{"-h"}, {"--version"}, {"--explain", "openat"}}) {
    args.insert(args.begin(), e2e::dtruss_bin());
    pid_t pid = spawn(args, "/dev/full", dir + "/err");
    EXPECT_EQ(exit_code(pid), 1) << args[1];
    EXPECT_NE(read_file(dir + "/err").find("cannot write to standard output"), std::string::npos)
        << args[1];
  }
}

// ---- ptrace's -p: why an attach was refused, found rather than guessed ----

bool mentions_missing_yama(const std::string& err) {
  return access("/proc/sys/kernel/yama/ptrace_scope", F_OK) != 0 &&
         err.find("yama") != std::string::npos;
}

TEST(PtraceAttach, ZombieIsNamed) {
  pid_t child = fork();
  if (child == 0) _exit(0);
  uint64_t until = e2e::now_ms() + 10000;
  while (e2e::proc_state(child) != 'Z' && e2e::now_ms() < until) usleep(1000);
  ASSERT_EQ(e2e::proc_state(child), 'Z');
  // An output that existed is left as it was: the attach fails before anything is written.
  std::string dir = e2e::temp_dir(), t = dir + "/t";
  std::ofstream(t) << "precious\n";
  auto r = run_dtruss({"--backend=ptrace", "--output", t, "--timeline", dir + "/timeline", "-p",
                       std::to_string(child)});
  waitpid(child, nullptr, 0);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(" has exited (a zombie, not yet reaped by its parent "), std::string::npos)
      << r.err;
  EXPECT_FALSE(mentions_missing_yama(r.err)) << r.err;
  EXPECT_EQ(read_file(t), "precious\n");
  EXPECT_NE(access((dir + "/timeline").c_str(), F_OK), 0) << "made by this run: removed";
}

TEST(PtraceAttach, ExitedMainThreadIsNamed) {
  std::string dir = e2e::temp_dir();
  pid_t target = spawn({fixture("leader_exits"), dir}, "/dev/null", "/dev/null");
  ASSERT_TRUE(e2e::wait_for_text(dir + "/ready", "ready"));
  auto r = run_dtruss({"--backend=ptrace", "-p", std::to_string(target)});
  std::ofstream(dir + "/go") << "go\n";
  EXPECT_EQ(exit_code(target), 0);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("its main thread has exited"), std::string::npos) << r.err;
  EXPECT_FALSE(mentions_missing_yama(r.err)) << r.err;
}

TEST(PtraceAttach, AnotherTracerIsNamed) {
  std::string dir = e2e::temp_dir();
  pid_t target = spawn({fixture("hostile"), dir, "wait"}, "/dev/null", "/dev/null");
  ASSERT_TRUE(e2e::wait_for_text(dir + "/ready", "ready"));
  std::string err = dir + "/first";
  pid_t first = spawn({e2e::dtruss_bin(), "--backend=ptrace", "-p", std::to_string(target)},
                      "/dev/null", err);
  bool attached = e2e::wait_for_text(err, "attached to process");
  auto r = run_dtruss({"--backend=ptrace", "-p", std::to_string(target)});
  std::ofstream(dir + "/go") << "go\n";
  EXPECT_EQ(exit_code(target), 0);
  EXPECT_EQ(exit_code(first), 0);
  ASSERT_TRUE(attached) << read_file(err);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("it is already traced by PID " + std::to_string(first)), std::string::npos)
      << r.err;
  EXPECT_FALSE(mentions_missing_yama(r.err)) << r.err;
}

}  // namespace
}  // namespace e2e
