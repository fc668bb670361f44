// -t's forms beyond names and classes: globs, /regex, %net, ?name, DTrace probes, and the list
// that selects nothing.
#include <gtest/gtest.h>
#include <sys/syscall.h>

#include "syscalls/selection.h"

namespace dtruss {
namespace {

SyscallSelection parse_ok(std::string_view list) {
  SyscallSelection s;
  std::string err;
  EXPECT_TRUE(parse_syscall_list(list, &s, &err)) << list << ": " << err;
  return s;
}

std::string parse_error(std::string_view list) {
  SyscallSelection s;
  std::string err;
  EXPECT_FALSE(parse_syscall_list(list, &s, &err)) << list;
  return err;
}

TEST(SelectionForms, GlobMatchesNames) {
  SyscallSelection s = parse_ok("open*");
  EXPECT_TRUE(s.selected[SYS_open]);
  EXPECT_TRUE(s.selected[SYS_openat]);
  EXPECT_TRUE(s.selected[SYS_openat2]);
  EXPECT_TRUE(s.selected[SYS_open_by_handle_at]);
  EXPECT_FALSE(s.selected[SYS_read]);
  EXPECT_FALSE(s.selected[SYS_fsopen]) << "a glob matches the whole name";
  s = parse_ok("*stat*");
  EXPECT_TRUE(s.selected[SYS_newfstatat]);
  EXPECT_TRUE(s.selected[SYS_statx]);
  EXPECT_TRUE(s.selected[SYS_fstatfs]);
  EXPECT_FALSE(s.selected[SYS_openat]);
  EXPECT_TRUE(s.hints.empty()) << "a glob names no call one by one";
}

TEST(SelectionForms, RegexSearchesNames) {
  SyscallSelection s = parse_ok("/^open");
  EXPECT_TRUE(s.selected[SYS_open]);
  EXPECT_TRUE(s.selected[SYS_openat]);
  EXPECT_FALSE(s.selected[SYS_fsopen]);
  s = parse_ok("/stat$");
  EXPECT_TRUE(s.selected[SYS_lstat]);
  EXPECT_FALSE(s.selected[SYS_newfstatat]);
  EXPECT_TRUE(s.selected[SYS_fstat]);
  EXPECT_FALSE(s.selected[SYS_statx]);
  s = parse_ok("/^(read|write)$");
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_read, SYS_write}));
  EXPECT_NE(parse_error("/(").find("bad regular expression '/('"), std::string::npos);
}

TEST(SelectionForms, NetIsNetwork) {
  SyscallSelection net = parse_ok("%net");
  SyscallSelection network = parse_ok("%network");
  EXPECT_EQ(net.numbers, network.numbers);
  EXPECT_TRUE(net.selected[SYS_connect]);
  SyscallSelection both = parse_ok("open,%net");  // -h's example
  EXPECT_TRUE(both.selected[SYS_open]);
  EXPECT_TRUE(both.selected[SYS_socket]);
}

TEST(SelectionForms, QuestionMarkAllowsNoMatch) {
  EXPECT_NE(parse_error("nosuchcall").find("unknown syscall 'nosuchcall'"), std::string::npos);
  SyscallSelection s = parse_ok("read,?nosuchcall");
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_read}));
  s = parse_ok("?openat");
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_openat}));
  EXPECT_NE(parse_error("zzq*").find("no syscall matches 'zzq*'"), std::string::npos);
  EXPECT_NE(parse_error("/zzq").find("no syscall matches '/zzq'"), std::string::npos);
  s = parse_ok("write,?zzq*,?/zzq");
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_write}));
}

TEST(SelectionForms, NegatedForms) {
  SyscallSelection s = parse_ok("%file,!open*");
  EXPECT_FALSE(s.selected[SYS_openat]);
  EXPECT_TRUE(s.selected[SYS_newfstatat]);
  s = parse_ok("!/^(read|write)$");
  EXPECT_FALSE(s.selected[SYS_read]);
  EXPECT_TRUE(s.selected[SYS_openat]);
}

TEST(SelectionForms, DtraceProbes) {
  SyscallSelection s = parse_ok("syscall::open*:entry");
  EXPECT_EQ(s.numbers, parse_ok("open*").numbers);
  s = parse_ok("syscall::open:return");
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_open}));
  EXPECT_EQ(s.hints.size(), 1u) << "open is named: the openat hint";
  s = parse_ok("syscall:::entry");
  EXPECT_EQ(s.numbers, parse_ok("all").numbers);
  s = parse_ok("read:entry");  // FUNCTION:NAME, fields filled from the right
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_read}));
  s = parse_ok("syscall::read:,syscall::write:entry");
  EXPECT_EQ(s.numbers, (std::vector<long>{SYS_read, SYS_write}));
  EXPECT_NE(parse_error("fbt::open:entry").find("syscall provider only"), std::string::npos);
  EXPECT_NE(parse_error("syscall::open:start").find("entry or return, not 'start'"),
            std::string::npos);
  EXPECT_NE(parse_error("syscall::opne:entry").find("unknown syscall 'opne'"), std::string::npos);
  EXPECT_NE(parse_error("a:b:c:d:e").find("more than 4 fields"), std::string::npos);
  // Three fields are MODULE:FUNCTION:NAME, as in DTrace: syscall::read names no probe.
  EXPECT_NE(parse_error("syscall::read").find("not 'read' (syscall::NAME:entry)"),
            std::string::npos);
}

TEST(SelectionForms, SelectingNothingIsRefused) {
  EXPECT_NE(parse_error("?nosuchcall").find("selects no syscall"), std::string::npos);
  EXPECT_NE(parse_error("!all").find("selects no syscall"), std::string::npos);
}

}  // namespace
}  // namespace dtruss
