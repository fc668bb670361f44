#include "backends/bpf/records.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace dtruss {
namespace {

// execve's argv strings from the new image's stack (DT_CAP_ARGV_BLOCK): `argc` NUL-separated
// strings in [s, s + len), for the pointers of the caller's array at `argv` (captured before)
// whose strings could not be read at entry. When argc is not the array's, a script's interpreter
// (or binfmt_misc) replaced argv[0] with strings of its own: argv[1...] are the block's last ones.
void add_argv_block(SyscallEvent& ev, uint64_t argv, uint64_t argc, const uint8_t* s, size_t len) {
  std::vector<uint64_t> ptrs;
  uint64_t p = 0;
  while (ev.captures.read_u64(argv + 8 * ptrs.size(), &p) && p != 0) ptrs.push_back(p);
  if (p != 0 || ptrs.empty() || argc == 0) return;  // (the array was cut: its size is unknown)
  size_t first = 0, skip = 0;  // the array's first entry the block has, the block's strings before
  if (argc != ptrs.size()) {
    if (argc + 1 < ptrs.size()) return;  // (not from this array)
    first = 1;
    skip = argc + 1 - ptrs.size();
  }
  const uint8_t* end = s + len;
  for (size_t i = 0; s < end; ++i) {
    const auto* nul = static_cast<const uint8_t*>(std::memchr(s, 0, end - s));
    size_t n = nul != nullptr ? static_cast<size_t>(nul - s) + 1 : static_cast<size_t>(end - s);
    size_t at = first + i - std::min(i, skip);
    char byte;
    if (i >= skip && at < ptrs.size() && ev.captures.read(ptrs[at], &byte, 1) == 0)
      ev.captures.add(ptrs[at], s, n);  // (a string cut by the end of the block: without its NUL)
    s += n;
  }
}

}  // namespace

uint16_t record_type(const void* data, size_t size) {
  if (size < 8) return 0;
  uint16_t type;
  std::memcpy(&type, data, sizeof(type));
  size_t header = 0;
  switch (type) {
    case DT_SYSCALL:
      header = sizeof(dt_syscall);
      break;
    case DT_EXIT:
      header = sizeof(dt_exit);
      break;
    case DT_SIGNAL:
      header = sizeof(dt_signal);
      break;
    case DT_STACK:
      header = sizeof(dt_stack);
      break;
    case DT_MAP:
      header = sizeof(dt_map);
      break;
    case DT_FORK:
      header = sizeof(dt_fork);
      break;
    case DT_FD:
      header = sizeof(dt_fd);
      break;
    case DT_UNTRACED:
      header = sizeof(dt_untraced);
      break;
    case DT_CHUNK:
      header = sizeof(dt_chunk);
      break;
    default:
      return 0;
  }
  return size >= header ? type : 0;
}

