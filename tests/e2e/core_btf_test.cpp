// The eBPF backend's CO-RE cache (src/backends/bpf/core_btf.h): a small copy of the kernel's BTF
// made on first use in $XDG_CACHE_HOME/dtruss, read on the runs after, made again when it does
// not check out; the trace is the same with it, without it, and whichever way it came.
// (eBPF only: the suite's name starts with Bpf.)
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// Calls that go through many of the program's kernel types: -y's paths (file, dentry, mount,
// super_block) and execve's capture (the task, its mm).
const std::vector<std::string> kArgs = {
    "--backend=bpf", "-y", "-t", "openat,read,close,execve", "cat", "/etc/hostname"};

struct Traced {
  std::string note;   // the "dtruss: core BTF: ..." line
  std::string trace;  // the lines without their "PID/TID: " prefix, pipes' inodes as "N"
};

// dtruss with XDG_CACHE_HOME=`cache` and `args`, its trace and what it said of the cache; a
// temporary directory in the arguments ("DIR") is shown as DIR.
Traced traced(const std::string& cache, std::vector<std::string> args = kArgs) {
  std::string dir = temp_dir();
  for (std::string& a : args)
    if (a == "DIR") a = dir;
  std::string out = temp_dir() + "/trace";
  std::vector<std::string> argv = {"/usr/bin/env",
                                   "XDG_CACHE_HOME=" + cache,
                                   "DTRUSS_VERIFIER_STATS=1",
                                   dtruss_bin(),
                                   "--output",
                                   out};
  argv.insert(argv.end(), args.begin(), args.end());
  Result r = run(argv);
  EXPECT_EQ(r.status, 0) << r.err;
  Traced got;
  for (const std::string& l : lines(r.err))
    if (l.rfind("dtruss: core BTF: ", 0) == 0) got.note = l;
  for (const std::string& l : lines(read_file(out))) {
    size_t colon = l.find(": ");
    std::string line = colon == std::string::npos ? l : l.substr(colon + 2);
    for (size_t at; (at = line.find(dir)) != std::string::npos;)
      line.replace(at, dir.size(), "DIR");
    got.trace += std::regex_replace(line, std::regex(R"(pipe:\[\d+\])"), "pipe:[N]") + "\n";
  }
  return got;
}

std::vector<std::string> cache_files(const std::string& cache) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cache + "/dtruss", ec))
    files.push_back(e.path().string());
  return files;
}

TEST(BpfCoreBtf, MadeOnceThenReadAndTheTraceIsTheSame) {
  REQUIRE_BPF();
  std::string cache = temp_dir();
  // Without a cache (a directory that cannot be made): the kernel's BTF, as before.
  Traced plain = traced("/proc/none");
  EXPECT_TRUE(contains(plain.note, "not used")) << plain.note;
  ASSERT_TRUE(contains(plain.trace, "\"/etc/hostname\"")) << plain.trace;
  ASSERT_TRUE(contains(plain.trace, "</etc/hostname>")) << plain.trace;

  Traced first = traced(cache);
  EXPECT_TRUE(contains(first.note, "made " + cache + "/dtruss/core-")) << first.note;
  std::vector<std::string> files = cache_files(cache);
  ASSERT_EQ(files.size(), 1u);  // (and no temporary file left)
  struct stat st {};
  ASSERT_EQ(stat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);

  Traced second = traced(cache);
  EXPECT_TRUE(contains(second.note, "read from " + files[0])) << second.note;
  EXPECT_EQ(first.trace, plain.trace);
  EXPECT_EQ(second.trace, plain.trace);
}

// -P reads an fd's file through a cast that takes a kernel type's id in the kernel's BTF (the
// cache keeps it: its own ids are others): the program loads with the cache, whose file is then
// kept (a program the kernel refuses with it discards it, and the next run makes it again), and
// traces the same. The fds: the file opened by another name (decided at the open's exit by its
// file) and each call on it; the loader's opens of other files left out.
TEST(BpfCoreBtf, PathFilterLoadsWithTheCacheAndTheTraceIsTheSame) {
  REQUIRE_BPF();
  std::string cache = temp_dir();
  const std::vector<std::string> args = {"--backend=bpf", "-P", "/etc/hostname", "cat",
                                         "/etc/../etc/hostname"};
  Traced plain = traced("/proc/none", args);
  ASSERT_TRUE(contains(plain.trace, "openat(AT_FDCWD, \"/etc/../etc/hostname\"")) << plain.trace;
  ASSERT_TRUE(contains(plain.trace, "\nread(")) << plain.trace;
  EXPECT_FALSE(contains(plain.trace, "libc")) << plain.trace;

  Traced first = traced(cache, args);
  EXPECT_TRUE(contains(first.note, "made " + cache + "/dtruss/core-")) << first.note;
  Traced second = traced(cache, args);
  EXPECT_TRUE(contains(second.note, "read from ")) << second.note;
  Traced third = traced(cache, args);
  EXPECT_TRUE(contains(third.note, "read from ")) << "the second run refused the cache's BTF";
  EXPECT_EQ(first.trace, plain.trace);
  EXPECT_EQ(second.trace, plain.trace);
  EXPECT_EQ(third.trace, plain.trace);
}

