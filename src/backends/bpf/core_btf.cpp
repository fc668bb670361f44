// The small BTF cache for CO-RE relocations: see core_btf.h.
#include "backends/bpf/core_btf.h"

#include <bpf/btf.h>
#include <elf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

extern char** environ;

namespace dtruss::bpf_core_btf {
namespace {

constexpr const char* kVmlinux = "/sys/kernel/btf/vmlinux";
constexpr std::string_view kMagic = "dtruss core BTF 1\n";
constexpr size_t kMaxFile = 16 << 20;

// A 64-bit hash of bytes (FNV-1a over 8-byte words): tells a changed or torn file.
uint64_t hash_bytes(const void* data, size_t n) {
  const auto* b = static_cast<const unsigned char*>(data);
  uint64_t h = 1469598103934665603ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, b + i, 8);
    h = (h ^ w) * 1099511628211ull;
    h ^= h >> 29;
  }
  for (; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h ^ n;
}

bool read_all(int fd, std::string& out, size_t max) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max) return false;
  }
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// The running kernel's GNU build ID (hex) from its ELF notes, "" when it has none.
std::string kernel_build_id() {
  int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string notes;
  bool ok = read_all(fd, notes, 1 << 16);
  close(fd);
  if (!ok) return {};
  auto align4 = [](size_t v) { return (v + 3) & ~size_t{3}; };
  for (size_t at = 0; at + sizeof(Elf64_Nhdr) <= notes.size();) {
    Elf64_Nhdr h;
    std::memcpy(&h, notes.data() + at, sizeof h);
    size_t name = at + sizeof h, desc = name + align4(h.n_namesz);
    if (desc + h.n_descsz > notes.size()) break;
    if (h.n_type == NT_GNU_BUILD_ID && h.n_namesz == 4 &&
        std::memcmp(notes.data() + name, "GNU", 4) == 0 && h.n_descsz > 0) {
      std::string hex;
      for (size_t i = 0; i < h.n_descsz; ++i)
        hex += fmt::format("{:02x}", static_cast<unsigned char>(notes[desc + i]));
      return hex;
    }
    at = desc + align4(h.n_descsz);
  }
  return {};
}

// The small BTF checked: libbpf parses it and it has struct task_struct (for the cast's id).
bool btf_valid(std::string_view bytes) {
  btf* b = btf__new(bytes.data(), static_cast<uint32_t>(bytes.size()));
  if (b == nullptr) return false;
  bool ok = btf__find_by_name_kind(b, "task_struct", BTF_KIND_STRUCT) > 0;
  btf__free(b);
  return ok;
}

// The cache file: kMagic, the key line, the kernel's task_struct id, the hash of what follows
// and the sizes of its two parts, then the BTF and the extra bytes. `key` names the kernel
// (build ID, BTF size) and the program (its hash, and that of what the extra bytes depend on).
std::string file_text(const std::string& key, uint32_t task_id, std::string_view btf,
                      std::string_view extra) {
  std::string body = std::string(btf) + std::string(extra);
  return fmt::format("{}{}\n{}\n{:016x} {} {}\n", kMagic, key, task_id,
                     hash_bytes(body.data(), body.size()), btf.size(), extra.size()) +
         body;
}

// The BTF, extra bytes and task_struct id of a cache file's text, when all of it checks out.
bool parse_file(std::string_view text, const std::string& key, std::string_view& btf,
                std::string_view& extra, uint32_t& task_id) {
  if (text.substr(0, kMagic.size()) != kMagic) return false;
  text.remove_prefix(kMagic.size());
  auto line = [&](std::string_view& out) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return false;
    out = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    return true;
  };
  std::string_view k, id, sum;
  if (!line(k) || k != key || !line(id) || !line(sum)) return false;
  char* end = nullptr;
  std::string id_s(id), sum_s(sum);
  unsigned long tid = std::strtoul(id_s.c_str(), &end, 10);
  if (id_s.empty() || *end != '\0' || tid == 0 || tid > UINT32_MAX) return false;
  unsigned long long h = std::strtoull(sum_s.c_str(), &end, 16);
  if (*end != ' ') return false;
  unsigned long long n = std::strtoull(end + 1, &end, 10);
  if (*end != ' ') return false;
  unsigned long long m = std::strtoull(end + 1, &end, 10);
  if (*end != '\0' || n > text.size() || m != text.size() - n ||
      h != hash_bytes(text.data(), text.size()))
    return false;
  if (!btf_valid(text.substr(0, n))) return false;
  btf = text.substr(0, n);
  extra = text.substr(n);
  task_id = static_cast<uint32_t>(tid);
  return true;
}

