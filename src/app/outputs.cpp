#include "app/outputs.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "app/run_as.h"
#include "util/text.h"

namespace dtruss {
namespace {

// The outputs an option may name, in the order they are opened and checked.
constexpr struct {
  OutputKind kind;
  const char* what;
  std::string Options::*path;
} kOutputKinds[] = {
    {OutputKind::Trace, "trace", &Options::output_file},
    {OutputKind::Timeline, "timeline", &Options::timeline_file},
    {OutputKind::Folded, "folded stacks", &Options::folded_file},
    {OutputKind::Capture, "capture", &Options::capture_file},  // (-w; not the flight recorder's)
};

// The standard stream (1 or 2) that `st` is, or -1: --output /dev/stdout writes where dtruss's
// own output goes (a pipe, a file the shell opened), as it is.
int own_stream(const struct stat& st) {
  for (int fd : {STDOUT_FILENO, STDERR_FILENO}) {
    struct stat s {};
    if (fstat(fd, &s) == 0 && s.st_dev == st.st_dev && s.st_ino == st.st_ino) return fd;
  }
  return -1;
}

// A character device written to without a second thought: /dev/null, /dev/zero and /dev/full
// (which take writes, or refuse them with ENOSPC, and do nothing else), a terminal (the virtual
// consoles and serial lines, /dev/tty, /dev/console, the pseudo-terminals). Told by the device
// number (the kernel's Documentation/admin-guide/devices.txt), not by opening it: opening some
// devices acts (a watchdog starts).
bool harmless_device(const struct stat& st) {
  if (!S_ISCHR(st.st_mode)) return false;
  unsigned ma = major(st.st_rdev), mi = minor(st.st_rdev);
  return (ma == 1 && (mi == 3 || mi == 5 || mi == 7)) || ma == 4 || (ma == 5 && mi <= 1) ||
         (ma >= 136 && ma <= 143);
}

const char* file_kind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISCHR(mode)) return "a device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

// Why dtruss does not write into the existing `st`, or "" when it may.
std::string refusal(const struct stat& st) {
  if (S_ISREG(st.st_mode)) {
    // As root, a file of another user (in a shared directory such as /tmp) is theirs: the trace
    // would leak to them. Root through sudo writes for the user who ran sudo.
    long user = sudo_user();
    if (geteuid() != 0 || st.st_uid == static_cast<uid_t>(user >= 0 ? user : 0)) return {};
    if (user >= 0)
      return fmt::format(
          "it belongs to another user (uid {}), and dtruss runs through sudo for "
          "uid {}: remove it or choose another name",
          st.st_uid, user);
    return fmt::format(
        "it belongs to another user (uid {}), and dtruss runs as root: remove it "
        "or choose another name",
        st.st_uid);
  }
  if (harmless_device(st)) return {};
  return fmt::format(
      "it is {}: dtruss writes to a regular file, a terminal, /dev/null or its "
      "own standard output or error (/dev/stdout, /dev/stderr)",
      file_kind(st.st_mode));
}

// A new file made by root through sudo is given to the user who ran sudo, as if they had
// written it. Not fatal when it cannot be: the file is still written, owned by root.
void give_to_sudo_user(int fd) {
  long user = sudo_user();
  if (user < 0) return;
  uint64_t gid = 0;
  const char* g = getenv("SUDO_GID");
  bool have_gid = g != nullptr && parse_decimal(g, &gid) && gid < uint64_t{UINT32_MAX};
  if (fchown(fd, static_cast<uid_t>(user),
             have_gid ? static_cast<gid_t>(gid) : static_cast<gid_t>(-1)) != 0) {
    // (owned by root)
  }
}

// --output /dev/stdout or /dev/stderr: dtruss's own stream, duplicated. False when `f` is not.
bool open_own_stream(OutputFile* f, std::string* why) {
  struct stat st {};
  if (stat(f->path.c_str(), &st) != 0) return false;
  int own = own_stream(st);
  if (own < 0) return false;
  f->fd = fcntl(own, F_DUPFD_CLOEXEC, 3);
  if (f->fd < 0) *why = std::strerror(errno);
  f->st = st;
  return true;
}

// Opens an output, without emptying it yet (OutputFile::truncate). O_NOFOLLOW: never write
// through a symlink planted where it should go; O_NONBLOCK: a FIFO put there does not block
// dtruss (it is refused). An existing file is checked (refusal()) before it is opened and again,
// as opened, after. "" on success, else why not.
std::string open_file(OutputFile* f) {
  std::string why;
  if (open_own_stream(f, &why)) return why;
  struct stat st {};
  bool existed = lstat(f->path.c_str(), &st) == 0;
  if (existed && S_ISLNK(st.st_mode))
    return "it is a symbolic link, and dtruss does not write through one";
  if (existed && !(why = refusal(st)).empty()) return why;
  f->fd = ::open(f->path.c_str(),
                 O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0644);
  if (f->fd < 0) return std::strerror(errno);
  f->created = !existed;
  if (fstat(f->fd, &f->st) != 0) return std::strerror(errno);
  if (!f->created && !(why = refusal(f->st)).empty()) return why;
  if (!S_ISREG(f->st.st_mode) && !harmless_device(f->st)) return refusal(f->st);
  fcntl(f->fd, F_SETFL, fcntl(f->fd, F_GETFL) & ~O_NONBLOCK);
  f->truncate = existed && S_ISREG(f->st.st_mode);
  if (f->created) give_to_sudo_user(f->fd);
  return {};
}

// Closes the outputs opened so far; those this run created are removed (nothing was written).
void discard(std::vector<OutputFile>& files) {
  for (OutputFile& f : files) {
    if (f.fd < 0) continue;
    close(f.fd);
    f.fd = -1;
    if (f.created) unlink(f.path.c_str());
  }
}

// One regular file for two outputs would interleave them into garbage: refused, whatever names
// (links, other spellings) it was given by. Also the trace's standard error. "" when none is.
std::string shared_file(const std::vector<OutputFile>& files, bool trace_on_stderr) {
  struct stat err_st {};
  bool err_regular =
      trace_on_stderr && fstat(STDERR_FILENO, &err_st) == 0 && S_ISREG(err_st.st_mode);
  for (size_t i = 0; i < files.size(); ++i) {
    const struct stat& a = files[i].st;
    if (!S_ISREG(a.st_mode)) continue;
    for (size_t j = i + 1; j < files.size(); ++j) {
      const struct stat& b = files[j].st;
      if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return fmt::format(
            "the {} ('{}') and the {} ('{}') would go to the same file: give them "
            "different files",
            files[i].what, files[i].path, files[j].what, files[j].path);
    }
    if (err_regular && a.st_dev == err_st.st_dev && a.st_ino == err_st.st_ino)
      return fmt::format(
          "the {} ('{}') would go to the file the trace goes to (standard error): "
          "give it another file",
          files[i].what, files[i].path);
  }
  return {};
}

}  // namespace