void read_syscall_record(const void* data, size_t size, bool cpu_time, SyscallEvent& ev,
                         std::vector<uint64_t>& counted, std::vector<LateCapture>& late) {
  late.clear();
  dt_syscall rec;
  std::memcpy(&rec, data, sizeof(rec));
  ev.captures.clear();
  ev.before.clear();
  ev.task.pid = static_cast<int32_t>(rec.pid);
  ev.task.tid = static_cast<int32_t>(rec.tid);
  std::memcpy(ev.task.comm.data(), rec.comm, sizeof(rec.comm));
  ev.task.comm[15] = 0;
  ev.task.pidns = rec.pidns;
  ev.task.ns_pid = rec.ns_pid;
  ev.task.ns_tid = rec.ns_tid;
  ev.enter_ns = rec.enter_ns;
  ev.exit_ns = rec.exit_ns;
  ev.cpu_ns = rec.end == DT_NORETURN || !cpu_time || rec.uring != 0 ? kUnknown : rec.cpu_ns;
  ev.nr = rec.nr;
  uint32_t op1 = rec.uring & DT_URING_OP_MASK;
  ev.uring_op = op1 != 0 && op1 <= DT_URING_OPS ? static_cast<int16_t>(op1 - 1) : int16_t{-1};
  ev.uring_fixed_file = (rec.uring & DT_URING_FIXED_FILE) != 0;
  ev.uring_direct = (rec.uring & DT_URING_DIRECT) != 0;
  ev.uring_refused = (rec.uring & DT_URING_REFUSED) != 0;
  ev.uring_more = (rec.uring & DT_URING_MORE) != 0;
  for (size_t i = 0; i < 6; ++i) ev.args[i] = rec.args[i];
  ev.ret = rec.ret;
  ev.end = rec.end == DT_NORETURN     ? SyscallEvent::End::NoReturn
           : rec.end == DT_UNFINISHED ? SyscallEvent::End::Unfinished
                                      : SyscallEvent::End::Returned;
  if (rec.end == DT_UNFINISHED) ev.exit_ns = 0;
  for (auto& note : ev.fd_notes) note.clear();
  // The captures follow the header; every length is checked against the record.
  const auto* p = static_cast<const uint8_t*>(data) + sizeof(dt_syscall);
  const auto* end = static_cast<const uint8_t*>(data) + std::min<size_t>(size, rec.size);
  for (uint32_t i = 0; i < rec.ncap; ++i) {
    if (p + sizeof(dt_capture) > end) break;
    dt_capture c;
    std::memcpy(&c, p, sizeof(c));
    p += sizeof(c);
    if (c.flags & DT_CAP_COUNTED) {  // a measured pointer array: non-NULL entries, then NULL
      // (At most DT_ENVP_MAX entries and the NULL: a longer one is not the kernel side's.)
      if (c.len < 8 || c.len % 8 != 0 || c.len > (DT_ENVP_MAX + 1) * 8) break;
      counted.assign(c.len / 8, 1);
      counted.back() = 0;
      ev.captures.add(c.addr, counted.data(), c.len);
      continue;
    }
    if (c.flags & DT_CAP_FILE) {  // no bytes follow
      if (c.len <= DT_MAX_CAPTURE)
        late.push_back(
            {c.addr, c.len,
             c.flags & DT_CAP_STRING ? LateCapture::Kind::FileString : LateCapture::Kind::File});
      continue;
    }
    if (c.flags & DT_CAP_CHUNKED) {  // no bytes follow
      if (c.len <= DT_MAX_BIG) late.push_back({c.addr, c.len, LateCapture::Kind::Chunked});
      continue;
    }
    if (c.len > static_cast<size_t>(end - p)) break;
    if (c.flags & DT_CAP_ARGV_BLOCK)
      add_argv_block(ev, c.addr, c.flags >> DT_CAP_ARGC_SHIFT, p, c.len);
    else  // (DT_CAP_ENTRY: an in/out argument as the caller passed it)
      (c.flags & DT_CAP_ENTRY ? ev.before : ev.captures).add(c.addr, p, c.len);
    p += (c.len + 7u) & ~7u;
  }
}

const uint8_t* chunk_record_bytes(const void* data, size_t size, dt_chunk* rec) {
  std::memcpy(rec, data, sizeof(*rec));
  rec->len = static_cast<uint32_t>(
      std::min<size_t>({rec->len, size - sizeof(*rec), size_t{DT_MAX_CAPTURE}}));
  return static_cast<const uint8_t*>(data) + sizeof(*rec);
}

uint16_t map_kind(const void* data) {
  dt_map rec;
  std::memcpy(&rec, data, sizeof(rec));
  return rec.kind;
}

std::string map_record_path(const void* data, size_t size) {
  if (size < sizeof(dt_map)) return {};
  dt_map rec;
  std::memcpy(&rec, data, sizeof(rec));
  const char* p = static_cast<const char*>(data) + sizeof(dt_map);
  size_t len = std::min<size_t>({size_t{rec.path_len}, size - sizeof(dt_map), size_t{DT_PATH_MAX}});
  std::vector<std::string_view> parts;
  for (size_t at = 0; at < len;) {
    size_t n = strnlen(p + at, len - at);
    parts.emplace_back(p + at, n);
    at += n + 1;
  }
  std::string path;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    path += '/';
    path += *it;
  }
  return path;
}

StackRecordParts stack_record_parts(const dt_stack& rec, const void* data, size_t size) {
  StackRecordParts out;
  if (size < sizeof(dt_stack)) return out;
  size_t room = size - sizeof(dt_stack);
  out.fp = static_cast<const uint8_t*>(data) + sizeof(dt_stack);
  out.nfp = std::min<size_t>({rec.nfp, DT_FP_MAX, room / 8});
  room -= out.nfp * 8;
  out.bytes = out.fp + out.nfp * 8;
  out.len = std::min<size_t>(rec.len, room);
  return out;
}

}  // namespace dtruss
