// StopWait (the ptrace tracer's wait, --tracer-spin): when it polls for the next stop.
#include "backends/ptrace/stop_wait.h"

#include <gtest/gtest.h>

namespace {

using dtruss::StopWait;

TEST(StopWait, PollsUntilThatKindOfWaitLastOutlastedTheSpin) {
  StopWait w(20'000, 2);
  w.resumed(100, 39);  // into getppid
  EXPECT_TRUE(w.polls());
  w.came(100, 3'000, true);
  EXPECT_TRUE(w.polls());
  w.resumed(100, 35);  // into nanosleep, which then sleeps 1 ms: not polled (a --tracer-spin
  w.came(100, 1'000'000, false);  // of 0 would do that)
  EXPECT_FALSE(w.polls());        // the next nanosleep: sleep at once
  w.resumed(100, -1);             // its own code up to its next call
  EXPECT_TRUE(w.polls());
  w.resumed(100, 39);  // getppid still came quickly
  EXPECT_TRUE(w.polls());
  w.resumed(100, 35);
  EXPECT_FALSE(w.polls());
  w.came(100, 5'000, false);  // this nanosleep was short: poll again next time
  EXPECT_TRUE(w.polls());
  w.resumed(100, -1);
  w.came(100, 50'000, false);  // the program computed between two calls
  EXPECT_FALSE(w.polls());
  w.resumed(100, -1);
  EXPECT_FALSE(w.polls());
}

TEST(StopWait, APollThatRunsOutSleepsTheNextWaitsLongerEachTimeInARow) {
  StopWait w(20'000, 2);
  auto sleeps_before_next_poll = [&w] {
    int n = 0;
    for (w.resumed(100, 39); !w.polls(); w.resumed(100, 39), n++) w.came(100, 1'000, false);
    return n;
  };
  w.resumed(100, 39);
  w.came(100, 30'000, true);  // ran out: 1 wait sleeps
  EXPECT_EQ(sleeps_before_next_poll(), 1);
  w.came(100, 30'000, true);  // again: 3
  EXPECT_EQ(sleeps_before_next_poll(), 3);
  w.came(100, 30'000, true);  // again: 7
  EXPECT_EQ(sleeps_before_next_poll(), 7);
  for (int i = 0; i < 3; i++) w.came(100, 1'000, true);  // caught: 15 -> 7 -> 3 -> 1
  w.came(100, 30'000, true);
  EXPECT_EQ(sleeps_before_next_poll(), 1);
  for (int i = 0; i < 20; i++) w.came(100, 30'000, true);  // at most 1023
  EXPECT_EQ(sleeps_before_next_poll(), 1023);
}

TEST(StopWait, AnotherThreadsStopTellsNothingOfTheResumedOne) {
  StopWait w(20'000, 8);
  w.resumed(100, 35);
  w.came(101, 1'000'000, false);
  EXPECT_TRUE(w.polls());
}

TEST(StopWait, NeverPollsWithMoreThreadsThanCpus) {
  StopWait w(20'000, 2);
  w.resumed(100, 39, 2);
  EXPECT_TRUE(w.polls());
  w.resumed(100, 39, 3);
  EXPECT_FALSE(w.polls());
  w.resumed(100, 39, 1);
  EXPECT_TRUE(w.polls());
}

TEST(StopWait, NeverPollsOnOneCpuNorWithNoSpin) {
  StopWait one(20'000, 1);
  one.resumed(100, 39);
  EXPECT_FALSE(one.polls());
  EXPECT_EQ(one.spin_ns(), 0u);
  StopWait off(0, 2);
  off.resumed(100, 39);
  EXPECT_FALSE(off.polls());
}

TEST(StopWait, CallsBeyondItsTableNeverPoll) {
  StopWait w(20'000, 2);
  w.resumed(100, 1 << 20);
  EXPECT_FALSE(w.polls());
  w.came(100, 1, false);  // (and leave no trace)
  w.resumed(100, 39);
  EXPECT_TRUE(w.polls());
}

}  // namespace
