// -t's syscall list (src/syscalls/selection.cpp): names, %classes, negation, aliases, and the
// hints for a name it does not know.
#include "syscalls/selection.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>

namespace dtruss {
namespace {

TEST(Selection, NamesAndClasses) {
  SyscallSelection s;
  std::string err;
  ASSERT_TRUE(parse_syscall_list("read,write", &s, &err)) << err;
  EXPECT_TRUE(s.selected[SYS_read]);
  EXPECT_TRUE(s.selected[SYS_write]);
  EXPECT_FALSE(s.selected[SYS_openat]);
  EXPECT_EQ(s.numbers.size(), 2u);
}

TEST(Selection, NegationAloneMeansAllBut) {
  SyscallSelection s;
  std::string err;
  ASSERT_TRUE(parse_syscall_list("!read", &s, &err)) << err;
  EXPECT_FALSE(s.selected[SYS_read]);
  EXPECT_TRUE(s.selected[SYS_write]);
  EXPECT_TRUE(s.selected[SYS_openat]);
}

TEST(Selection, ExecAliasAndClass) {
  SyscallSelection s;
  std::string err;
  ASSERT_TRUE(parse_syscall_list("exec", &s, &err)) << err;
  EXPECT_TRUE(s.selected[SYS_execve]);
  EXPECT_TRUE(s.selected[SYS_execveat]);
  ASSERT_TRUE(parse_syscall_list("%file,!openat", &s, &err)) << err;
  EXPECT_TRUE(s.selected[SYS_open]);
  EXPECT_FALSE(s.selected[SYS_openat]);
  EXPECT_FALSE(s.selected[SYS_read]);
}

TEST(Selection, UnknownNameSuggests) {
  SyscallSelection s;
  std::string err;
  EXPECT_FALSE(parse_syscall_list("opne", &s, &err));
  EXPECT_NE(err.find("unknown syscall 'opne'"), std::string::npos) << err;
  EXPECT_NE(err.find("open"), std::string::npos) << err;
  EXPECT_FALSE(parse_syscall_list("%nosuch", &s, &err));
  EXPECT_NE(err.find("%file"), std::string::npos) << err;
}

TEST(Selection, HintForOpen) {
  SyscallSelection s;
  std::string err;
  ASSERT_TRUE(parse_syscall_list("open", &s, &err));
  ASSERT_EQ(s.hints.size(), 1u);
  EXPECT_NE(s.hints[0].find("openat"), std::string::npos);
}

}  // namespace
}  // namespace dtruss
