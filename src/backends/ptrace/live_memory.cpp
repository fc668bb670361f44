#include "backends/ptrace/live_memory.h"

#include <sys/ptrace.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dtruss {
namespace {
// Whether process_vm_readv works here (it is refused under some seccomp sandboxes and when
// CONFIG_CROSS_MEMORY_ATTACH is off); decided on first use.
int g_vm_readv_usable = -1;
}  // namespace

size_t LiveMemory::read(uint64_t addr, void* out, size_t len) const {
  if (len == 0) return 0;
  if (g_vm_readv_usable != 0) {
    size_t done = 0;
    while (done < len) {
      iovec local{static_cast<char*>(out) + done, len - done};
      iovec remote{reinterpret_cast<void*>(addr + done), len - done};
      ssize_t n = process_vm_readv(tid_, &local, 1, &remote, 1, 0);
      if (n > 0) {
        g_vm_readv_usable = 1;
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == ENOSYS || errno == EPERM) && g_vm_readv_usable == -1) {
        g_vm_readv_usable = 0;
        return peek(addr, out, len);
      }
      break;  // EFAULT: the rest is not mapped
    }
    return done;
  }
  return peek(addr, out, len);
}

void LiveMemory::read_many(const Range* ranges, size_t n, size_t* got) const {
  size_t done = 0;  // the ranges read whole
  if (g_vm_readv_usable == 1) {
    constexpr size_t kBatch = 64;  // (well under IOV_MAX)
    iovec local[kBatch], remote[kBatch];
    while (done < n) {
      size_t k = std::min(kBatch, n - done), want = 0;
      for (size_t i = 0; i < k; ++i) {
        const Range& r = ranges[done + i];
        local[i] = {r.out, r.len};
        remote[i] = {reinterpret_cast<void*>(r.addr), r.len};
        want += r.len;
      }
      ssize_t m = process_vm_readv(tid_, local, k, remote, k, 0);
      if (m < 0 || static_cast<size_t>(m) != want) break;  // a fault: each of the rest alone
      for (size_t i = 0; i < k; ++i) got[done + i] = ranges[done + i].len;
      done += k;
    }
  }
  for (size_t i = done; i < n; ++i) got[i] = read(ranges[i].addr, ranges[i].out, ranges[i].len);
}

size_t LiveMemory::peek(uint64_t addr, void* out, size_t len) const {
  size_t done = 0;
  auto* dst = static_cast<char*>(out);
  while (done < len) {
    uint64_t a = addr + done;
    uint64_t aligned = a & ~uint64_t{7};
    errno = 0;
    long word = ptrace(PTRACE_PEEKDATA, tid_, reinterpret_cast<void*>(aligned), nullptr);
    if (errno != 0) break;
    size_t skip = a - aligned;
    size_t n = std::min(sizeof(word) - skip, len - done);
    std::memcpy(dst + done, reinterpret_cast<char*>(&word) + skip, n);
    done += n;
  }
  return done;
}

}  // namespace dtruss
