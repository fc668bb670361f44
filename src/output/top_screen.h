// The --top screen: a terminal (ncurses) view of the latest interval, with keys to sort, to switch
// between syscalls, processes and programs, to filter, to pause and to quit. It runs in its own
// thread, which alone touches the terminal: the tracer's loop hands it each interval (show) and
// never waits for the drawing, and the keys are read as they come. Quitting (q) is a SIGINT to
// dtruss, so a trace ends as with Ctrl-C: attached processes are let go, a started command gets
// the signal and its end is awaited (q again detaches).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "output/top_model.h"

namespace dtruss {

class TopScreen {
 public:
  struct Settings {
    TopView view = TopView::Syscalls;
    TopSort sort = TopSort::Calls;
    double interval_s = 1;
  };
  // `fd`: the terminal the screen is drawn on (keys are read from standard input).
  TopScreen(int fd, Settings settings);
  ~TopScreen();
  TopScreen(const TopScreen&) = delete;
  TopScreen& operator=(const TopScreen&) = delete;

  // Takes the terminal and starts the thread; false (and nothing changed) when it cannot.
  bool start();
  // The tracer's thread: the interval just ended (drawn unless paused).
  void show(TopSnapshot snapshot);
  // The trace is over: the thread ends and the terminal is as it was.
  void stop();

 private:
  struct Curses;  // the ncurses state (top_screen.cpp)
  void run();
  void wake(char why);
  void handle_key(int ch);
  void draw();

  int fd_;
  Settings s_;
  std::string filter_;
  std::string filter_before_;  // while editing: the filter to go back to (Esc)
  bool editing_ = false;
  bool paused_ = false;
  int missed_ = 0;  // intervals that came while paused
  int quits_ = 0;   // q pressed
  std::unique_ptr<Curses> curses_;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::optional<TopSnapshot> pending_;  // handed over, not yet taken by the thread (mu_)
  std::optional<TopSnapshot> latest_;   // the thread's: the newest interval
  std::optional<TopSnapshot> shown_;    // the thread's: the one on the screen (paused: older)
};

}  // namespace dtruss
