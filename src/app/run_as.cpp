#include "app/run_as.h"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include "util/text.h"

namespace dtruss {

long sudo_user() {
  const char* uid = getenv("SUDO_UID");
  uint64_t v = 0;
  if (geteuid() != 0 || uid == nullptr || !parse_decimal(uid, &v) || v >= uint64_t{UINT32_MAX})
    return -1;
  return static_cast<long>(v);
}

bool resolve_user(const std::string& name, RunAs* out, std::string* error) {
  if (geteuid() != 0) {
    *error = "-u USER needs dtruss to run as root (e.g. with sudo)";
    return false;
  }
  passwd* pw = getpwnam(name.c_str());
  if (pw == nullptr) {
    *error = "no user named '" + name + "' (-u)";
    return false;
  }
  out->name = name;
  out->uid = pw->pw_uid;
  out->gid = pw->pw_gid;
  int n = 64;
  out->groups.resize(static_cast<size_t>(n));
  if (getgrouplist(name.c_str(), pw->pw_gid, out->groups.data(), &n) < 0) {
    out->groups.resize(static_cast<size_t>(n));
    getgrouplist(name.c_str(), pw->pw_gid, out->groups.data(), &n);
  }
  out->groups.resize(static_cast<size_t>(n));
  return true;
}

// The kernel runs a set-ID program traced by an unprivileged tracer without the privileges its
// mode bits give (it would otherwise let the tracer control a privileged process). Said once, so
// that a failure of the program is understood.
std::string setid_note(const std::string& path, bool bpf) {
  struct stat st {};
  if (bpf || geteuid() == 0 || stat(path.c_str(), &st) != 0) return {};
  bool suid = (st.st_mode & S_ISUID) != 0 && st.st_uid != geteuid();
  bool sgid = (st.st_mode & S_ISGID) != 0 && (st.st_mode & S_IXGRP) != 0 && st.st_gid != getegid();
  if (!suid && !sgid) return {};
  return fmt::format(
      "'{}' is set-{}-ID; traced by an unprivileged dtruss it runs without those "
      "privileges (the kernel's rule for traced programs): run dtruss as root to "
      "trace it as it really runs",
      path, suid ? "user" : "group");
}

}  // namespace dtruss
