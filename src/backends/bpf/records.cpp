#include "backends/bpf/records.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace dtruss {

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
    default:
      return 0;
  }
  return size >= header ? type : 0;
}

void read_syscall_record(const void* data, size_t size, bool cpu_time, SyscallEvent& ev,
                         std::vector<uint64_t>& counted) {
  dt_syscall rec;
  std::memcpy(&rec, data, sizeof(rec));
  ev.captures.clear();
  ev.task.pid = static_cast<int32_t>(rec.pid);
  ev.task.tid = static_cast<int32_t>(rec.tid);
  std::memcpy(ev.task.comm.data(), rec.comm, sizeof(rec.comm));
  ev.task.comm[15] = 0;
  ev.enter_ns = rec.enter_ns;
  ev.exit_ns = rec.exit_ns;
  ev.cpu_ns = rec.end == DT_NORETURN || !cpu_time ? kUnknown : rec.cpu_ns;
  ev.nr = rec.nr;
  for (size_t i = 0; i < 6; ++i) ev.args[i] = rec.args[i];
  ev.ret = rec.ret;
  ev.end = rec.end == DT_NORETURN     ? SyscallEvent::End::NoReturn
           : rec.end == DT_UNFINISHED ? SyscallEvent::End::Unfinished
                                      : SyscallEvent::End::Returned;
  if (rec.end == DT_UNFINISHED) ev.exit_ns = 0;
  ev.live = nullptr;
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
    if (c.len > static_cast<size_t>(end - p)) break;
    if (c.flags & DT_CAP_ARGV_BLOCK) {  // argv's strings, for the pointers of the array at addr
      const auto* s = p;
      for (uint64_t i = 0; s < p + c.len; ++i) {
        uint64_t ptr = 0;
        if (!ev.captures.read_u64(c.addr + 8 * i, &ptr) || ptr == 0) break;
        const auto* nul = static_cast<const uint8_t*>(std::memchr(s, 0, p + c.len - s));
        size_t n =
            nul != nullptr ? static_cast<size_t>(nul - s) + 1 : static_cast<size_t>(p + c.len - s);
        ev.captures.add(ptr, s, n);
        s += n;
      }
      p += (c.len + 7u) & ~7u;
      continue;
    }
    ev.captures.add(c.addr, p, c.len);
    p += (c.len + 7u) & ~7u;
  }
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

size_t stack_record_bytes(const dt_stack& rec, size_t size) {
  return size < sizeof(dt_stack) ? 0 : std::min<size_t>(rec.len, size - sizeof(dt_stack));
}

}  // namespace dtruss
