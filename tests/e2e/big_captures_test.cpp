// A call's memory larger than one ring record holds: a directory read whole by getdents64 (up to
// 32 KiB of records per call with ls). -v shows every record; the eBPF backend sends them in
// pieces before the call's record (events.h, DT_CHUNK), as ptrace reads them whole.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>

#include "harness.h"

namespace {

using e2e::json_lines;
using e2e::run_traced;
using e2e::syscalls;
using nlohmann::json;

class BigCaptures : public e2e::BackendTest {};

TEST_P(BigCaptures, EveryRecordOfALargeDirectoryIsShown) {
  // 600 entries of 56 bytes each: about 33 KiB of records, more than one call of ls reads.
  std::string dir = e2e::temp_dir();
  std::set<std::string> names = {".", ".."};
  for (int i = 0; i < 600; ++i) {
    std::string name = "an_entry_with_a_rather_long_name_" + std::to_string(i);
    int fd = open((dir + "/" + name).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << name;
    close(fd);
    names.insert(name);
  }
  auto r = run_traced({backend(), "--json", "-v", "-t", "getdents64", "/bin/ls", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::set<std::string> shown;
  size_t records = 0;
  long bytes = 0;
  for (const json& c : syscalls(json_lines(r.trace), "getdents64")) {
    bytes = std::max(bytes, c["ret"].get<long>());
    if (c["ret"].get<long>() <= 0) continue;
    ASSERT_TRUE(c["args"]["dirent"].is_array()) << c;
    for (const json& d : c["args"]["dirent"]) {
      shown.insert(d["d_name"].get<std::string>());
      ++records;
    }
  }
  EXPECT_GT(bytes, 4096) << "a call that returned more than one capture holds";
  EXPECT_EQ(records, names.size()) << "every record, once";
  EXPECT_EQ(shown, names);
}

INSTANTIATE_BACKENDS(BigCaptures);

}  // namespace
