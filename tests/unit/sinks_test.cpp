// The sinks on synthetic decoded events, written to a pipe and read back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include "decode/names.h"
#include "output/json_sink.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "sink_support.h"

namespace dtruss::unit {
namespace {

SyscallEvent openat_event(int64_t ret) {
  SyscallEvent ev;
  ev.task = {100, 101, {}};
  std::strcpy(ev.task.comm.data(), "cat");
  ev.nr = SYS_openat;
  ev.args = {static_cast<uint64_t>(-100), 0x1000, 0, 0, 0, 0};
  ev.captures.add(0x1000, "/etc/hosts", 11);
  ev.enter_ns = 1'000'000;
  ev.exit_ns = 1'250'000;
  ev.ret = ret;
  return ev;
}

TEST(TextSink, DtrussLayoutWithColumns) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    TextOptions opt;
    opt.show_task = opt.relative = opt.elapsed = true;
    TextSink sink(w, opt);
    sink.begin(0);
    auto ev = openat_event(3);
    DecodedCall call;
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
    auto bad = openat_event(-2);
    Decoder({64, false}).decode(bad, call);
    sink.syscall(call);
  }
  auto lines = cap.text();
  EXPECT_NE(lines.find("PID/THRD   RELATIVE  ELAPSD SYSCALL(args) \t\t = return\n"),
            std::string::npos)
      << lines;
  EXPECT_NE(
      lines.find(
          "100/101:     1000     250 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY, 0)\t\t = 3\n"),
      std::string::npos)
      << lines;
  EXPECT_NE(lines.find("= -1 ENOENT (No such file or directory)\n"), std::string::npos) << lines;
}

TEST(TextSink, RawStyleIsDtruss) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    TextOptions opt;
    opt.raw = true;
    TextSink sink(w, opt);
    sink.begin(0);
    DecodedCall call;
    auto ev = openat_event(3);
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
    auto bad = openat_event(-2);
    Decoder({64, false}).decode(bad, call);
    sink.syscall(call);
  }
  auto t = cap.text();
  EXPECT_NE(t.find("openat(0xFFFFFFFFFFFFFF9C, \"/etc/hosts\\0\", 0x0, 0x0)\t\t = 3 0\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("= -1 Err#2\n"), std::string::npos) << t;
}

TEST(TextSink, SignalsAndExits) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    TextSink sink(w, TextOptions{});
    sink.begin(0);
    SignalEvent sig;
    sig.signo = SIGCHLD;
    sig.has_info = true;
    sig.code = CLD_EXITED;
    sig.sender_pid = 42;
    sink.signal({sig, signal_name(sig.signo), siginfo_value(sig)});
    ExitEvent killed;
    killed.signaled = true;
    killed.code = SIGSEGV;
    killed.core_dumped = true;
    sink.exit(killed);
    ExitEvent normal;
    normal.code = 3;
    sink.exit(normal);
  }
  auto t = cap.text();
  EXPECT_NE(t.find("--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, si_uid=0, "
                   "si_status=0} ---\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("+++ killed by SIGSEGV (core dumped) +++\n"), std::string::npos) << t;
  EXPECT_NE(t.find("+++ exited with 3 +++\n"), std::string::npos) << t;
}

TEST(JsonSink, SyscallObject) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    JsonSink sink(w);
    sink.begin(500'000);
    DecodedCall call;
    auto ev = openat_event(-2);
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
  }
  EXPECT_EQ(cap.text(),
            "{\"type\":\"syscall\",\"ts_ns\":500000,\"pid\":100,\"tid\":101,\"comm\":\"cat\","
            "\"dur_ns\":250000,\"nr\":257,\"syscall\":\"openat\",\"args\":{\"dfd\":\"AT_FDCWD\","
            "\"filename\":\"/etc/hosts\",\"flags\":\"O_RDONLY\",\"mode\":0},\"ret\":-1,"
            "\"errno\":\"ENOENT\",\"errmsg\":\"No such file or directory\"}\n");
}

// A call a signal interrupted and the kernel restarts (or turns into EINTR): no result the
// program sees, `?` in text, a null ret in JSON; --explain says what becomes of it.
SyscallEvent restarted_read(int64_t err) {
  SyscallEvent ev;
  ev.task = {100, 100, {}};
  ev.nr = SYS_read;
  ev.args = {7, 0x1000, 1, 0, 0, 0};
  ev.enter_ns = 1'000'000;
  ev.exit_ns = 1'250'000;
  ev.ret = -err;
  return ev;
}

