#include "syscalls/capture_run.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace dtruss {
namespace {

// The bytes (or elements) a Bytes step copies: by its length rule (table.h), or `max`; 0 when
// the rule gives nothing (a result not known or not positive, an int that cannot be read).
uint64_t step_length(const CaptureStep& s, const StepInputs& in, const MemoryReader& mem) {
  if (s.len == kLenRet) return in.returned && in.ret > 0 ? static_cast<uint64_t>(in.ret) : 0;
  if (s.len >= 0 && s.len < kMaxArgs) return in.args[s.len];
  for (int i = 0; i < kMaxArgs; ++i) {
    if (s.len == len_at(i)) {
      int32_t n = 0;
      return mem.read(in.args[i], &n, sizeof n) == sizeof n && n > 0 ? static_cast<uint64_t>(n) : 0;
    }
    if (s.len == len_pages(i))
      return in.args[i] / kPageSize + (in.args[i] % kPageSize != 0 ? 1 : 0);
  }
  return s.max;
}

void copy(const MemoryReader& mem, uint64_t addr, uint64_t len, CaptureStore& into) {
  if (addr == 0 || len == 0) return;
  std::string buf(static_cast<size_t>(len), '\0');
  size_t got = mem.read(addr, buf.data(), buf.size());
  if (got > 0) into.add(addr, buf.data(), got);
}

// An iovec array of `count` entries and (at most data_max bytes of) each buffer.
void copy_iovecs(const MemoryReader& mem, uint64_t iov, uint64_t count, uint32_t data_max,
                 CaptureStore& into) {
  count = std::min<uint64_t>(count, kMaxIovecs);
  if (iov == 0 || count == 0) return;
  std::vector<uint64_t> v(2 * count);
  size_t got = mem.read(iov, v.data(), v.size() * 8);
  if (got == 0) return;
  into.add(iov, v.data(), got);
  for (uint64_t i = 0; i < got / 16; ++i)
    copy(mem, v[2 * i], std::min<uint64_t>(v[2 * i + 1], data_max), into);
}

// A msghdr, its name, its control data, its iovecs and their buffers.
void copy_msghdr(const MemoryReader& mem, uint64_t addr, uint32_t data_max, CaptureStore& into) {
  struct {
    uint64_t name;
    uint32_t namelen, pad;
    uint64_t iov, iovlen, control, controllen;
    uint32_t flags, pad2;
  } m{};
  static_assert(sizeof(m) == kMsghdrSize);
  if (mem.read(addr, &m, sizeof m) != sizeof m) return;
  into.add(addr, &m, sizeof m);
  copy(mem, m.name, std::min<uint64_t>(m.namelen, kMaxSockaddr), into);
  copy(mem, m.control, std::min<uint64_t>(m.controllen, kMaxControl), into);
  copy_iovecs(mem, m.iov, m.iovlen, data_max, into);
}

void copy_strings(const CaptureStep& s, uint64_t addr, const MemoryReader& mem,
                  CaptureStore& into) {
  // The pointers (at most max_items and the NULL), many in each read: what follows the NULL is
  // read, not kept; a short read ends where the memory does.
  constexpr size_t kPointersARead = 128;
  std::vector<uint64_t> ptrs;
  uint64_t limit = uint64_t{s.max_items} + 1;
  while (ptrs.size() < limit) {
    size_t have = ptrs.size();
    size_t want = static_cast<size_t>(std::min<uint64_t>(kPointersARead, limit - have));
    ptrs.resize(have + want);
    size_t got = mem.read(addr + 8 * have, ptrs.data() + have, want * 8) / 8;
    ptrs.resize(have + got);
    auto end = std::find(ptrs.begin() + static_cast<std::ptrdiff_t>(have), ptrs.end(), 0);
    if (end != ptrs.end()) {
      ptrs.erase(end + 1, ptrs.end());
      break;
    }
    if (got < want) break;
  }
  into.add(addr, ptrs.data(), ptrs.size() * 8);
  if (s.shape == CaptureShape::PointerArray || s.max == 0) return;
  if (!ptrs.empty() && ptrs.back() == 0) ptrs.pop_back();
  // Each string's first chunk (to its page's end, at most max + 1 bytes, as read_cstring reads
  // them), all in one read_many; a string that goes on past its chunk is read on alone.
  std::vector<MemoryReader::Range> chunks(ptrs.size());
  size_t total = 0;
  for (size_t i = 0; i < ptrs.size(); ++i) {
    size_t want = kPageSize - ptrs[i] % kPageSize;
    chunks[i].len = std::min<size_t>(want, size_t{s.max} + 1);
    total += chunks[i].len;
  }
  std::string bytes(total, '\0');
  for (size_t i = 0, off = 0; i < ptrs.size(); off += chunks[i].len, ++i) {
    chunks[i].addr = ptrs[i];
    chunks[i].out = bytes.data() + off;
  }
  std::vector<size_t> got(ptrs.size());
  mem.read_many(chunks.data(), chunks.size(), got.data());
  std::string str, rest;
  for (size_t i = 0; i < ptrs.size(); ++i) {
    if (got[i] == 0) continue;  // (nothing readable: nothing captured)
    const char* c = static_cast<const char*>(chunks[i].out);
    const void* nul = std::memchr(c, 0, got[i]);
    bool terminated = false;
    if (nul != nullptr) {
      size_t len = static_cast<size_t>(static_cast<const char*>(nul) - c);
      str.assign(c, std::min<size_t>(len, s.max));
      terminated = len <= s.max;
    } else {
      str.assign(c, std::min<size_t>(got[i], s.max));
      bool more = got[i] == chunks[i].len && str.size() < s.max;
      bool rest_terminated = false;
      if (more && mem.read_cstring(ptrs[i] + got[i], rest, s.max - str.size(), &rest_terminated)) {
        str += rest;
        terminated = rest_terminated;
      }
    }
    into.add(ptrs[i], str.data(), str.size() + (terminated ? 1 : 0));
  }
}

}  // namespace

