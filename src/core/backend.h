// A way of tracing (ptrace, eBPF), as the application sees it: it chooses one, prepares it and
// runs it without knowing which. Each backend is built with its config (a TraceTarget and its own
// knobs) and the EventConsumer its events go to.
#pragma once

namespace dtruss {

class Backend {
 public:
  virtual ~Backend() = default;
  // The work before the trace's clock starts: loading the eBPF programs; finding (-n) or awaiting
  // (-W) the processes ptrace attaches to. Throws TraceError. False when a stop was requested
  // meanwhile: nothing was traced, and the trace ends (128 + stop_signal()).
  virtual bool prepare() = 0;
  // Traces until every tracee is gone or a stop is requested; returns dtruss's exit status (the
  // started command's status, 128+N if it was killed by signal N; 0 after a detach). Throws
  // TraceError when the trace cannot start.
  virtual int run() = 0;
};

}  // namespace dtruss