Outputs::~Outputs() {
  for (const OutputFile& f : files_)
    if (f.fd >= 0) close(f.fd);
}

std::string Outputs::open(const Options& opt) {
  for (const auto& k : kOutputKinds)
    if (!(opt.*k.path).empty() && !(k.kind == OutputKind::Capture && opt.flight_recorder != 0))
      files_.push_back({k.kind, k.what, opt.*k.path});
  for (OutputFile& f : files_) {
    std::string why = open_file(&f);
    if (why.empty()) continue;
    if (f.fd >= 0) {
      close(f.fd);
      if (f.created) unlink(f.path.c_str());
      f.fd = -1;
    }
    discard(files_);
    return fmt::format("cannot write the {} to '{}': {}", f.what, f.path, why);
  }
  std::string error = shared_file(files_, opt.output_file.empty());
  if (!error.empty()) discard(files_);
  return error;
}

const OutputFile* Outputs::find(OutputKind kind) const {
  for (const OutputFile& f : files_)
    if (f.kind == kind) return &f;
  return nullptr;
}

int Outputs::fd(OutputKind kind) const {
  const OutputFile* f = find(kind);
  return f != nullptr ? f->fd : -1;
}

bool Outputs::truncate(OutputKind kind) const {
  const OutputFile* f = find(kind);
  return f != nullptr && f->truncate;
}

void Outputs::hand_over(OutputKind kind) {
  for (OutputFile& f : files_)
    if (f.kind == kind) f.fd = -1;
}

void Outputs::remove_created() const {
  for (const OutputFile& f : files_)
    if (f.created) unlink(f.path.c_str());
}

}  // namespace dtruss
