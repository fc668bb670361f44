// Signals on a real traced program and on both backends: a POSIX timer's siginfo
// (tests/fixtures/timer_signal.c).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

class TimerSignal : public BackendTest {};

// A POSIX timer's signal shows its timer id (as timer_create returned it), overrun and sigval,
// both when a wait fills a siginfo and when the signal is delivered.
TEST_P(TimerSignal, SiginfoNamesTheTimer) {
  auto r = run_traced({backend(), "--json", fixture("timer_signal")});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto events = json_lines(r.trace);
  const auto creates = syscalls(events, "timer_create");
  ASSERT_EQ(creates.size(), 2u);
  const json id = creates[1]["args"]["created_timer_id"][0];
  EXPECT_EQ(creates[0]["args"]["created_timer_id"][0], 0);
  EXPECT_NE(id, 0);
  const json want = {{"si_signo", "SIGUSR2"}, {"si_code", "SI_TIMER"}, {"si_timerid", id},
                     {"si_overrun", 0},       {"si_int", 77},          {"si_ptr", "0x4d"}};
  const auto waits = syscalls(events, "rt_sigtimedwait");
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(waits[0]["args"]["uinfo"], want);
  int delivered = 0;
  for (const auto& e : events) {
    if (e.value("type", "") != "signal") continue;
    ++delivered;
    EXPECT_EQ(e["signal"], "SIGUSR2");
    EXPECT_EQ(e["siginfo"], want);
  }
  EXPECT_EQ(delivered, 1);
}

INSTANTIATE_BACKENDS(TimerSignal);

}  // namespace
}  // namespace e2e
