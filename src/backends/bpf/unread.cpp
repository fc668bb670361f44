#include "backends/bpf/unread.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace dtruss {
namespace {

constexpr size_t kMapsPerCall = 4;  // DT_MAX_UNREAD
constexpr size_t kOpenFiles = 16;   // files kept open
constexpr uint64_t kPage = 4096;

bool same_file(int fd, uint64_t ino, uint32_t dev) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_ino == ino &&
         major(st.st_dev) == (dev >> 20) && minor(st.st_dev) == (dev & 0xfffff);
}

}  // namespace

UnreadFiles::~UnreadFiles() {
  for (auto& [key, fd] : files_) close(fd);
}

void UnreadFiles::on_map(const void* data, size_t size) {
  dt_map rec;
  std::memcpy(&rec, data, sizeof(rec));
  if (rec.kind != DT_MAP_DATA || rec.end <= rec.start) return;
  std::string path = map_record_path(data, size);
  if (path.empty()) return;
  auto& list = maps_[static_cast<pid_t>(rec.tid)];
  if (list.size() < kMapsPerCall)
    list.push_back({rec.start, rec.end, rec.pgoff, rec.ino, rec.dev, std::move(path)});
}

// The mapped file, checked to be the one the kernel side saw: by its path (dtruss's root is the
// walk's end), else through the process's /proc entry while it lives (another mount namespace).
int UnreadFiles::open_file(pid_t pid, const Mapping& m) {
  std::string key = fmt::format("{}:{}", m.dev, m.ino);
  auto it =
      std::find_if(files_.begin(), files_.end(), [&](const auto& f) { return f.first == key; });
  if (it != files_.end()) {
    files_.splice(files_.begin(), files_, it);
    return it->second;
  }
  int fd = -1;
  for (const std::string& path :
       {m.path, fmt::format("/proc/{}/map_files/{:x}-{:x}", pid, m.start, m.end)}) {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0 && same_file(fd, m.ino, m.dev)) break;
    if (fd >= 0) close(fd);
    fd = -1;
  }
  if (fd < 0) return -1;
  if (files_.size() >= kOpenFiles) {
    close(files_.back().second);
    files_.pop_back();
  }
  files_.emplace_front(std::move(key), fd);
  return fd;
}

// The bytes of u from the file, as the mapping shows them (no further than its end: a string
// that goes on past it is not known, nor is a buffer that does).
bool UnreadFiles::read_into(SyscallEvent& ev, const Mapping& m, int fd, const UnreadCapture& u) {
  uint64_t avail = m.end - u.addr;
  if (!u.string && avail < u.len) return false;
  size_t want = static_cast<size_t>(std::min<uint64_t>(u.len, avail));
  std::vector<uint8_t> bytes(want);
  uint64_t at = m.pgoff * kPage + (u.addr - m.start);
  ssize_t n = pread(fd, bytes.data(), want, static_cast<off_t>(at));
  if (n < 0) return false;
  // Past the file's end, the rest of its last page reads as zeros; the pages after it are not
  // there (reading them is SIGBUS).
  uint64_t valid_end = (at + static_cast<uint64_t>(n) + kPage - 1) / kPage * kPage;
  if (at + want > valid_end) want = static_cast<size_t>(valid_end - at);
  if (!u.string && want < u.len) return false;
  bytes.resize(want);
  std::fill(bytes.begin() + n, bytes.end(), 0);
  if (u.string) {
    auto nul = std::find(bytes.begin(), bytes.end(), 0);
    if (nul != bytes.end()) {
      bytes.erase(nul + 1, bytes.end());
    } else if (want == u.len) {  // cut where the kernel side's copy would be: len - 1 and a NUL
      bytes.back() = 0;
    } else {
      return false;
    }
  }
  ev.captures.add(u.addr, bytes.data(), bytes.size());
  return true;
}

void UnreadFiles::fill(SyscallEvent& ev, const std::vector<UnreadCapture>& unread) {
  if (maps_.empty()) return;
  auto it = maps_.find(ev.task.tid);
  if (it == maps_.end()) return;
  for (const UnreadCapture& u : unread) {
    for (const Mapping& m : it->second) {
      if (u.addr < m.start || u.addr >= m.end) continue;
      int fd = open_file(ev.task.pid, m);
      if (fd >= 0) read_into(ev, m, fd, u);
      break;
    }
  }
  maps_.erase(it);
}

}  // namespace dtruss
