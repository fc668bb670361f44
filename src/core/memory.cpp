#include "core/memory.h"

#include <algorithm>
#include <cstring>

namespace dtruss {

void MemoryReader::read_many(const Range* ranges, size_t n, size_t* got) const {
  for (size_t i = 0; i < n; ++i) got[i] = read(ranges[i].addr, ranges[i].out, ranges[i].len);
}

bool MemoryReader::read_cstring(uint64_t addr, std::string& out, size_t max,
                                bool* terminated) const {
  out.clear();
  *terminated = false;
  // Read in chunks that never cross a page boundary, so a string that ends just before an
  // unmapped page is still read whole.
  constexpr uint64_t kPage = 4096;
  char buf[kPage];
  bool any = false;
  while (out.size() < max) {
    size_t want = kPage - (addr % kPage);
    want = std::min<size_t>(want, max - out.size() + 1);
    size_t got = read(addr, buf, want);
    if (got == 0) break;
    any = true;
    const void* nul = std::memchr(buf, 0, got);
    if (nul != nullptr) {
      size_t n = static_cast<const char*>(nul) - buf;
      out.append(buf, std::min(n, max - out.size()));
      *terminated = n <= max;
      return true;
    }
    out.append(buf, std::min(got, max - out.size()));
    if (got < want) break;
    addr += got;
  }
  return any;
}

void CaptureStore::add(uint64_t addr, const void* bytes, size_t len) {
  if (len == 0) return;
  size_t off = arena_.size();
  const auto* p = static_cast<const uint8_t*>(bytes);
  arena_.insert(arena_.end(), p, p + len);
  regions_.push_back({addr, off, len});
}

size_t CaptureStore::read(uint64_t addr, void* out, size_t len) const {
  // Regions are few per event; a linear scan beats any index. Of the regions holding `addr`,
  // the one that holds the most of what is asked wins (two captures can overlap: an array read
  // a little past its end and a string stored right after it); among equals the latest (an
  // exit-time copy of an out-argument is added after the entry-time one).
  const Region* best = nullptr;
  size_t best_n = 0;
  for (auto it = regions_.rbegin(); it != regions_.rend(); ++it) {
    const Region& r = *it;
    if (addr >= r.addr && addr - r.addr < r.len) {
      size_t n = std::min(len, r.len - static_cast<size_t>(addr - r.addr));
      if (n > best_n) {
        best = &r;
        best_n = n;
      }
    }
  }
  if (best != nullptr) std::memcpy(out, arena_.data() + best->offset + (addr - best->addr), best_n);
  return best_n;
}

}  // namespace dtruss
