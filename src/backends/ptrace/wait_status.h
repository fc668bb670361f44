// A typed view of the status word waitpid() returns for a ptraced task. The kernel packs several
// different stops into one int; this says which one it is (see ptrace(2), "Stopped states").
#pragma once

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

namespace dtruss {

class WaitStatus {
 public:
  enum class Kind {
    Exited,          // the task exited: exit_code()
    Killed,          // the task was killed by term_signal()
    SyscallStop,     // syscall-entry or -exit stop (PTRACE_O_TRACESYSGOOD: SIGTRAP|0x80)
    EventStop,       // a PTRACE_EVENT_* stop: event()
    GroupStop,       // a job-control stop under PTRACE_SEIZE (PTRACE_EVENT_STOP + stop signal)
    SignalDelivery,  // a signal is about to be delivered: stop_signal()
    Other,           // WIFCONTINUED and the like; not expected with __WALL ptrace waits
  };

  explicit WaitStatus(int status) : status_(status) {}

  Kind kind() const {
    if (WIFEXITED(status_)) return Kind::Exited;
    if (WIFSIGNALED(status_)) return Kind::Killed;
    if (!WIFSTOPPED(status_)) return Kind::Other;
    if (WSTOPSIG(status_) == (SIGTRAP | 0x80)) return Kind::SyscallStop;
    int ev = event();
    if (ev == PTRACE_EVENT_STOP) {
      // PTRACE_EVENT_STOP carries the stop signal for a group-stop, SIGTRAP (or anything
      // else) for a PTRACE_INTERRUPT or the first stop of a new tracee.
      return is_stop_signal(WSTOPSIG(status_)) ? Kind::GroupStop : Kind::EventStop;
    }
    if (ev != 0) return Kind::EventStop;
    return Kind::SignalDelivery;
  }

  int exit_code() const { return WEXITSTATUS(status_); }
  int term_signal() const { return WTERMSIG(status_); }
  bool core_dumped() const { return WCOREDUMP(status_); }
  int stop_signal() const { return WSTOPSIG(status_); }
  int event() const { return (status_ >> 16) & 0xff; }
  int raw() const { return status_; }

  static bool is_stop_signal(int sig) {
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
  }

 private:
  int status_;
};

}  // namespace dtruss
