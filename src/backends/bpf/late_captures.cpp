#include "backends/bpf/late_captures.h"

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

LateCaptures::~LateCaptures() {
  for (auto& [key, fd] : files_) close(fd);
}

void LateCaptures::on_map(const void* data, size_t size) {
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
int LateCaptures::open_file(pid_t pid, const Mapping& m) {
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
bool LateCaptures::read_into(SyscallEvent& ev, const Mapping& m, int fd, const LateCapture& u) {
  uint64_t avail = m.end - u.addr;
  bool string = u.kind == LateCapture::Kind::FileString;
  if (!string && avail < u.len) return false;
  size_t want = static_cast<size_t>(std::min<uint64_t>(u.len, avail));
  std::vector<uint8_t> bytes(want);
  uint64_t at = m.pgoff * kPage + (u.addr - m.start);
  ssize_t n = pread(fd, bytes.data(), want, static_cast<off_t>(at));
  if (n < 0) return false;
  // Past the file's end, the rest of its last page reads as zeros; the pages after it are not
  // there (reading them is SIGBUS).
  uint64_t valid_end = (at + static_cast<uint64_t>(n) + kPage - 1) / kPage * kPage;
  if (at + want > valid_end) want = static_cast<size_t>(valid_end - at);
  if (!string && want < u.len) return false;
  bytes.resize(want);
  std::fill(bytes.begin() + n, bytes.end(), 0);
  if (string) {
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

void LateCaptures::on_chunk(const void* data, size_t size) {
  dt_chunk rec;
  const uint8_t* bytes = chunk_record_bytes(data, size, &rec);
  auto& list = pieces_[static_cast<pid_t>(rec.tid)];
  if (list.size() < DT_MAX_BIG / DT_MAX_CAPTURE)
    list.push_back({rec.addr, {bytes, bytes + rec.len}});
}

void LateCaptures::from_file(SyscallEvent& ev, const std::vector<Mapping>& maps,
                             const LateCapture& u) {
  for (const Mapping& m : maps) {
    if (u.addr < m.start || u.addr >= m.end) continue;
    int fd = open_file(ev.task.pid, m);
    if (fd >= 0) read_into(ev, m, fd, u);
    return;
  }
}

// The pieces that follow each other from u's address on, as one capture.
void LateCaptures::from_pieces(SyscallEvent& ev, const std::vector<Piece>& pieces,
                               const LateCapture& u) {
  std::vector<uint8_t> bytes;
  for (const Piece& piece : pieces) {
    if (piece.addr != u.addr + bytes.size()) continue;
    size_t n = std::min<size_t>(piece.bytes.size(), u.len - bytes.size());
    bytes.insert(bytes.end(), piece.bytes.begin(), piece.bytes.begin() + n);
    if (bytes.size() == u.len) break;
  }
  if (!bytes.empty()) ev.captures.add(u.addr, bytes.data(), bytes.size());
}

void LateCaptures::fill(SyscallEvent& ev, const std::vector<LateCapture>& late) {
  if (maps_.empty() && pieces_.empty()) return;
  auto maps = maps_.find(ev.task.tid);
  auto pieces = pieces_.find(ev.task.tid);
  for (const LateCapture& u : late) {
    if (u.kind == LateCapture::Kind::Chunked) {
      if (pieces != pieces_.end()) from_pieces(ev, pieces->second, u);
    } else if (maps != maps_.end()) {
      from_file(ev, maps->second, u);
    }
  }
  if (maps != maps_.end()) maps_.erase(maps);
  if (pieces != pieces_.end()) pieces_.erase(pieces);
}

}  // namespace dtruss