TEST(TextSink, RestartCodesAreNoResult) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    TextOptions opt;
    opt.explain = true;
    TextSink sink(w, opt);
    sink.begin(0);
    DecodedCall call;
    for (int64_t err : {512, 513, 514, 516}) {
      auto ev = restarted_read(err);
      Decoder({64, false}).decode(ev, call);
      sink.syscall(call);
    }
  }
  auto t = cap.text();
  EXPECT_NE(t.find("read(7, 0x1000, 1)\t\t = ? ERESTARTSYS (To be restarted if SA_RESTART is set)\n"
                   "# read: ERESTARTSYS means a signal interrupted the call: it runs again once "
                   "the handler returns if the handler was installed with SA_RESTART"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find(" = ? ERESTARTNOINTR (To be restarted)\n# read: ERESTARTNOINTR means a signal "
                   "interrupted the call: it runs again once the signal is handled"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find(" = ? ERESTARTNOHAND (To be restarted if no handler)\n# read: ERESTARTNOHAND "
                   "means a signal interrupted the call: it runs again if no handler runs"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find(" = ? ERESTART_RESTARTBLOCK (Interrupted by signal)\n# read: "
                   "ERESTART_RESTARTBLOCK means a signal interrupted the call: without a handler "
                   "it resumes"),
            std::string::npos)
      << t;
  EXPECT_EQ(t.find("= -1"), std::string::npos) << t;
}

TEST(JsonSink, RestartCodeHasNoReturnValue) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    JsonSink sink(w);
    sink.begin(1'000'000);
    DecodedCall call;
    auto ev = restarted_read(512);
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
  }
  EXPECT_NE(cap.text().find(",\"ret\":null,\"errno\":\"ERESTARTSYS\",\"errmsg\":\"To be restarted "
                            "if SA_RESTART is set\"}"),
            std::string::npos)
      << cap.text();
}

// select's sets and timeout as passed, and what it wrote back after the result.
TEST(TextSink, WrittenBackAfterTheResult) {
  SyscallEvent ev;
  ev.task = {100, 100, {}};
  ev.nr = SYS_select;
  ev.args = {6, 0x1000, 0, 0, 0x2000, 0};
  ev.ret = 1;
  const uint64_t asked = (1u << 3) | (1u << 5), ready = 1u << 3;
  const int64_t tv[2] = {5, 0}, left[2] = {4, 999990};
  ev.before.add(0x1000, &asked, sizeof asked);
  ev.before.add(0x2000, tv, sizeof tv);
  ev.captures.add(0x1000, &ready, sizeof ready);
  ev.captures.add(0x2000, left, sizeof left);
  Capture cap, js;
  {
    Writer w(cap.fd(), false), wj(js.fd(), false);
    TextSink sink(w, TextOptions{});
    JsonSink jsink(wj);
    sink.begin(0);
    jsink.begin(0);
    DecodedCall call;
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
    jsink.syscall(call);
    // A failed call wrote nothing back: its arguments as passed, nothing after.
    ev.ret = -EINTR;
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
  }
  EXPECT_NE(cap.text().find("select(6, [3, 5], NULL, NULL, {tv_sec=5, tv_usec=0})\t\t = 1 (in [3], "
                            "left {tv_sec=4, tv_usec=999990})\n"),
            std::string::npos)
      << cap.text();
  EXPECT_NE(cap.text().find("select(6, [3, 5], NULL, NULL, {tv_sec=5, tv_usec=0})\t\t = -1 EINTR "
                            "(Interrupted system call)\n"),
            std::string::npos)
      << cap.text();
  EXPECT_NE(js.text().find("\"args\":{\"n\":6,\"inp\":[3,5],\"outp\":null,\"exp\":null,"
                           "\"tvp\":{\"tv_sec\":5,\"tv_usec\":0}},\"ret\":1,\"errno\":null,"
                           "\"after\":{\"inp\":[3],\"tvp\":{\"tv_sec\":4,\"tv_usec\":999990}}}"),
            std::string::npos)
      << js.text();
}

TEST(SummarySink, SortedByCountMostFrequentLast) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    SummarySink sink(w, false);
    DecodedCall call;
    Decoder dec({64, false});
    for (int i = 0; i < 3; ++i) {
      auto ev = openat_event(i == 0 ? -2 : 3);
      dec.decode(ev, call);
      sink.syscall(call);
    }
    SyscallEvent close_ev;
    close_ev.nr = SYS_close;
    close_ev.enter_ns = 0;
    close_ev.exit_ns = 1000;
    dec.decode(close_ev, call);
    sink.syscall(call);
    sink.finish();
  }
  auto t = cap.text();
  auto header = t.find("CALL");
  auto close_pos = t.find("close");
  auto open_pos = t.find("openat");
  auto total = t.find("\nTOTAL ");
  ASSERT_NE(header, std::string::npos) << t;
  EXPECT_LT(header, close_pos);
  EXPECT_LT(close_pos, open_pos);  // 1 call before 3 calls
  EXPECT_LT(open_pos, total);
  EXPECT_NE(t.find("\nopenat                         3       1          750 "), std::string::npos)
      << t;
  EXPECT_NE(t.find("\nTOTAL                          4       1          751\n"), std::string::npos)
      << t;
}

TEST(SummarySink, JsonSummaryObject) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    SummarySink sink(w, true);
    DecodedCall call;
    auto ev = openat_event(-2);
    Decoder({64, false}).decode(ev, call);
    sink.syscall(call);
    sink.finish();
  }
  EXPECT_EQ(cap.text(),
            "{\"type\":\"summary\",\"sort\":\"calls\",\"calls\":[{\"syscall\":\"openat\","
            "\"count\":1,\"errors\":1,\"errnos\":{\"ENOENT\":1},\"time_ns\":250000,"
            "\"avg_ns\":250000,\"p50_ns\":250000,\"p99_ns\":250000,\"max_ns\":250000,"
            "\"percentiles\":\"exact\",\"histogram\":[{\"ns\":131072,\"count\":1}]}],"
            "\"total\":{\"count\":1,\"errors\":1,\"time_ns\":250000},\"lost\":0}\n");
}

}  // namespace
}  // namespace dtruss::unit
