// The program's CO-RE relocations against a small copy of the kernel's BTF, kept in a cache.
//
// libbpf relocates each kernel type the program reads (about 35) by scanning all of the kernel's
// BTF (125,000 types here) for it: most of the eBPF backend's start-up. A BTF holding only the
// types and members the program's relocations use ("bpftool gen min_core_btf") gives the same
// offsets and sizes at a small fraction of that cost. It is made once per kernel and program
// (the first run pays about the cost of bpftool), then read from the cache; anything that does
// not check out is made again, and when it cannot be made the kernel's BTF is used as before.
// Not for use outside src/backends/bpf.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

struct btf;

namespace dtruss::bpf_core_btf {

// What the caller wants kept with the small BTF: bytes computed from the kernel's whole BTF when
// the cache file is made (io_uring's member offsets), so that later runs need not load it.
using ExtraFn = std::function<std::string(const btf* vmlinux)>;

// A checked small BTF, ready for libbpf: path() names it (an anonymous file of this process).
class CoreBtf {
 public:
  CoreBtf() = default;
  CoreBtf(const CoreBtf&) = delete;
  CoreBtf& operator=(const CoreBtf&) = delete;
  CoreBtf(CoreBtf&& other) noexcept;
  CoreBtf& operator=(CoreBtf&& other) noexcept;
  ~CoreBtf();

  bool usable() const { return fd_ >= 0; }
  std::string path() const;
  // The kernel's own BTF id of struct task_struct (the small BTF's ids are its own).
  uint32_t task_struct_id() const { return task_struct_id_; }
  // What happened ("read from the cache", "made", or why it is not used): DTRUSS_VERIFIER_STATS.
  const std::string& note() const { return note_; }
  // The ExtraFn's bytes, when usable().
  const std::string& extra() const { return extra_; }
  // Removes the cache file: the program did not load with it (it is made again next time).
  void discard() const;

 private:
  friend CoreBtf core_btf(const void* object, size_t size, std::string_view extra_key,
                          const ExtraFn& extra);
  int fd_ = -1;
  uint32_t task_struct_id_ = 0;
  std::string note_;
  std::string file_;  // the cache file
  std::string extra_;
};

// The small BTF for the BPF object `object` on the running kernel, and `extra`'s bytes (which
// depend on the kernel and on what `extra_key` says): from the cache directory (cache_dir()),
// made there when missing or not valid.
// Not usable (note() says why) when the kernel has no build ID, bpftool is missing, or the
// cache cannot be written.
CoreBtf core_btf(const void* object, size_t size, std::string_view extra_key, const ExtraFn& extra);

// The cache directory core_btf uses: $XDG_CACHE_HOME/dtruss, else ~/.cache/dtruss, when that
// base directory is this user's (or does not exist yet); else /var/cache/dtruss for root; else
// "" (none).
std::string cache_dir();

}  // namespace dtruss::bpf_core_btf
