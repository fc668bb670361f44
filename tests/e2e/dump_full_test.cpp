// --write / --read (strace's -e write= / -e read=) dump the data in full on both backends: the
// eBPF backend takes the data of the calls on the chosen fds up to its largest capture (64 KiB of
// a buffer, 4 KiB of each iovec's), marked where it is cut, and the other calls' buffers at
// --strsize as before. pipe_bulk moves N bytes through a pipe (read end 10, write end 11) with
// write/read, then writev/readv.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

using nlohmann::json;

class DumpFull : public e2e::BackendTest {
 protected:
  std::vector<json> calls(size_t n) {
    std::vector<std::string> args = {backend(), "--json", "-t", "write,read,writev,readv"};
    args.insert(args.end(), dumps.begin(), dumps.end());
    args.insert(args.end(), {e2e::fixture("pipe_bulk"), std::to_string(n)});
    auto r = e2e::run_traced(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return e2e::syscalls(e2e::json_lines(r.trace));
  }
  std::vector<std::string> dumps = {"--write=11", "--read=10"};
};

INSTANTIATE_BACKENDS(DumpFull);

// pipe_bulk's data: byte i is 'a' + i % 26, in hex.
std::string pattern_hex(size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    auto c = static_cast<unsigned char>('a' + i % 26);
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

// The program's calls on the pipe.
std::vector<json> on_pipe(const std::vector<json>& calls, size_t n) {
  std::vector<json> out;
  for (const auto& c : calls)
    if (c["ret"] == n) out.push_back(c);
  return out;
}

TEST_P(DumpFull, ThreeThousandBytesDumpedWhole) {
  auto pipe = on_pipe(calls(3000), 3000);
  ASSERT_EQ(pipe.size(), 4u) << e2e::dump(pipe);
  for (const auto& c : pipe) {
    SCOPED_TRACE(c.dump().substr(0, 300));
    std::string dump = c.value("dump", "");
    EXPECT_TRUE(dump == pattern_hex(3000)) << dump.size() / 2 << " bytes dumped";
    EXPECT_FALSE(c.contains("dump_len"));
  }
}

TEST_P(DumpFull, LargerThanOneCaptureIsWholeOrMarkedWhereCut) {
  auto pipe = on_pipe(calls(20000), 20000);
  ASSERT_EQ(pipe.size(), 4u) << e2e::dump(pipe);
  for (const auto& c : pipe) {
    std::string name = c["syscall"];
    SCOPED_TRACE(name);
    std::string dump = c.value("dump", "");
    if (name == "write" || name == "read" || GetParam() == "ptrace") {
      // (64 KiB of a buffer: whole on both)
      EXPECT_TRUE(dump == pattern_hex(20000)) << dump.size() / 2 << " bytes dumped";
      EXPECT_FALSE(c.contains("dump_len"));
    } else {  // eBPF's iovec buffers: 4 KiB of each, what it took said
      EXPECT_GE(dump.size(), 2u * 4096);
      EXPECT_TRUE(dump == pattern_hex(20000).substr(0, dump.size()));
      EXPECT_EQ(c["dump_len"], 20000);
    }
  }
}

// The text form: strace's hex lines, the last one with the data's end.
TEST_P(DumpFull, TextShowsTheLastLine) {
  auto r =
      e2e::run_traced({backend(), "--write=11", "-t", "write", e2e::fixture("pipe_bulk"), "3000"});
  ASSERT_EQ(r.status, 0) << r.err;
  // 3000 = 187 lines of 16 and 8 bytes: the last line starts at 0x0bb0 (3000 - 8), byte 2992 is
  // 'a' + 2992 % 26 = 'a' + 2 = 'c'.
  EXPECT_NE(r.trace.find(" | 00bb0  63 64 65 66 67 68 69 6a "), std::string::npos) << r.trace;
  EXPECT_EQ(r.trace.find("not captured"), std::string::npos) << r.trace;
}

}  // namespace
