// The clock of the trace: CLOCK_MONOTONIC in ns, as the kernel's timestamps (bpf_ktime_get_ns)
// and every event's ts_ns are.
#pragma once

#include <time.h>

#include <cstdint>

namespace dtruss {

inline uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace dtruss
