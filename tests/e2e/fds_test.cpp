// -y: each fd argument (and a returned fd) shows what it refers to.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace e2e {
namespace {

// Both backends: ptrace asks /proc while the call stops; eBPF keeps a table from the calls, since
// by the time it sees a read the file may be closed again.
class DecodeFds : public e2e::BackendTest {};

TEST_P(DecodeFds, PathsOfFilesInText) {
  std::string dir = e2e::temp_dir();
  auto r = run_traced({backend(), "-y", "-t", "openat,read,close", fixture("files"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  // The read of the file it created names the file, and its close too (resolved at entry).
  bool read_seen = false, close_seen = false, open_seen = false;
  for (const auto& l : e2e::lines(r.trace)) {
    if (l.rfind("openat(", 0) == 0 && l.find(dir) != std::string::npos &&
        l.find("O_RDONLY, 0)") != std::string::npos &&
        l.substr(l.rfind(" = ")).find("<" + dir + "/hello.txt>") != std::string::npos)
      open_seen = true;  // = 3</tmp/.../hello.txt>
    if (l.rfind("read(", 0) == 0 && l.find("<" + dir) != std::string::npos) read_seen = true;
    if (l.rfind("close(", 0) == 0 && l.find("<" + dir) != std::string::npos) close_seen = true;
  }
  EXPECT_TRUE(open_seen) << r.trace;
  EXPECT_TRUE(read_seen) << r.trace;
  EXPECT_TRUE(close_seen) << r.trace;
}

TEST_P(DecodeFds, JsonFdObjectsAndPipes) {
  auto r = run_traced({backend(), "--json", "-y", "-t", "pipe2,write,read", fixture("rw")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto ev = json_lines(r.trace);
  auto writes = syscalls(ev, "write");
  ASSERT_GE(writes.size(), 2u) << r.trace;
  // The second write goes into the pipe: {"fd":N,"path":"pipe:[INODE]"}.
  const auto& fd = writes[1]["args"]["fd"];
  ASSERT_TRUE(fd.is_object()) << fd.dump();
  EXPECT_TRUE(fd["fd"].is_number());
  // (eBPF too: the kernel side names the pipe as pipe2 returns, not once the pipe is closed.)
  EXPECT_EQ(fd["path"].get<std::string>().rfind("pipe:[", 0), 0u) << fd.dump();
  auto reads = syscalls(ev, "read");
  ASSERT_FALSE(reads.empty());
  EXPECT_EQ(reads.back()["args"]["fd"]["path"], fd["path"]) << "both ends are the same pipe";
}

TEST_P(DecodeFds, WithoutDashYFdsAreNumbers) {
  auto r = run_traced({backend(), "--json", "-t", "write", fixture("rw")});
  ASSERT_EQ(r.status, 0);
  auto writes = syscalls(json_lines(r.trace), "write");
  ASSERT_FALSE(writes.empty());
  EXPECT_TRUE(writes[0]["args"]["fd"].is_number());
}

INSTANTIATE_BACKENDS(DecodeFds);

}  // namespace
}  // namespace e2e
