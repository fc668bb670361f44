// String arrays (execve's argv and envp) are captured with their pointers in one read and every
// string's first chunk in one read_many (issue 20: one process_vm_readv instead of one per
// pointer and per string). What is captured must be what reading them one by one captured.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "backends/ptrace/live_memory.h"
#include "syscalls/capture_run.h"

namespace dtruss {
namespace {

constexpr uint64_t kPage = 4096;

// A tracee's memory: the pages given, the others unmapped (a read stops at the first of them).
class FakeMemory final : public MemoryReader {
 public:
  void map(uint64_t page) { pages_[page].assign(kPage, 'x'); }
  void put(uint64_t addr, const void* bytes, size_t len) {
    for (size_t i = 0; i < len; ++i) {
      uint64_t a = addr + i;
      pages_.at(a / kPage * kPage)[a % kPage] = static_cast<const char*>(bytes)[i];
    }
  }
  size_t read(uint64_t addr, void* out, size_t len) const override {
    ++reads;
    size_t i = 0;
    for (; i < len; ++i) {
      auto p = pages_.find((addr + i) / kPage * kPage);
      if (p == pages_.end()) break;
      static_cast<char*>(out)[i] = p->second[(addr + i) % kPage];
    }
    return i;
  }
  void read_many(const Range* ranges, size_t n, size_t* got) const override {
    ++batches;
    size_t before = reads;
    MemoryReader::read_many(ranges, n, got);
    reads = before;  // (one system call for a live process)
  }
  mutable size_t reads = 0;
  mutable size_t batches = 0;

