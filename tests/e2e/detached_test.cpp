// --status=detached (strace's -e status=detached) on both backends: the calls in progress when
// dtruss let an attached process go, told apart from calls whose thread died in them. The process
// blocks in read(0) after the attach; SIGINT detaches dtruss while it waits.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using namespace e2e;
using nlohmann::json;

class Detached : public BackendTest {
 protected:
  // Attaches dtruss (with `extra` options) to stdin_reader, lets one read return after the attach
  // and the next one block, then interrupts dtruss. The trace (standard error), and dtruss's exit
  // status in `status`.
  std::string detach_in_read(const std::vector<std::string>& extra) {
    std::string dir = temp_dir();
    int in[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);  // (the reader alone gets the read end)
    ChildGuard reader{spawn({fixture("stdin_reader")}, dir + "/out", "", in[0])};
    close(in[0]);
    EXPECT_GT(reader.pid, 0);
    EXPECT_TRUE(wait_for_text(dir + "/out", "ready\n"));
    std::vector<std::string> args = {dtruss_bin(), backend(), "-p", std::to_string(reader.pid)};
    args.insert(args.end(), extra.begin(), extra.end());
    ChildGuard tracer{spawn(args, dir + "/trace.out", dir + "/trace")};
    EXPECT_TRUE(wait_for_text(dir + "/trace", "attached to process")) << read_file(dir + "/trace");
    // One read returns after the attach; the next one, entered under the trace, blocks.
    EXPECT_EQ(write(in[1], "a\n", 2), 2);
    EXPECT_TRUE(wait_for_text(dir + "/out", "got 1\n"));
    EXPECT_TRUE(wait_asleep_in(reader.pid, {SYS_read}));
    EXPECT_EQ(kill(tracer.pid, SIGINT), 0);
    int st = wait_for(tracer.pid, 20000);
    EXPECT_NE(st, -1) << "dtruss -p did not end after SIGINT";
    if (st != -1) tracer.pid = -1;
    status = st == -1 ? -1 : exit_code(st);
    // The reader runs on, in its read: it ends normally at end of file.
    close(in[1]);
    int rst = wait_for(reader.pid, 20000);
    EXPECT_NE(rst, -1) << "the reader did not end after the detach";
    if (rst != -1) {
      reader.pid = -1;
      EXPECT_TRUE(WIFEXITED(rst) && WEXITSTATUS(rst) == 0) << rst;
    }
    EXPECT_EQ(read_file(dir + "/out"), "ready\ngot 1\ndone\n");
    return read_file(dir + "/trace");
  }
  int status = -1;
};

INSTANTIATE_BACKENDS(Detached);

TEST_P(Detached, StatusDetachedShowsTheReadInProgress) {
  std::string trace = detach_in_read({"--json", "--status=detached"});
  EXPECT_EQ(status, 0) << trace;
  auto calls = syscalls(json_lines(trace));
  ASSERT_EQ(calls.size(), 1u) << trace;
  EXPECT_EQ(calls[0]["syscall"], "read");
  EXPECT_EQ(calls[0]["args"]["fd"], 0);
  EXPECT_TRUE(calls[0]["ret"].is_null());
  EXPECT_EQ(calls[0].value("unfinished", false), true);
  EXPECT_EQ(calls[0].value("detached", false), true);
}

TEST_P(Detached, TextSaysDetachedAndUnfinishedLeavesItOut) {
  std::string trace = detach_in_read({"-t", "read"});
  EXPECT_EQ(status, 0) << trace;
  EXPECT_NE(trace.find("read(0, "), std::string::npos) << trace;
  EXPECT_NE(trace.find(")\t\t = ? <detached>\n"), std::string::npos) << trace;
  // (--status=unfinished: calls that never returned, their thread gone: not this one)
  std::string unfinished = detach_in_read({"--json", "--status=unfinished"});
  EXPECT_TRUE(syscalls(json_lines(unfinished)).empty()) << unfinished;
}

}  // namespace
