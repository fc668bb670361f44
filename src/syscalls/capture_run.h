// A capture plan run on a traced thread's memory: what the ptrace backend copies of each call, at
// entry (in-arguments, and in/out arguments as passed) and at exit (what the call wrote). The
// eBPF backend runs the same plans in the kernel (src/backends/bpf/capture_plan.bpf.h) with the
// same limits, so that the decoders, which read only what was captured, show the same on both.
#pragma once

#include <cstdint>

#include "core/memory.h"
#include "syscalls/capture.h"

namespace dtruss {

// What the nested captures take at most (the eBPF backend's events.h has the same, checked).
inline constexpr uint32_t kMaxIovecs = 16;     // iovec buffers per array (DT_MAX_IOV)
inline constexpr uint32_t kMaxControl = 1024;  // msghdr control data (DT_MAX_CONTROL)
inline constexpr uint32_t kMaxSockaddr = 128;  // a msghdr's name
inline constexpr uint32_t kMsghdrSize = 56;    // struct msghdr (x86_64)
inline constexpr uint32_t kMmsghdrSize = 64;   // struct mmsghdr: a msghdr and its msg_len
inline constexpr uint32_t kMaxMmsghdrs = 16;   // messages of an mmsghdr array (DT_MAX_MMSG)

struct StepInputs {
  const uint64_t* args;   // the call's six arguments
  int64_t ret = 0;        // its result (steps whose length is the result need it: at exit)
  bool returned = false;  // whether `ret` is known
};

// Runs `n` steps of a plan on `mem`, into `into`.
void run_capture_steps(const CaptureStep* steps, uint8_t n, const StepInputs& in,
                       const MemoryReader& mem, CaptureStore& into);

}  // namespace dtruss
