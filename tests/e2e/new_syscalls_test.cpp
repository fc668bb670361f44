// Syscalls newer than the build machine's unistd header (numbered from kernel_numbers.txt):
// named, decoded with their kinds and tables, selectable with -t and explained, on a real traced
// program (tests/fixtures/new_syscalls.c) and on both backends.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

class NewSyscalls : public e2e::BackendTest {};

TEST_P(NewSyscalls, NamedAndDecodedWithTheirKinds) {
  std::string dir = e2e::temp_dir();
  auto r = run_traced({backend(), "--json", fixture("new_syscalls"), dir});
  ASSERT_EQ(r.status, 0) << "the fixture's failed step, or a tracer error: " << r.err;
  auto calls = syscalls(json_lines(r.trace));
  for (const json& c : calls)
    EXPECT_EQ(c["syscall"].get<std::string>().rfind("syscall_", 0), std::string::npos) << c;
  const std::string file = dir + "/f";

  const json lm = only(calls, "listmount");
  EXPECT_EQ(lm["args"]["req"], json::parse(R"({"size":24,"mnt_id":"LSMT_ROOT","param":0})"));
  ASSERT_TRUE(lm["args"]["mnt_ids"].is_array()) << lm;
  EXPECT_EQ(lm["args"]["mnt_ids"].size(), lm["ret"].get<size_t>()) << lm;
  const json sm = only(calls, "statmount");
  EXPECT_EQ(sm["args"]["req"]["param"], "STATMOUNT_SB_BASIC|STATMOUNT_MNT_BASIC") << sm;
  EXPECT_EQ(sm["args"]["req"]["mnt_id"], lm["args"]["mnt_ids"][0]) << sm;
  EXPECT_EQ(sm["args"]["buf"]["mnt_id"], lm["args"]["mnt_ids"][0]) << sm;
  EXPECT_EQ(sm["args"]["buf"]["mask"], "STATMOUNT_SB_BASIC|STATMOUNT_MNT_BASIC") << sm;

  const json cs = only(calls, "cachestat");
  EXPECT_EQ(cs["args"]["cstat_range"], json::parse(R"({"off":0,"len":0})")) << cs;
  EXPECT_EQ(cs["args"]["cstat"]["nr_cache"], 1) << cs << ": the 5 bytes written";
  EXPECT_EQ(cs["args"]["flags"], "0");

  const json ch = only(calls, "fchmodat2");
  EXPECT_EQ(ch["args"]["dfd"], "AT_FDCWD");
  EXPECT_EQ(ch["args"]["filename"], file);
  EXPECT_EQ(ch["args"]["mode"], 0600);
  EXPECT_EQ(ch["args"]["flags"], "AT_SYMLINK_NOFOLLOW");

  const json fw = only(calls, "futex_wake");
  EXPECT_EQ(fw["args"]["flags"], "FUTEX2_SIZE_U32|FUTEX2_PRIVATE") << fw;
  EXPECT_EQ(fw["args"]["nr"], 1);
  const json fwt = only(calls, "futex_wait");
  EXPECT_EQ(fwt["args"]["uaddr"], fw["args"]["uaddr"]);
  EXPECT_EQ(fwt["args"]["clockid"], "CLOCK_MONOTONIC") << fwt;
  EXPECT_EQ(fwt["errno"], "EAGAIN") << fwt;

  const json rq = only(calls, "futex_requeue");
  ASSERT_EQ(rq["args"]["waiters"].size(), 2u) << rq << ": the futex and the one to move to";
  EXPECT_EQ(rq["args"]["waiters"][0]["uaddr"], fw["args"]["uaddr"]) << rq;
  EXPECT_EQ(rq["args"]["waiters"][1]["flags"], "FUTEX2_SIZE_U32|FUTEX2_PRIVATE") << rq;
  EXPECT_EQ(rq["ret"], 0);

  const json lsm = only(calls, "lsm_list_modules");
  EXPECT_EQ(lsm["args"]["size"], json::parse("[128]")) << lsm << ": the room passed";
  EXPECT_EQ(lsm["after"]["size"], json::array({8 * lsm["ret"].get<int>()})) << lsm;
  EXPECT_EQ(lsm["args"]["ids"].size(), lsm["ret"].get<size_t>()) << lsm;

  const json ms = only(calls, "mseal");
  EXPECT_EQ(ms["args"]["len"], 4096);
  EXPECT_EQ(ms["args"]["flags"], "0");
  EXPECT_EQ(ms["ret"], 0);

  const json gx = only(calls, "getxattrat");
  EXPECT_EQ(gx["args"]["pathname"], file);
  EXPECT_EQ(gx["args"]["name"], "user.none");
  EXPECT_EQ(gx["args"]["uargs"]["size"], 64) << gx;
  EXPECT_EQ(gx["args"]["uargs"]["flags"], "0") << gx;
  EXPECT_EQ(only(calls, "removexattrat")["args"]["name"], "user.none");

  const json ot = only(calls, "open_tree_attr");
  EXPECT_EQ(ot["args"]["filename"], dir);
  EXPECT_EQ(ot["args"]["flags"], "OPEN_TREE_CLOEXEC");
  EXPECT_TRUE(ot["args"]["uattr"].is_null());
  EXPECT_GE(ot["ret"].get<int>(), 3);
  EXPECT_EQ(only(calls, "file_getattr")["args"]["filename"], file);
}

TEST_P(NewSyscalls, SelectedByNameAndClassAndExplained) {
  std::string dir = e2e::temp_dir();
  auto r = run_traced(
      {backend(), "--explain", "-t", "cachestat,mseal,%file", fixture("new_syscalls"), dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(
      r.trace.find("# cachestat: reports how many pages of a file range are in the page cache"),
      std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find("\nmseal(0x"), std::string::npos) << r.trace;
  // %file: the path-taking new calls are in the class.
  EXPECT_NE(r.trace.find("\nfchmodat2(AT_FDCWD, \"" + dir + "/f\", 0600, AT_SYMLINK_NOFOLLOW)"),
            std::string::npos)
      << r.trace;
  EXPECT_NE(r.trace.find("\ngetxattrat(AT_FDCWD, "), std::string::npos) << r.trace;
  EXPECT_EQ(r.trace.find("futex_wake"), std::string::npos) << "not selected";
}

// --explain NAME describes a call the header does not have, with its number from the kernel.
TEST(NewSyscallsExplained, ByName) {
  auto r = e2e::run_dtruss({"--explain", "fchmodat2"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("fchmodat2(int dfd, const char *filename, umode_t mode, unsigned int flags)"
                       "    syscall 452 on x86_64"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_NE(r.out.find("AT_SYMLINK_NOFOLLOW"), std::string::npos) << r.out;
}

INSTANTIATE_BACKENDS(NewSyscalls);

}  // namespace
}  // namespace e2e
