// Which backend traces (--backend, DTRUSS_BACKEND, or auto: eBPF when allowed), and building it.
// The rest of the application sees only a Backend.
#pragma once

#include <memory>
#include <string>

#include "cli/options.h"
#include "core/backend.h"
#include "core/event.h"
#include "core/target.h"
#include "syscalls/capture.h"

namespace dtruss {

// Settles opt->backend to Ptrace or Bpf (-v says which, and why). "" on success, else the usage
// error: an eBPF backend asked for that cannot run here, --all without it, a bad DTRUSS_BACKEND.
std::string choose_backend(Options* opt);

// The chosen backend for `target`, with its own knobs from `opt`, its events to `out`.
std::unique_ptr<Backend> make_backend(const Options& opt, TraceTarget target,
                                      const CapturePlans& plans, EventConsumer& out);

}  // namespace dtruss
