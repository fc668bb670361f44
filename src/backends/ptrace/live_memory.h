// Reads a stopped tracee's memory: process_vm_readv (one syscall for a whole range), falling back
// to PTRACE_PEEKDATA word by word where process_vm_readv is refused.
#pragma once

#include <sys/types.h>

#include "core/memory.h"

namespace dtruss {

class LiveMemory final : public MemoryReader {
 public:
  explicit LiveMemory(pid_t tid) : tid_(tid) {}
  size_t read(uint64_t addr, void* out, size_t len) const override;
  // One process_vm_readv for all the ranges (as long as none faults; then each on its own).
  void read_many(const Range* ranges, size_t n, size_t* got) const override;

 private:
  size_t peek(uint64_t addr, void* out, size_t len) const;
  pid_t tid_;
};

}  // namespace dtruss
