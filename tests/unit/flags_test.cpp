// The flag and enum tables (src/decode/tables) and their renderer (src/decode/flags.cpp).
#include "decode/flags.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "decode/choices.h"
#include "decode/subjects/subject.h"

namespace dtruss {
namespace {

const FlagTable& table(std::string_view name) {
  const FlagTable* t = flag_table_by_name(name);
  if (t == nullptr) throw std::runtime_error("no table " + std::string(name));
  return *t;
}

std::string fmt_flags(std::string_view name, uint64_t v) {
  return format_flags(table(name), v);
}

TEST(FlagTables, OpenFlags) {
  EXPECT_EQ(fmt_flags("open_flags", 0), "O_RDONLY");
  EXPECT_EQ(fmt_flags("open_flags", O_WRONLY | O_CREAT | O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC");
  EXPECT_EQ(fmt_flags("open_flags", O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
  EXPECT_EQ(fmt_flags("open_flags", O_RDWR | 0x40000000), "O_RDWR|0x40000000");
  EXPECT_EQ(fmt_flags("open_flags", O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
  EXPECT_EQ(fmt_flags("open_flags", O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
  EXPECT_EQ(fmt_flags("open_flags", O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
  EXPECT_EQ(fmt_flags("open_flags", O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC");
  // The kernel's O_LARGEFILE, not glibc's 0.
  EXPECT_EQ(fmt_flags("open_flags", 0100000), "O_RDONLY|O_LARGEFILE");
  // An access mode of 3 has no name.
  EXPECT_EQ(fmt_flags("open_flags", 3 | O_CREAT), "3|O_CREAT");
}

TEST(FlagTables, AccessMode) {
  EXPECT_EQ(fmt_flags("access_mode", F_OK), "F_OK");
  EXPECT_EQ(fmt_flags("access_mode", R_OK | X_OK), "R_OK|X_OK");
  EXPECT_EQ(fmt_flags("access_mode", R_OK | 0x100), "R_OK|0x100");
}

TEST(FlagTables, Mmap) {
  EXPECT_EQ(fmt_flags("mmap_prot", 0), "PROT_NONE");
  EXPECT_EQ(fmt_flags("mmap_prot", 3), "PROT_READ|PROT_WRITE");
  EXPECT_EQ(fmt_flags("mmap_flags", MAP_PRIVATE | MAP_ANONYMOUS), "MAP_PRIVATE|MAP_ANONYMOUS");
  EXPECT_EQ(fmt_flags("mmap_flags", MAP_SHARED), "MAP_SHARED");
  EXPECT_EQ(fmt_flags("mmap_flags", MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE),
            "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
  // No type: the enum part is still shown, in decimal.
  EXPECT_EQ(fmt_flags("mmap_flags", MAP_ANONYMOUS), "0|MAP_ANONYMOUS");
}

TEST(FlagTables, CloneExitSignal) {
  EXPECT_EQ(fmt_flags("clone_flags", CLONE_VM | CLONE_FS | SIGCHLD), "CLONE_VM|CLONE_FS|SIGCHLD");
  EXPECT_EQ(fmt_flags("clone_flags", CLONE_VM | CLONE_THREAD), "CLONE_VM|CLONE_THREAD");
  EXPECT_EQ(fmt_flags("clone_flags", SIGCHLD), "SIGCHLD");
  EXPECT_EQ(fmt_flags("clone_flags", 0), "0");
  EXPECT_EQ(fmt_flags("clone_flags", CLONE_VM | 40), "CLONE_VM|40");
  // A hex rest stays last.
  EXPECT_EQ(fmt_flags("clone_flags", CLONE_VM | 0x4000000000ull | SIGCHLD),
            "CLONE_VM|SIGCHLD|0x4000000000");
  EXPECT_EQ(fmt_flags("clone_flags", CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                                         CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
                                         CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID),
            "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
            "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
  EXPECT_EQ(fmt_flags("unshare_flags", CLONE_NEWTIME | CLONE_NEWNS), "CLONE_NEWNS|CLONE_NEWTIME");
}

TEST(FlagTables, Enums) {
  EXPECT_EQ(fmt_flags("lseek_whence", SEEK_CUR), "SEEK_CUR");
  EXPECT_EQ(fmt_flags("lseek_whence", SEEK_SET), "SEEK_SET");
  EXPECT_EQ(fmt_flags("lseek_whence", 77), "77");
  // An unknown enum value prints as (signed) decimal.
  EXPECT_EQ(fmt_flags("lseek_whence", ~uint64_t{0}), "-1");
  EXPECT_EQ(fmt_flags("fcntl_cmd", F_DUPFD_CLOEXEC), "F_DUPFD_CLOEXEC");
  EXPECT_EQ(fmt_flags("socket_family", AF_INET6), "AF_INET6");
  EXPECT_EQ(fmt_flags("socket_family", AF_UNIX), "AF_UNIX");
  // RUSAGE_CHILDREN is -1, zero- or sign-extended.
  EXPECT_EQ(fmt_flags("rusage_who", 0xffffffffu), "RUSAGE_CHILDREN");
  EXPECT_EQ(fmt_flags("rusage_who", ~uint64_t{0}), "RUSAGE_CHILDREN");
  EXPECT_EQ(fmt_flags("reboot_cmd", 0x89abcdefu), "LINUX_REBOOT_CMD_CAD_ON");
  EXPECT_EQ(fmt_flags("reboot_cmd", 0xffffffff89abcdefull), "LINUX_REBOOT_CMD_CAD_ON");
}

TEST(FlagTables, EnumName) {
  EXPECT_STREQ(enum_name(table("lseek_whence"), SEEK_END), "SEEK_END");
  EXPECT_EQ(enum_name(table("lseek_whence"), 99), nullptr);
  EXPECT_STREQ(enum_name(table("clock_id"), CLOCK_MONOTONIC), "CLOCK_MONOTONIC");
  EXPECT_STREQ(enum_name(table("rusage_who"), ~uint64_t{0}), "RUSAGE_CHILDREN");
  // The upper half matters when it is neither all zeros nor all ones.
  EXPECT_EQ(enum_name(table("lseek_whence"), 0x100000001ull), nullptr);
}

TEST(FlagTables, Futex) {
  EXPECT_EQ(fmt_flags("futex_op", FUTEX_WAIT | FUTEX_PRIVATE_FLAG), "FUTEX_WAIT_PRIVATE");
  EXPECT_EQ(fmt_flags("futex_op", FUTEX_WAKE_PRIVATE), "FUTEX_WAKE_PRIVATE");
  EXPECT_EQ(fmt_flags("futex_op", FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
  EXPECT_EQ(fmt_flags("futex_op", FUTEX_WAIT), "FUTEX_WAIT");
  EXPECT_EQ(fmt_flags("futex_op", FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME),
            "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME");
  EXPECT_EQ(fmt_flags("futex_op", FUTEX_FD | FUTEX_PRIVATE_FLAG), "FUTEX_FD|FUTEX_PRIVATE_FLAG");
  EXPECT_EQ(fmt_flags("futex_op", 99 | FUTEX_PRIVATE_FLAG), "227");
}

TEST(FlagTables, MultiBitNamesFirst) {
  EXPECT_EQ(fmt_flags("statx_mask", STATX_BASIC_STATS), "STATX_BASIC_STATS");
  EXPECT_EQ(fmt_flags("statx_mask", STATX_ALL), "STATX_ALL");
  EXPECT_EQ(fmt_flags("statx_mask", STATX_BASIC_STATS | STATX_MNT_ID),
            "STATX_BASIC_STATS|STATX_MNT_ID");
  EXPECT_EQ(fmt_flags("statx_mask", STATX_TYPE | STATX_SIZE), "STATX_TYPE|STATX_SIZE");
  EXPECT_EQ(fmt_flags("mount_flags", MS_MGC_VAL | MS_RDONLY), "MS_MGC_VAL|MS_RDONLY");
  EXPECT_EQ(fmt_flags("mount_flags", MS_BIND | MS_REC), "MS_BIND|MS_REC");
  EXPECT_EQ(fmt_flags("mount_flags", 0), "0");
}

TEST(FlagTables, MixedTables) {
  EXPECT_EQ(fmt_flags("sock_type", SOCK_STREAM | SOCK_CLOEXEC), "SOCK_STREAM|SOCK_CLOEXEC");
  EXPECT_EQ(fmt_flags("sock_type", SOCK_DGRAM), "SOCK_DGRAM");
  EXPECT_EQ(fmt_flags("sock_flags", 0), "0");
  EXPECT_EQ(fmt_flags("sock_flags", SOCK_NONBLOCK | SOCK_CLOEXEC), "SOCK_NONBLOCK|SOCK_CLOEXEC");
  EXPECT_EQ(fmt_flags("ipc_cmd", 2), "IPC_STAT");
  EXPECT_EQ(fmt_flags("ipc_cmd", 2 | 0x100), "IPC_STAT|IPC_64");
  // An enum part whose mask covers the top bit is signed.
  EXPECT_EQ(fmt_flags("ipc_cmd", ~uint64_t{0x100}), "-257");
  EXPECT_EQ(fmt_flags("ipc_cmd", 55), "55");
  EXPECT_EQ(fmt_flags("sched_policy", SCHED_FIFO | SCHED_RESET_ON_FORK),
            "SCHED_FIFO|SCHED_RESET_ON_FORK");
  EXPECT_EQ(fmt_flags("sched_policy", SCHED_OTHER), "SCHED_OTHER");
  EXPECT_EQ(fmt_flags("personality", 0), "PER_LINUX");
  EXPECT_EQ(fmt_flags("personality", 0x0008 | 0x0040000), "PER_LINUX32|ADDR_NO_RANDOMIZE");
  EXPECT_EQ(fmt_flags("io_uring_register_op", 0x80000000u | 2),
            "IORING_REGISTER_FILES|IORING_REGISTER_USE_REGISTERED_RING");
  EXPECT_EQ(fmt_flags("mbind_mode", 2 | (1 << 15)), "MPOL_BIND|MPOL_F_STATIC_NODES");
}

TEST(FlagTables, ZeroValuedBitsAreNeverShown) {
  constexpr FlagName bits[] = {{0, "ZERO"}, {1, "ONE"}};
  const FlagTable t = tables::bits_table("test", bits);
  EXPECT_EQ(format_flags(t, 0), "0");
  EXPECT_EQ(format_flags(t, 1), "ONE");
  EXPECT_EQ(format_flags(t, 3), "ONE|0x2");
  const FlagTable named_zero = tables::bits_table("test", bits, "NONE");
  EXPECT_EQ(format_flags(named_zero, 0), "NONE");
}

TEST(FlagTables, Lookup) {
  EXPECT_EQ(flag_table(TableId::none), nullptr);
  EXPECT_EQ(flag_table_by_name("no_such_table"), nullptr);
  EXPECT_EQ(flag_table_by_name(""), nullptr);
  const FlagTable* t = flag_table(TableId::open_flags);
  ASSERT_NE(t, nullptr);
  EXPECT_STREQ(t->name, "open_flags");
  EXPECT_EQ(t, flag_table_by_name("open_flags"));
}

// Every table the overrides name (the X-macro list of table ids) must exist, as a flag or enum
// table or as a choice table. A failure here
// names a table that src/syscalls/overrides.txt uses and src/decode/tables does not define.
TEST(FlagTables, EveryTableIdResolves) {
  constexpr const char* kIds[] = {
#define X(name) #name,
#include "syscalls/table_ids.inc"
#undef X
  };
  std::vector<std::string> missing;
  for (size_t i = 0; i < std::size(kIds); ++i) {
    const auto id = static_cast<TableId>(i + 1);
    EXPECT_STREQ(table_name(id), kIds[i]);
    const FlagTable* t = flag_table(id);
    if (t == nullptr) {
      // A `by:ARG:TABLE` argument names a choice table instead (decode/choices.h).
      if (choice_table(id) == nullptr) missing.push_back(kIds[i]);
      continue;
    }
    EXPECT_STREQ(t->name, kIds[i]);
  }
  std::string list;
  for (const auto& m : missing) list += " " + m;
  EXPECT_TRUE(missing.empty()) << "tables named by overrides.txt but not defined:" << list;
}

TEST(FlagTables, RegistryIsSane) {
  const auto all = tables::all_flag_tables();
  ASSERT_GT(all.size(), 100u);
  std::set<std::string_view> table_names;
  for (const FlagTable* t : all) {
    ASSERT_NE(t, nullptr);
    ASSERT_NE(t->name, nullptr);
    const std::string_view tname = t->name;
    SCOPED_TRACE(std::string(tname));
    EXPECT_FALSE(tname.empty());
    EXPECT_TRUE(table_names.insert(tname).second) << "duplicate table name";
    EXPECT_EQ(flag_table_by_name(tname), t);

    // Renders the extremes without crashing, and something non-empty.
    EXPECT_FALSE(format_flags(*t, 0).empty());
    EXPECT_FALSE(format_flags(*t, ~uint64_t{0}).empty());
    EXPECT_FALSE(format_flags(*t, 0xffffffffu).empty());

    EXPECT_TRUE(t->enum_mask != 0 || t->enums.empty()) << "enums without an enum mask";
    std::set<std::string_view> names;
    for (auto part : {t->bits, t->enums}) {
      for (const FlagName& f : part) {
        ASSERT_NE(f.name, nullptr);
        const std::string_view n = f.name;
        EXPECT_FALSE(n.empty());
        EXPECT_TRUE(names.insert(n).second) << "duplicate entry " << n;
        // A 32-bit constant must not have been sign-extended to 64 bits.
        EXPECT_NE(f.value >> 31, 0x1ffffffffull) << n << " is sign-extended";
      }
    }
    for (const FlagName& f : t->bits) {
      EXPECT_EQ(f.value & t->enum_mask, 0u) << f.name << " overlaps the enum part";
    }
    for (const FlagName& f : t->enums) {
      EXPECT_EQ(f.value & ~t->enum_mask, 0u) << f.name << " lies outside the enum part";
    }
  }
}

}  // namespace
}  // namespace dtruss