// io_uring's operations: where their arguments are in the kernel's structs is kept in the cache
// too (read from the kernel's BTF when it is made): the same lines with it and without it.
TEST(BpfCoreBtf, IoUringOperationsAreTheSame) {
  REQUIRE_BPF();
  std::string cache = temp_dir();
  const std::vector<std::string> args = {"--backend=bpf",      "-y",    "-t", "%uring", "--",
                                         fixture("uring_ops"), "files", "DIR"};
  Traced plain = traced("/proc/none", args);
  ASSERT_TRUE(contains(plain.trace, "[uring]")) << plain.trace;
  Traced first = traced(cache, args);
  EXPECT_TRUE(contains(first.note, "made ")) << first.note;
  Traced second = traced(cache, args);
  EXPECT_TRUE(contains(second.note, "read from ")) << second.note;
  EXPECT_EQ(first.trace, plain.trace);
  EXPECT_EQ(second.trace, plain.trace);
}

// A cache file changed in any way (here a byte of its BTF, then cut short) is made again, and the
// trace stays the same.
TEST(BpfCoreBtf, ACorruptFileIsMadeAgain) {
  REQUIRE_BPF();
  std::string cache = temp_dir();
  Traced first = traced(cache);
  ASSERT_TRUE(contains(first.note, "made ")) << first.note;
  std::vector<std::string> files = cache_files(cache);
  ASSERT_EQ(files.size(), 1u);
  std::string good = read_file(files[0]);
  ASSERT_GT(good.size(), 200u);

  std::string bad = good;
  bad[bad.size() - 100] ^= 0x5a;
  std::ofstream(files[0], std::ios::trunc) << bad;
  Traced flipped = traced(cache);
  EXPECT_TRUE(contains(flipped.note, "made " + files[0])) << flipped.note;
  EXPECT_EQ(read_file(files[0]), good);
  EXPECT_EQ(flipped.trace, first.trace);

  std::ofstream(files[0], std::ios::trunc) << good.substr(0, good.size() / 2);
  Traced cut = traced(cache);
  EXPECT_TRUE(contains(cut.note, "made " + files[0])) << cut.note;
  EXPECT_EQ(cut.trace, first.trace);
  EXPECT_TRUE(contains(traced(cache).note, "read from ")) << "made again, then read";
}

// A cache directory in another user's directory (sudo keeps $HOME): not used, root's cache goes
// to /var/cache/dtruss, and nothing is left in theirs.
TEST(BpfCoreBtf, AnotherUsersDirectoryIsLeftAlone) {
  REQUIRE_BPF();
  std::string theirs = temp_dir();
  ASSERT_EQ(chown(theirs.c_str(), 65534, 65534), 0);
  Traced run = traced(theirs);
  EXPECT_TRUE(contains(run.note, " /var/cache/dtruss/core-")) << run.note;
  EXPECT_TRUE(cache_files(theirs).empty());
  EXPECT_TRUE(contains(run.trace, "</etc/hostname>")) << run.trace;
}

// A file others may write is not trusted: made again (and then this user's alone).
TEST(BpfCoreBtf, AFileOthersMayWriteIsMadeAgain) {
  REQUIRE_BPF();
  std::string cache = temp_dir();
  ASSERT_TRUE(contains(traced(cache).note, "made "));
  std::vector<std::string> files = cache_files(cache);
  ASSERT_EQ(files.size(), 1u);
  ASSERT_EQ(chmod(files[0].c_str(), 0666), 0);
  Traced again = traced(cache);
  EXPECT_TRUE(contains(again.note, "made " + files[0])) << again.note;
  struct stat st {};
  ASSERT_EQ(stat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

}  // namespace
}  // namespace e2e