void run_capture_steps(const CaptureStep* steps, uint8_t n, const StepInputs& in,
                       const MemoryReader& mem, CaptureStore& into) {
  std::string buf;
  for (uint8_t i = 0; i < n; ++i) {
    const CaptureStep& s = steps[i];
    uint64_t addr = in.args[s.arg];
    if (addr == 0) continue;
    switch (s.shape) {
      case CaptureShape::CString: {
        bool terminated = false;
        if (mem.read_cstring(addr, buf, s.max, &terminated))
          into.add(addr, buf.data(), buf.size() + (terminated ? 1 : 0));
        // (the NUL, when present, is captured too, so the decoder sees where it ends)
        break;
      }
      case CaptureShape::Bytes: {
        uint64_t len = step_length(s, in, mem);
        if (s.elem != 0) len *= s.elem;
        len = std::min<uint64_t>(len, s.max);
        if (s.nested == CaptureStep::Nested::Msghdr) {
          copy_msghdr(mem, addr, s.data_max, into);
        } else if (s.nested == CaptureStep::Nested::Mmsghdr) {
          copy(mem, addr, len, into);  // (each mmsghdr: a msghdr, then its msg_len)
          for (uint64_t i = 0; i < std::min<uint64_t>(len / kMmsghdrSize, kMaxMmsghdrs); ++i)
            copy_msghdr(mem, addr + i * kMmsghdrSize, s.data_max, into);
        } else if (s.nested == CaptureStep::Nested::IovecData) {
          copy_iovecs(mem, addr, len / 16, s.data_max, into);
        } else {
          copy(mem, addr, len, into);
        }
        break;
      }
      case CaptureShape::StringArray:
      case CaptureShape::PointerArray:
        copy_strings(s, addr, mem, into);
        break;
    }
  }
}

}  // namespace dtruss