 private:
  std::map<uint64_t, std::string> pages_;
};

// How they were captured before: each pointer, then each string, read alone.
CaptureStore one_by_one(const CaptureStep& s, uint64_t addr, const MemoryReader& mem) {
  CaptureStore into;
  std::vector<uint64_t> ptrs;
  for (uint32_t k = 0; k <= s.max_items; ++k) {
    uint64_t p = 0;
    if (!mem.read_u64(addr + 8ull * k, &p)) break;
    ptrs.push_back(p);
    if (p == 0) break;
  }
  into.add(addr, ptrs.data(), ptrs.size() * 8);
  if (s.shape == CaptureShape::PointerArray) return into;
  std::string buf;
  for (uint64_t p : ptrs) {
    if (p == 0) break;
    bool terminated = false;
    if (mem.read_cstring(p, buf, s.max, &terminated))
      into.add(p, buf.data(), buf.size() + (terminated ? 1 : 0));
  }
  return into;
}

std::vector<std::string> regions(const CaptureStore& st) {
  std::vector<std::string> out;
  st.each([&](uint64_t addr, const uint8_t* bytes, size_t len) {
    out.push_back(std::to_string(addr) + ":" +
                  std::string(reinterpret_cast<const char*>(bytes), len));
  });
  return out;
}

CaptureStep strings_step(uint32_t max, uint32_t max_items) {
  CaptureStep s{};
  s.arg = 0;
  s.shape = CaptureShape::StringArray;
  s.max = max;
  s.max_items = max_items;
  return s;
}

// Pages 0x10000-0x13fff mapped, 0x14000 not; the array at 0x10000, strings after it.
struct Layout {
  FakeMemory mem;
  uint64_t array = 0x10000;
  std::vector<uint64_t> ptrs;
  Layout() {
    for (uint64_t p = 0x10000; p < 0x14000; p += kPage) mem.map(p);
  }
  void string_at(uint64_t addr, const std::string& s, bool nul = true) {
    mem.put(addr, s.data(), s.size());
    if (nul) mem.put(addr, s.c_str(), s.size() + 1);
    ptrs.push_back(addr);
  }
  void finish(bool null_end = true) {
    if (null_end) ptrs.push_back(0);
    mem.put(array, ptrs.data(), ptrs.size() * 8);
  }
};

void expect_same(const Layout& l, const CaptureStep& s) {
  CaptureStore batched;
  uint64_t args[6] = {l.array};
  l.mem.batches = 0;
  l.mem.reads = 0;
  run_capture_steps(&s, 1, StepInputs{args}, l.mem, batched);
  EXPECT_EQ(regions(batched), regions(one_by_one(s, l.array, l.mem)));
}

TEST(CaptureStrings, AsReadOneByOne) {
  Layout l;
  l.string_at(0x10800, "/usr/bin/ls");
  l.string_at(0x10900, "");
  l.string_at(0x10fff - 3, "across a page boundary");        // goes on in the next page
  l.string_at(0x11800, std::string(300, 'a'));               // longer than max
  l.string_at(0x13ffc, "end", true);                         // its NUL the last mapped byte
  l.string_at(0x13ffe, "xy", false);                         // runs into the unmapped page
  l.ptrs.push_back(0x20000);                                 // not mapped at all
  l.string_at(0x12000 - 100, std::string(100, 'b'), false);  // exactly to a page end, then 'x's
  l.finish();
  for (uint32_t max : {1u, 3u, 64u, 100u, 256u, 4096u}) {
    SCOPED_TRACE(max);
    expect_same(l, strings_step(max, 1024));
  }
  expect_same(l, strings_step(64, 2));  // fewer items than the array has
  CaptureStep ptrs = strings_step(64, 1024);
  ptrs.shape = CaptureShape::PointerArray;
  expect_same(l, ptrs);
}

// envp counted without -v: no limit on its items (UINT32_MAX), and more pointers than one read.
TEST(CaptureStrings, LongArraysAndNoLimit) {
  Layout l;
  l.array = 0x12000;
  for (int i = 0; i < 300; ++i) l.string_at(0x10000 + 16 * i, "V" + std::to_string(i));
  l.finish();
  for (uint32_t items : {0u, 127u, 128u, 129u, 299u, 300u, 1024u, UINT32_MAX}) {
    SCOPED_TRACE(items);
    expect_same(l, strings_step(8, items));
    CaptureStep ptrs = strings_step(8, items);
    ptrs.shape = CaptureShape::PointerArray;
    expect_same(l, ptrs);
  }
}

TEST(CaptureStrings, AnArrayThatRunsIntoUnmappedMemory) {
  Layout l;
  l.array = 0x13ff0;  // two pointers, then the unmapped page: no NULL
  l.string_at(0x10800, "one");
  l.string_at(0x10900, "two");
  l.finish(false);
  expect_same(l, strings_step(64, 1024));
}

TEST(CaptureStrings, OneReadForThePointersOneBatchForTheStrings) {
  Layout l;
  for (int i = 0; i < 20; ++i) l.string_at(0x10800 + 64 * i, "VAR" + std::to_string(i) + "=x");
  l.finish();
  CaptureStore into;
  uint64_t args[6] = {l.array};
  CaptureStep s = strings_step(64, 1024);
  run_capture_steps(&s, 1, StepInputs{args}, l.mem, into);
  EXPECT_EQ(l.mem.reads, 1u);
  EXPECT_EQ(l.mem.batches, 1u);
  EXPECT_EQ(into.region_count(), 21u);
}

// process_vm_readv's batch, on this process's own memory: what each range alone would give,
// a range in an unmapped page included (the batch stops there, the rest is read alone).
TEST(LiveMemoryBatch, AsManyReads) {
  long page = sysconf(_SC_PAGESIZE);
  auto* base = static_cast<char*>(
      mmap(nullptr, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(base, MAP_FAILED);
  ASSERT_EQ(munmap(base + page, page), 0);  // a hole in the middle
  for (long i = 0; i < page; ++i) base[i] = static_cast<char>('a' + i % 26);
  for (long i = 0; i < page; ++i) base[2 * page + i] = static_cast<char>('A' + i % 26);
  LiveMemory mem(getpid());
  auto at = [&](long off) { return reinterpret_cast<uint64_t>(base + off); };
  std::vector<std::pair<uint64_t, size_t>> want = {
      {at(0), 10}, {at(100), 50}, {at(page - 20), 40}, {at(page + 8), 16}, {at(2 * page), 30}};
  for (int round = 0; round < 2; ++round) {  // (the first read decides process_vm_readv works)
    std::vector<std::string> bufs(want.size());
    std::vector<MemoryReader::Range> ranges;
    for (size_t i = 0; i < want.size(); ++i) {
      bufs[i].assign(want[i].second, '\0');
      ranges.push_back({want[i].first, bufs[i].data(), want[i].second});
    }
    std::vector<size_t> got(want.size());
    mem.read_many(ranges.data(), ranges.size(), got.data());
    for (size_t i = 0; i < want.size(); ++i) {
      std::string alone(want[i].second, '\0');
      size_t n = mem.read(want[i].first, alone.data(), alone.size());
      EXPECT_EQ(got[i], n) << i;
      EXPECT_EQ(bufs[i].substr(0, got[i]), alone.substr(0, n)) << i;
    }
    EXPECT_EQ(got[2], 20u);
    EXPECT_EQ(got[3], 0u);
    EXPECT_EQ(got[4], 30u);
  }
  munmap(base, page);
  munmap(base + 2 * page, page);
}

}  // namespace
}  // namespace dtruss
