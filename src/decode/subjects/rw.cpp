// Reads and writes: struct iovec, RWF_* and SPLICE_F_* flags.

#include <mqueue.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/perf_event.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <fcntl.h> (glibc's copy of include/linux/splice.h)
constexpr FlagName kSpliceBits[] = {F(SPLICE_F_MOVE), F(SPLICE_F_NONBLOCK), F(SPLICE_F_MORE),
                                    F(SPLICE_F_GIFT)};
constexpr FlagTable kSpliceFlags = bits_table("splice_flags", kSpliceBits);

// <sys/uio.h> (bits/uio-ext.h); RWF_ATOMIC (Linux 6.11) and RWF_DONTCACHE (6.14) from
// include/uapi/linux/fs.h.
constexpr FlagName kRwfBits[] = {
    F(RWF_HIPRI),  F(RWF_DSYNC),    F(RWF_SYNC),           F(RWF_NOWAIT),
    F(RWF_APPEND), F(RWF_NOAPPEND), N(0x40, "RWF_ATOMIC"), N(0x80, "RWF_DONTCACHE")};
constexpr FlagTable kRwfFlags = bits_table("rwf_flags", kRwfBits);

Value decode_iovec(const ArgContext& c) {
  uint64_t total = UINT64_MAX;
  if (c.arg.dir != Dir::In)
    total = c.ev.returned() && c.ev.ret >= 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  return iovec_array(c, c.raw, element_count(c, 1), true, total);
}

// iovecs of another process's address space (process_vm_readv/writev's rvec, process_madvise's
// ranges): addresses and lengths only, which is all a backend copies of them.
Value decode_remote_iovec(const ArgContext& c) {
  return iovec_array(c, c.raw, element_count(c, 1), false, 0);
}

static_assert(sizeof(struct iovec) == 16);

Value one_range(const ArgContext& c, uint64_t addr) {
  struct iovec io {};
  if (!read_struct(c.mem, addr, &io)) return Value::unreadable(addr);
  Value v = Value::structure();
  v.add("iov_base", ptr_value(reinterpret_cast<uint64_t>(io.iov_base)));
  FIELD(v, io, iov_len, Value::uinteger);
  return v;
}

// iovecs that name memory ranges, not data (IORING_REGISTER_BUFFERS): addresses and lengths.
Value decode_iovec_ranges(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(struct iovec),
                      c.opt.verbose ? kMaxArrayElements : c.opt.strsize, one_range);
}

constexpr Entry kStructs[] = {
    {"iovec", sizeof(iovec), decode_iovec},
    {"remote_iovec", sizeof(iovec), decode_remote_iovec},
    {"iovec_ranges", sizeof(struct iovec), decode_iovec_ranges},
};

constexpr const FlagTable* kTables[] = {&kSpliceFlags, &kRwfFlags};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef RWF_ATOMIC
static_assert(value_named(kRwfBits, "RWF_ATOMIC") == value_of(RWF_ATOMIC));
#endif
#ifdef RWF_DONTCACHE
static_assert(value_named(kRwfBits, "RWF_DONTCACHE") == value_of(RWF_DONTCACHE));
#endif

}  // namespace

// `count` iovecs at `addr`. With `data`, each buffer's bytes are shown (at most strsize of each),
// and no more than `total` bytes over all of them (what the call transferred); without, only
// their addresses (the memory of another process, or ranges rather than data).
Value iovec_array(const ArgContext& c, uint64_t addr, uint64_t count, bool data, uint64_t total) {
  Value arr = Value::array();
  size_t n = static_cast<size_t>(std::min<uint64_t>(count, kMaxArrayElements));
  uint64_t left = total;
  for (size_t i = 0; i < n; ++i) {
    iovec iov{};
    if (!read_struct(c.mem, addr + i * sizeof(iovec), &iov)) {
      if (i == 0) return Value::unreadable(addr);
      arr.truncated = true;
      return arr;
    }
    auto base = reinterpret_cast<uint64_t>(iov.iov_base);
    Value e = Value::structure();
    if (data && base != 0) {
      uint64_t len = std::min<uint64_t>(iov.iov_len, left);
      left -= len;
      e.add("iov_base", buffer_value(c.mem, base, static_cast<size_t>(len), c.opt.strsize));
    } else {
      e.add("iov_base", ptr_value(base));
    }
    FIELD(e, iov, iov_len, Value::uinteger);
    arr.add({}, std::move(e));
  }
  if (count > n) arr.truncated = true;
  return arr;
}

Subject subject_rw() {
  return {"rw", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
