// Which calls are shown by how they ended (--status, -Z, -z): shared by the options, the
// pipeline's filter and the eBPF backend (which drops an unselected call in the kernel).
#pragma once

#include <cstdint>

#include "core/event.h"

namespace dtruss {

// Bits of a status set (0: every call).
enum CallStatus : unsigned {
  kStatusSuccessful = 1,  // returned without an error
  kStatusFailed = 2,      // returned an error (-4095..-1)
  kStatusUnfinished = 4,  // did not return (exit_group, a thread that died in the call)
  kStatusDetached = 8,    // in progress when dtruss let the process go
};

inline bool is_error_return(int64_t ret) {
  return ret < 0 && ret >= -4095;
}

// The status bit of a call.
inline unsigned call_status(const SyscallEvent& ev) {
  if (ev.end == SyscallEvent::End::Detached) return kStatusDetached;
  if (!ev.returned()) return kStatusUnfinished;
  return is_error_return(ev.ret) ? kStatusFailed : kStatusSuccessful;
}

}  // namespace dtruss
