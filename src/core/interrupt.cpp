#include "core/interrupt.h"

#include <signal.h>

#include <atomic>

namespace dtruss {
namespace {
std::atomic<int> g_reason{0};
std::atomic<int> g_signal{0};
std::atomic<int> g_count{0};
std::atomic<bool> g_from_process{false};
std::atomic<void (*)()> g_hook{nullptr};

void on_signal(int sig, siginfo_t* info, void*) {
  g_signal.store(sig);
  // si_code <= 0: sent by a process (kill, tgkill, sigqueue); SI_KERNEL: the terminal driver.
  g_from_process.store(info != nullptr && info->si_code <= 0);
  g_count.fetch_add(1);
  int expected = 0;
  g_reason.compare_exchange_strong(expected, static_cast<int>(StopReason::Signal));
  if (auto hook = g_hook.load()) hook();
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;  // no SA_RESTART: a blocking wait returns EINTR
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void set_wake_hook(void (*hook)()) {
  g_hook.store(hook);
}

void request_stop(StopReason reason) {
  int expected = 0;
  g_reason.compare_exchange_strong(expected, static_cast<int>(reason));
  if (auto hook = g_hook.load()) hook();
}

bool stop_requested() {
  return g_reason.load() != 0;
}
StopReason stop_reason() {
  return static_cast<StopReason>(g_reason.load());
}
int stop_signal() {
  return g_signal.load();
}
bool stop_signal_from_process() {
  return g_from_process.load();
}
int stop_signal_count() {
  return g_count.load();
}

}  // namespace dtruss
