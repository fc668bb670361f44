// -y's notes follow every turn an fd number takes (the ptrace backend keeps what /proc said of an
// fd between calls, and must drop it when a call may have changed it): a number reused after a
// close, dup2 onto it, a rename by the traced program, a close and open by another thread, an
// exec that closes a close-on-exec fd, another process's seccomp ADDFD; and not by an ioctl that
// turns no fd.
// Live and replayed (-w, -R -y) the same, on both backends.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

class CaptureFdNotes : public BackendTest {
 protected:
  // The fixture `name` run on `dir` with -y and `view` (-f, -t...), recorded to dir/c.cap: its
  // live trace ("" when dtruss failed), once the replay with the same view has shown the same,
  // byte for byte.
  std::string recorded(const std::string& dir, const std::string& name,
                       const std::vector<std::string>& view = {}) {
    std::string cap = dir + "/c.cap", live = dir + "/live";
    std::vector<std::string> argv = {backend(), "-y", "-w", cap, "--output", live};
    argv.insert(argv.end(), view.begin(), view.end());
    argv.insert(argv.end(), {fixture(name), dir});
    Result r = run_dtruss(argv);
    EXPECT_EQ(r.status, 0) << r.err;
    if (r.status != 0) return {};
    std::string text = read_file(live);
    std::vector<std::string> replay = {"-R", cap, "-y", "--output", dir + "/replay"};
    replay.insert(replay.end(), view.begin(), view.end());
    Result p = run_dtruss(replay);
    EXPECT_EQ(p.status, 0) << p.err;
    EXPECT_EQ(read_file(dir + "/replay"), text);
    return text;
  }
};

// The notes of fd_turns's zero-byte reads, in order ("" for a read without one); (-f: after the
// PID/TID).
std::vector<std::string> marks(const std::string& text) {
  static const std::regex mark(R"(^(?:\s*\d+/\d+: )?read\((\d+)(<([^>]*)>)?, [^,]*, 0\))");
  std::vector<std::string> out;
  for (const std::string& l : lines(text)) {
    std::smatch m;
    if (std::regex_search(l, m, mark)) out.push_back(m[1].str() + ":" + m[3].str());
  }
  return out;
}

// A mark's fd number, with its colon ("3:").
std::string number(const std::string& mark) {
  return mark.substr(0, mark.find(':') + 1);
}

TEST_P(CaptureFdNotes, EveryTurnOfAnFdIsSeenLiveAndReplayed) {
  std::string dir = temp_dir();
  std::string text = recorded(dir, "fd_turns");
  // (the numbers are the lowest free ones: the harness may hold some)
  std::vector<std::string> got = marks(text);
  ASSERT_EQ(got.size(), 9u) << text;
  std::string fd = number(got[0]), cloexec = number(got[7]);
  std::vector<std::string> expected = {
      fd + dir + "/a",       // the first file
      fd + dir + "/b",       // the number reused after its close
      fd + dir + "/b",       // another fd opened meanwhile
      fd + dir + "/c",       // dup2 onto it
      fd + dir + "/d",       // renamed by the program
      fd + dir + "/d",       // (again, with another thread waiting)
      fd + dir + "/a",       // closed and opened again by another thread
      cloexec + dir + "/b",  // close-on-exec
      cloexec,               // closed by the exec (EBADF)
  };
  EXPECT_EQ(got, expected) << text;
  EXPECT_NE(fd, cloexec);
}

// Each fd's note is dropped by the calls that change that fd (fd_turns_per_fd): another fd's close
// keeps a note right, a closed number given a new fd by fcntl F_DUPFD or by recvmsg (SCM_RIGHTS),
// dup2 onto a kept fd, an exec closing a close-on-exec fd whose number an open takes again.
TEST_P(CaptureFdNotes, EachFdTurnsOnItsOwn) {
  std::string dir = temp_dir();
  std::string text = recorded(dir, "fd_turns_per_fd");
  std::vector<std::string> got = marks(text);
  ASSERT_EQ(got.size(), 12u) << text;
  std::string fa = number(got[0]), fb = number(got[1]), fc = number(got[7]),
              cloexec = number(got[9]);
  std::vector<std::string> expected = {
      fa + dir + "/a",       //
      fb + dir + "/b",       //
      fb + dir + "/b",       // another fd's close
      fa,                    // closed (EBADF)
      fa + dir + "/b",       // F_DUPFD onto the closed number
      fb,                    // closed (EBADF)
      fb + dir + "/c",       // received (SCM_RIGHTS) onto the closed number
      fc + dir + "/c",       //
      fc + dir + "/b",       // dup2 onto it
      cloexec + dir + "/a",  // close-on-exec
      cloexec,               // closed by the exec (EBADF)
      cloexec + dir + "/c",  // opened again on that number
  };
  EXPECT_EQ(got, expected) << text;
  EXPECT_NE(fa, fb);
}