// The cache file's text, when it is a regular file of this user that no one else may write.
bool read_cache(const std::string& path, std::string& text) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
            (st.st_mode & (S_IWGRP | S_IWOTH)) == 0 && read_all(fd, text, kMaxFile);
  close(fd);
  return ok;
}

// The directory, made when missing: this user's, no one else may write in it.
bool make_dir(const std::string& dir) {
  for (size_t at = 1; at <= dir.size(); ++at) {
    if (at != dir.size() && dir[at] != '/') continue;
    std::string part = dir.substr(0, at);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  struct stat st {};
  return lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
         (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// A new file in `dir` (mode 0600) with `data`: its path, "" when it could not be written.
std::string temp_file(const std::string& dir, std::string_view data) {
  std::string path = dir + "/.tmp-XXXXXX";
  int fd = mkostemp(path.data(), O_CLOEXEC);
  if (fd < 0) return {};
  bool ok = write_all(fd, data);
  if (close(fd) != 0 || !ok) {
    unlink(path.c_str());
    return {};
  }
  return path;
}

// Runs bpftool gen min_core_btf on the object (its output to `out`): whether it succeeded.
bool run_bpftool(const std::string& object, const std::string& out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  for (int fd : {0, 1, 2})
    posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  std::string tool = DTRUSS_BPFTOOL;
  const char* argv[] = {tool.c_str(), "gen",          "min_core_btf", kVmlinux,
                        out.c_str(),  object.c_str(), nullptr};
  pid_t pid = -1;
  int err = posix_spawn(&pid, tool.c_str(), &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Makes the small BTF with bpftool and the kernel's task_struct id; writes the cache file.
bool make(const std::string& dir, const std::string& path, const std::string& key,
          const void* object, size_t size, const ExtraFn& extra_fn, std::string& btf_out,
          std::string& extra_out, uint32_t& task_id, std::string& why) {
  if (access(DTRUSS_BPFTOOL, X_OK) != 0) {
    why = fmt::format("no {}", DTRUSS_BPFTOOL);
    return false;
  }
  std::string obj = temp_file(dir, {static_cast<const char*>(object), size});
  std::string out = obj.empty() ? std::string() : temp_file(dir, {});
  bool ran = !out.empty() && run_bpftool(obj, out);
  std::string small;
  if (ran) {
    int fd = open(out.c_str(), O_RDONLY | O_CLOEXEC);
    ran = fd >= 0 && read_all(fd, small, kMaxFile);
    if (fd >= 0) close(fd);
  }
  if (!obj.empty()) unlink(obj.c_str());
  if (!out.empty()) unlink(out.c_str());
  if (!ran || !btf_valid(small)) {
    why = out.empty() ? "cannot write in " + dir : "bpftool gen min_core_btf failed";
    return false;
  }
  btf* vmlinux = btf__load_vmlinux_btf();
  int id =
      vmlinux != nullptr ? btf__find_by_name_kind(vmlinux, "task_struct", BTF_KIND_STRUCT) : -1;
  if (id > 0 && extra_fn) extra_out = extra_fn(vmlinux);
  btf__free(vmlinux);
  if (id <= 0) {
    why = "no struct task_struct in the kernel's BTF";
    return false;
  }
  task_id = static_cast<uint32_t>(id);
  btf_out = std::move(small);
  std::string tmp = temp_file(dir, file_text(key, task_id, btf_out, extra_out));
  if (tmp.empty() || rename(tmp.c_str(), path.c_str()) != 0) {
    if (!tmp.empty()) unlink(tmp.c_str());
    why = "cannot write " + path;
    return false;
  }
  return true;
}

}  // namespace

CoreBtf::CoreBtf(CoreBtf&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      task_struct_id_(other.task_struct_id_),
      note_(std::move(other.note_)),
      file_(std::move(other.file_)),
      extra_(std::move(other.extra_)) {}

CoreBtf& CoreBtf::operator=(CoreBtf&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    task_struct_id_ = other.task_struct_id_;
    note_ = std::move(other.note_);
    file_ = std::move(other.file_);
    extra_ = std::move(other.extra_);
  }
  return *this;
}

CoreBtf::~CoreBtf() {
  if (fd_ >= 0) close(fd_);
}

void CoreBtf::discard() const {
  if (!file_.empty()) unlink(file_.c_str());
}

std::string CoreBtf::path() const {
  return fmt::format("/proc/self/fd/{}", fd_);
}

std::string cache_dir() {
  // A base directory of another user's is not used (under sudo, $HOME may be the caller's:
  // root's files would be left in it); root then keeps its cache in /var/cache.
  auto ours = [](const std::string& base) {
    struct stat st {};
    return stat(base.c_str(), &st) != 0 || st.st_uid == geteuid();
  };
  const char* xdg = getenv("XDG_CACHE_HOME");
  const char* home = getenv("HOME");
  std::string base = xdg != nullptr && xdg[0] == '/'     ? std::string(xdg)
                     : home != nullptr && home[0] == '/' ? std::string(home) + "/.cache"
                                                         : std::string();
  if (!base.empty() && ours(base)) return base + "/dtruss";
  return geteuid() == 0 ? "/var/cache/dtruss" : std::string();
}

CoreBtf core_btf(const void* object, size_t size, std::string_view extra_key,
                 const ExtraFn& extra) {
  CoreBtf out;
  std::string build_id = kernel_build_id();
  struct stat st {};
  if (build_id.empty() || stat(kVmlinux, &st) != 0) {
    out.note_ = "not used: the kernel has no build ID";
    return out;
  }
  std::string dir = cache_dir();
  if (dir.empty()) {
    out.note_ = "not used: no cache directory (XDG_CACHE_HOME, HOME)";
    return out;
  }
  std::string key =
      fmt::format("{}-{}-{:016x}", build_id, static_cast<long long>(st.st_size),
                  hash_bytes(object, size) * 31 + hash_bytes(extra_key.data(), extra_key.size()));
  std::string path = fmt::format("{}/core-{}.btf", dir, key);
  std::string text, made, made_extra;
  std::string_view btf, extra_bytes;
  uint32_t task_id = 0;
  if (read_cache(path, text) && parse_file(text, key, btf, extra_bytes, task_id)) {
    out.note_ = "read from " + path;
  } else {
    std::string why;
    if (!make_dir(dir)) {
      out.note_ = "not used: cannot make " + dir;
      return out;
    }
    if (!make(dir, path, key, object, size, extra, made, made_extra, task_id, why)) {
      out.note_ = "not used: " + why;
      return out;
    }
    btf = made;
    extra_bytes = made_extra;
    out.note_ = "made " + path;
  }
  // libbpf reads the BTF by path: an anonymous file holding exactly the bytes checked.
  int fd = memfd_create("dtruss-core-btf", MFD_CLOEXEC);
  if (fd < 0 || !write_all(fd, btf)) {
    if (fd >= 0) close(fd);
    out.note_ = "not used: cannot hand the BTF to libbpf";
    return out;
  }
  out.fd_ = fd;
  out.file_ = path;
  out.extra_ = std::string(extra_bytes);
  out.task_struct_id_ = task_id;
  return out;
}

}  // namespace dtruss::bpf_core_btf
