// Access to a tracee's memory. Decoders read through MemoryReader only, so the same decoder runs
// over live ptrace reads and over bytes an eBPF program captured in the kernel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace dtruss {

class MemoryReader {
 public:
  virtual ~MemoryReader() = default;
  // Copies up to `len` bytes at `addr` into `out`; returns how many were readable (a short count
  // means the rest faulted or was not captured). Never throws; tracee addresses are untrusted.
  virtual size_t read(uint64_t addr, void* out, size_t len) const = 0;

  // Several reads at once: range i's bytes go to ranges[i].out, got[i] says how many were
  // readable, as read() would. A reader of a live process does them in one system call.
  struct Range {
    uint64_t addr;
    void* out;
    size_t len;
  };
  virtual void read_many(const Range* ranges, size_t n, size_t* got) const;

  // Reads a NUL-terminated string of at most `max` bytes (the NUL not counted) into `out`.
  // Returns false if nothing at all could be read. `*terminated` tells whether the NUL was seen.
  bool read_cstring(uint64_t addr, std::string& out, size_t max, bool* terminated) const;

  // Reads one pointer-sized (8 byte) value; false on a fault.
  bool read_u64(uint64_t addr, uint64_t* out) const { return read(addr, out, 8) == 8; }
};

// Byte ranges copied from a tracee (by ptrace at syscall entry, or by the eBPF program), looked
// up by address. Reused across events: clear() keeps the allocated capacity.
class CaptureStore final : public MemoryReader {
 public:
  size_t read(uint64_t addr, void* out, size_t len) const override;
  // Records `len` bytes at `addr`; `bytes` is copied.
  void add(uint64_t addr, const void* bytes, size_t len);
  void clear() {
    regions_.clear();
    arena_.clear();
  }
  bool empty() const { return regions_.empty(); }
  size_t region_count() const { return regions_.size(); }
  // Calls f(addr, bytes, len) for each region, in the order added (a capture file records them).
  template <class F>
  void each(F&& f) const {
    for (const Region& r : regions_) f(r.addr, arena_.data() + r.offset, r.len);
  }

 private:
  struct Region {
    uint64_t addr;
    size_t offset;  // into arena_
    size_t len;
  };
  std::vector<Region> regions_;
  std::vector<uint8_t> arena_;
};

}  // namespace dtruss