// An ioctl turns no fd unless its command says so (fd_turns_ioctl): FIONREAD and TCGETS keep the
// notes, so a rename by a process not traced (its child, without -f) shows only from the next
// call that may change names (the program's unlink), as docs/capture-format.md says, on both
// backends. (Before ioctls were told apart, each dropped every note on ptrace: the second mark
// said b.)
TEST_P(CaptureFdNotes, IoctlsKeepTheNotes) {
  std::string dir = temp_dir();
  std::string text = recorded(dir, "fd_turns_ioctl");
  std::vector<std::string> got = marks(text);
  ASSERT_EQ(got.size(), 3u) << text;
  std::string fd = number(got[0]);
  EXPECT_EQ(got, (std::vector<std::string>{fd + dir + "/a", fd + dir + "/a", fd + dir + "/b"}))
      << text;
  std::string n = fd.substr(0, fd.size() - 1);  // (the number, without the colon)
  EXPECT_TRUE(contains(text, "ioctl(" + n + "<" + dir + "/a>, FIONREAD")) << text;
}

// The same with -f: the child that renames a is traced, so the rename shows at once in the
// parent's note of the fd it has open (ptrace drops every process's notes at a rename; eBPF
// describes the files of every traced process then). Before, eBPF's second mark still said a.
TEST_P(CaptureFdNotes, ARenameByAnotherTracedProcessTurnsTheNote) {
  std::string dir = temp_dir();
  std::string text = recorded(dir, "fd_turns_ioctl", {"-f"});
  std::vector<std::string> got = marks(text);
  ASSERT_EQ(got.size(), 3u) << text;
  std::string fd = number(got[0]);
  EXPECT_EQ(got, (std::vector<std::string>{fd + dir + "/a", fd + dir + "/b", fd + dir + "/b"}))
      << text;
}

// seccomp's SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SETFD (seccomp_addfd): the
// supervisor (a child, -f) puts another file at an fd number of the process it supervises; that
// fd's next note names the new file (ptrace: the ioctl drops every note; eBPF: the ioctl's exit
// describes that fd of the supervised process, which no call of its own makes).
TEST_P(CaptureFdNotes, SeccompAddfdTurnsAnotherProcessesFd) {
  std::string dir = temp_dir();
  std::string text = recorded(dir, "seccomp_addfd", {"-f"});
  std::vector<std::string> got = marks(text);
  ASSERT_EQ(got.size(), 2u) << text;
  std::string fd = number(got[0]);
  EXPECT_EQ(got, (std::vector<std::string>{fd + dir + "/a", fd + dir + "/b"})) << text;
  // The listener fd seccomp returned, which the supervisor inherited, is named in each of its
  // three ioctls (RECV, ADDFD, SEND), though the supervised process may be gone when they are
  // read (eBPF once named it from /proc, when it could).
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      text, m, std::regex(R"(seccomp\(SECCOMP_SET_MODE_FILTER, [^\n]*\t\t = (\d+)\n)")))
      << text;
  std::string listener = "ioctl(" + m[1].str() + "<anon_inode:seccomp notify>, ";
  size_t named = 0;
  for (const std::string& l : lines(text)) named += contains(l, listener);
  EXPECT_EQ(named, 3u) << text;
}

// A process made with CLONE_FILES shares its parent's fd table: what it does to an fd shows in
// the parent's notes, whether it is traced (-f) or not (the ptrace backend's kept notes). (eBPF
// names each fd from the calls it sees, a copy of the kernel's table: with -f only. Without -f
// an untraced process's calls are not seen, as docs/capture-format.md says.)
TEST_P(CaptureFdNotes, ASharedTableTurnsAnFd) {
  // (-t read: the clone and the child's calls are not shown, yet the child's fd table is known)
  for (auto [follow, only_reads] : {std::pair{false, false}, {true, false}, {true, true}}) {
    if (!follow && GetParam() == "bpf") continue;
    std::vector<std::string> view;
    if (follow) view.push_back("-f");
    if (only_reads) view.insert(view.end(), {"-t", "read"});
    std::string dir = temp_dir();
    std::string text = recorded(dir, "fd_turns_shared", view);
    std::vector<std::string> got = marks(text);
    ASSERT_EQ(got.size(), 2u) << text;
    std::string fd = number(got[0]);
    EXPECT_EQ(got, (std::vector<std::string>{fd + dir + "/a", fd + dir + "/b"}))
        << (follow ? "-f\n" : "") << (only_reads ? "-t read\n" : "") << text;
  }
}

INSTANTIATE_BACKENDS(CaptureFdNotes);

}  // namespace
}  // namespace e2e
