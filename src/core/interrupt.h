// Requests to end a trace: from SIGINT/SIGTERM/SIGHUP, or from dtruss itself (the output was
// closed). Backends poll stop_requested() in their loops; a signal also calls the backend's
// async-signal-safe wake hook so that a blocking wait returns at once.
#pragma once

namespace dtruss {

enum class StopReason : int {
  None = 0,
  Signal,        // stop_signal() tells which
  OutputClosed,  // the reader of the trace went away (EPIPE)
  OutputFailed,  // the trace could not be written (ENOSPC, EIO, ...)
};

// Installs handlers for SIGINT, SIGTERM and SIGHUP (and ignores SIGPIPE: write errors are
// handled where they happen).
void install_stop_handlers();
// `hook` runs inside the signal handler: it must be async-signal-safe.
void set_wake_hook(void (*hook)());
void request_stop(StopReason reason);

bool stop_requested();
StopReason stop_reason();
int stop_signal();                // the signal that asked to stop, or 0
bool stop_signal_from_process();  // sent by kill() (not by the terminal or the kernel)
int stop_signal_count();          // how many stop signals arrived

}  // namespace dtruss
