// A process's control calls on a real traced program and on both backends: prctl's names and
// results by option, modify_ldt's ptr by func, reboot's string by cmd
// (tests/fixtures/selected_ptrs.c), clone's parent_tidptr by its flags (selected_structs.c). The
// eBPF backend decodes only what its capture plan copied.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// The bytes of a buffer shown as a JSON string (each byte one code point, U+0000 to U+00FF).
std::vector<int> bytes_of(const json& v) {
  std::vector<int> out;
  const std::string s = v.get<std::string>();
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c);
    } else if ((c & 0xe0) == 0xc0 && i + 1 < s.size()) {
      out.push_back(((c & 0x1f) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3f));
    } else {
      out.push_back(-1);
    }
  }
  return out;
}

void check_prctl(const std::vector<json>& all) {
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_SET_NAME")["args"]["arg2"], "dt-selected");
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_GET_NAME")["args"]["arg2"], "dt-selected");
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_SET_PDEATHSIG")["args"]["arg2"], "SIGUSR1");
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_GET_PDEATHSIG")["args"]["arg2"],
            json::parse(R"(["SIGUSR1"])"));
  EXPECT_EQ(only_call(all, "prctl", "option", "PR_GET_CHILD_SUBREAPER")["args"]["arg2"],
            json::parse("[0]"));
  // An in-argument: shown whether or not the kernel names anonymous mappings.
  const json vma = only_call(all, "prctl", "option", "PR_SET_VMA");
  EXPECT_EQ(vma["args"]["arg2"], "PR_SET_VMA_ANON_NAME") << vma;
  EXPECT_TRUE(is_address(vma["args"]["arg3"])) << vma;
  EXPECT_EQ(vma["args"]["arg4"], 8192);
  EXPECT_EQ(vma["args"]["arg5"], "dt-anon");
}

void check_ldt_and_reboot(const std::vector<json>& all) {
  const json wr = only_call(all, "modify_ldt", "func", 0x11);
  const json d = wr["args"]["ptr"];
  ASSERT_TRUE(d.is_object()) << wr;
  EXPECT_EQ(d["entry_number"], 0);
  EXPECT_EQ(d["limit"], "0xfff");
  EXPECT_EQ(d["seg_32bit"], 1);
  const json rd = only_call(all, "modify_ldt", "func", 0);
  ASSERT_TRUE(rd["errno"].is_null()) << rd;
  ASSERT_TRUE(rd["args"]["ptr"].is_string()) << rd;
  const std::vector<int> bytes = bytes_of(rd["args"]["ptr"]);
  EXPECT_EQ(bytes.size(), rd["ret"].get<size_t>()) << "the bytes the call returned";
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(bytes[0], 0xff) << "entry 0's limit, 0xfff";
  EXPECT_EQ(bytes[1], 0x0f);

  auto reboot = syscalls(all, "reboot");
  ASSERT_EQ(reboot.size(), 1u);
  EXPECT_EQ(reboot[0]["args"]["cmd"], "LINUX_REBOOT_CMD_RESTART2");
  EXPECT_EQ(reboot[0]["args"]["arg"], "dtruss-test");
  EXPECT_EQ(reboot[0]["errno"], "EPERM");
}

// The parent's clones (the child's own return, when traced, is 0).
void check_clone(const std::vector<json>& all) {
  std::vector<json> parents;
  for (const auto& c : syscalls(all, "clone"))
    if (c["ret"].is_number() && c["ret"].get<long>() > 0) parents.push_back(c);
  ASSERT_EQ(parents.size(), 2u);
  EXPECT_EQ(parents[0]["args"]["clone_flags"], "CLONE_PARENT_SETTID|SIGCHLD");
  EXPECT_EQ(parents[0]["args"]["parent_tidptr"], json::array({parents[0]["ret"]}))
      << "the child's TID, written back";
  EXPECT_EQ(parents[1]["args"]["clone_flags"], "CLONE_PIDFD|SIGCHLD");
  const json pidfd = parents[1]["args"]["parent_tidptr"];
  ASSERT_TRUE(pidfd.is_array()) << parents[1];
  ASSERT_EQ(pidfd.size(), 1u);
  EXPECT_GE(pidfd[0].get<int>(), 3) << "a new fd";
}

class ProcessControl : public BackendTest {};

TEST_P(ProcessControl, PrctlByOption) {
  const auto all = fixture_calls(GetParam(), "selected_ptrs");
  check_prctl(all);
}

TEST_P(ProcessControl, ModifyLdtAndReboot) {
  const auto all = fixture_calls(GetParam(), "selected_ptrs");
  check_ldt_and_reboot(all);
}

TEST_P(ProcessControl, CloneParentTid) {
  const auto all = fixture_calls(GetParam(), "selected_structs");
  check_clone(all);
}

INSTANTIATE_BACKENDS(ProcessControl);

}  // namespace
}  // namespace e2e
