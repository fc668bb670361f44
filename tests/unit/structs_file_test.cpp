// Struct decoders of the file subjects (src/decode/subjects: stat, dirent, open, time ...) on
// synthetic events: stat, statx, statfs, directory records, open_how, file times and timers, id
// arrays and the rest, abbreviated and with -v, and on hostile memory: short captures, broken
// record lengths and counts far beyond the buffer. The bytes are built with glibc's own structs
// (<sys/stat.h>, <sys/statfs.h>, <dirent.h>, <sys/time.h>, ...), whose x86_64 layouts are the
// kernel's: an independent check of the decoder's kernel types.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/landlock.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/time_types.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/timex.h>
#include <utime.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "decode/decoder.h"
#include "decode/structs.h"
#include "decode/subjects/subject.h"
#include "decode_support.h"
#include "output/render.h"

namespace dtruss {
namespace {

using unit::arg;
using unit::capture;
using unit::json;
using unit::make;
using unit::text;

constexpr uint64_t kPath = 0x1000;
constexpr uint64_t kBuf = 0x2000;
constexpr uint64_t kBuf2 = 0x3000;

// ---------------------------------------------------------------------------------------------
// stat

struct stat sample_stat() {
  struct stat st {};
  st.st_dev = makedev(8, 1);
  st.st_ino = 42;
  st.st_mode = S_IFREG | 0644;
  st.st_nlink = 1;
  st.st_uid = 1000;
  st.st_gid = 1000;
  st.st_size = 1234;
  st.st_blksize = 4096;
  st.st_blocks = 8;
  st.st_atim = {1700000000, 1};
  st.st_mtim = {1700000001, 2};
  st.st_ctim = {1700000002, 3};
  return st;
}

TEST(StructsFile, NewfstatatAbbreviatedAndVerbose) {
  static_assert(sizeof(struct stat) == 144, "x86_64 struct stat is the kernel's");
  auto ev = make(SYS_newfstatat, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, 0}, 0);
  ev.captures.add(kPath, "/etc/hosts", 11);
  capture(ev, kBuf, sample_stat());
  std::string js;
  EXPECT_EQ(arg(ev, 2, false, &js), "{st_mode=S_IFREG|0644, st_size=1234, ...}");
  EXPECT_EQ(js, R"({"st_mode":"S_IFREG|0644","st_size":1234})");
  EXPECT_EQ(arg(ev, 2, true),
            "{st_dev=makedev(0x8, 0x1), st_ino=42, st_mode=S_IFREG|0644, st_nlink=1, "
            "st_uid=1000, st_gid=1000, st_blksize=4096, st_blocks=8, st_size=1234, "
            "st_atime=1700000000, st_atime_nsec=1, st_mtime=1700000001, st_mtime_nsec=2, "
            "st_ctime=1700000002, st_ctime_nsec=3}");
}

TEST(StructsFile, StatModesAndDevices) {
  struct stat st = sample_stat();
  st.st_mode = S_IFCHR | 0620;
  st.st_rdev = makedev(136, 3);
  auto ev = make(SYS_fstat, {0, kBuf}, 0);
  capture(ev, kBuf, st);
  EXPECT_EQ(arg(ev, 1), "{st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x3), ...}");

  st.st_rdev = makedev(0, 5);
  auto ev0 = make(SYS_fstat, {0, kBuf}, 0);
  capture(ev0, kBuf, st);
  EXPECT_EQ(arg(ev0, 1), "{st_mode=S_IFCHR|0620, st_rdev=makedev(0, 0x5), ...}");

  st.st_mode = S_IFDIR | S_ISVTX | 0777;
  auto ev2 = make(SYS_fstat, {0, kBuf}, 0);
  capture(ev2, kBuf, st);
  EXPECT_EQ(arg(ev2, 1), "{st_mode=S_IFDIR|S_ISVTX|0777, st_size=1234, ...}");

  st.st_mode = S_IFREG | S_ISUID | S_ISGID | 0755;
  auto ev3 = make(SYS_fstat, {0, kBuf}, 0);
  capture(ev3, kBuf, st);
  EXPECT_EQ(arg(ev3, 1), "{st_mode=S_IFREG|S_ISUID|S_ISGID|0755, st_size=1234, ...}");

  st.st_mode = S_IFLNK;  // no permission bits at all
  auto ev4 = make(SYS_fstat, {0, kBuf}, 0);
  capture(ev4, kBuf, st);
  EXPECT_EQ(arg(ev4, 1), "{st_mode=S_IFLNK|0, st_size=1234, ...}");
}

TEST(StructsFile, StatShortCaptureOrFailureShowsAddress) {
  struct stat st = sample_stat();
  auto ev = make(SYS_fstat, {3, kBuf}, 0);
  ev.captures.add(kBuf, &st, sizeof(st) - 1);  // one byte short of what -v shows
  EXPECT_EQ(arg(ev, 1, true), "0x2000");
  auto failed = make(SYS_fstat, {3, kBuf}, -EBADF);
  capture(failed, kBuf, st);
  EXPECT_EQ(arg(failed, 1), "0x2000");
  auto null = make(SYS_fstat, {3, 0}, -EFAULT);
  EXPECT_EQ(arg(null, 1), "NULL");
}

// Without -v a backend copies only the head of a stat (up to st_size): the abbreviated form
// needs no more, and -v (which copies it all) shows the address of a head alone.
TEST(StructsFile, StatAbbreviatedNeedsOnlyItsHead) {
  EXPECT_EQ(struct_brief_size(StructId::s_stat), offsetof(struct stat, st_blksize));
  EXPECT_EQ(struct_brief_size(StructId::s_stat), 56u);
  struct stat st = sample_stat();
  auto ev = make(SYS_newfstatat, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, 0}, 0);
  ev.captures.add(kPath, "/etc/hosts", 11);
  ev.captures.add(kBuf, &st, struct_brief_size(StructId::s_stat));
  EXPECT_EQ(arg(ev, 2), "{st_mode=S_IFREG|0644, st_size=1234, ...}");
  EXPECT_EQ(arg(ev, 2, true), "0x2000");
  st.st_mode = S_IFBLK | 0660;
  st.st_rdev = makedev(8, 0);
  auto dev = make(SYS_fstat, {3, kBuf}, 0);
  dev.captures.add(kBuf, &st, struct_brief_size(StructId::s_stat));
  EXPECT_EQ(arg(dev, 1), "{st_mode=S_IFBLK|0660, st_rdev=makedev(0x8, 0), ...}");
  auto shorter = make(SYS_fstat, {3, kBuf}, 0);
  shorter.captures.add(kBuf, &st, struct_brief_size(StructId::s_stat) - 1);
  EXPECT_EQ(arg(shorter, 1), "0x2000");
}

TEST(StructsFile, StatxAbbreviatedNeedsOnlyItsHead) {
  EXPECT_EQ(struct_brief_size(StructId::s_statx), offsetof(struct statx, stx_blocks));
  struct statx sx {};
  sx.stx_mask = STATX_BASIC_STATS;
  sx.stx_mode = S_IFREG | 0600;
  sx.stx_size = 7;
  auto ev = make(SYS_statx, {0, kPath, 0, STATX_BASIC_STATS, kBuf}, 0);
  ev.captures.add(kPath, "/x", 3);
  ev.captures.add(kBuf, &sx, struct_brief_size(StructId::s_statx));
  EXPECT_EQ(arg(ev, 4),
            "{stx_mask=STATX_BASIC_STATS, stx_attributes=0, stx_mode=S_IFREG|0600, stx_size=7, "
            "...}");
  EXPECT_EQ(arg(ev, 4, true), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// statx

TEST(StructsFile, StatxAbbreviatedAndVerbose) {
  struct statx sx {};
  sx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
  sx.stx_blksize = 4096;
  sx.stx_attributes = STATX_ATTR_APPEND;
  sx.stx_nlink = 2;
  sx.stx_uid = 0;
  sx.stx_gid = 100;
  sx.stx_mode = S_IFDIR | 0755;
  sx.stx_ino = 7;
  sx.stx_size = 4096;
  sx.stx_blocks = 8;
  sx.stx_attributes_mask = STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE;
  sx.stx_atime = {10, 11, 0};
  sx.stx_btime = {12, 13, 0};
  sx.stx_ctime = {14, 15, 0};
  sx.stx_mtime = {16, 17, 0};
  sx.stx_dev_major = 254;
  sx.stx_dev_minor = 1;
  sx.stx_mnt_id = 27;
  auto ev = make(
      SYS_statx,
      {static_cast<uint64_t>(AT_FDCWD), kPath, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, kBuf}, 0);
  ev.captures.add(kPath, "/tmp", 5);
  capture(ev, kBuf, sx);
  EXPECT_EQ(arg(ev, 4),
            "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=STATX_ATTR_APPEND, "
            "stx_mode=S_IFDIR|0755, stx_size=4096, ...}");
  EXPECT_EQ(arg(ev, 4, true),
            "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_blksize=4096, "
            "stx_attributes=STATX_ATTR_APPEND, stx_nlink=2, stx_uid=0, stx_gid=100, "
            "stx_mode=S_IFDIR|0755, stx_ino=7, stx_size=4096, stx_blocks=8, "
            "stx_attributes_mask=STATX_ATTR_IMMUTABLE|STATX_ATTR_APPEND, "
            "stx_atime={tv_sec=10, tv_nsec=11}, stx_btime={tv_sec=12, tv_nsec=13}, "
            "stx_ctime={tv_sec=14, tv_nsec=15}, stx_mtime={tv_sec=16, tv_nsec=17}, "
            "stx_rdev_major=0, stx_rdev_minor=0, stx_dev_major=254, stx_dev_minor=1, "
            "stx_mnt_id=27, stx_dio_mem_align=0, stx_dio_offset_align=0}");
  // -v needs all 256 bytes; 255 captured. (The short form needs only the head.)
  auto short_ev = make(SYS_statx, {0, kPath, 0, 0, kBuf}, 0);
  short_ev.captures.add(kBuf, &sx, sizeof(sx) - 1);
  EXPECT_EQ(arg(short_ev, 4, true), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// statfs

TEST(StructsFile, StatfsNamesKnownMagics) {
  static_assert(sizeof(struct statfs) == 120, "x86_64 struct statfs is the kernel's");
  struct statfs sf {};
  sf.f_type = 0xEF53;
  sf.f_bsize = 4096;
  sf.f_blocks = 1000;
  sf.f_bfree = 500;
  sf.f_bavail = 400;
  sf.f_files = 64;
  sf.f_ffree = 32;
  int fsid[2] = {0x1234, 0x5678};
  std::memcpy(&sf.f_fsid, fsid, sizeof(fsid));
  sf.f_namelen = 255;
  sf.f_frsize = 4096;
  sf.f_flags = 0x20 | ST_RDONLY;
  auto ev = make(SYS_statfs, {kPath, kBuf}, 0);
  ev.captures.add(kPath, "/", 2);
  capture(ev, kBuf, sf);
  EXPECT_EQ(arg(ev, 1),
            "{f_type=EXT4_SUPER_MAGIC, f_bsize=4096, f_blocks=1000, f_bfree=500, f_bavail=400, "
            "f_files=64, f_ffree=32, f_fsid={val=[0x1234, 0x5678]}, f_namelen=255, "
            "f_frsize=4096, f_flags=ST_RDONLY|ST_VALID}");

  sf.f_type = 0x01021994;  // tmpfs
  sf.f_flags = 0;
  auto ev2 = make(SYS_fstatfs, {3, kBuf}, 0);
  capture(ev2, kBuf, sf);
  std::string js;
  arg(ev2, 1, false, &js);
  EXPECT_NE(js.find(R"("f_type":"TMPFS_MAGIC")"), std::string::npos) << js;
  EXPECT_NE(js.find(R"("f_flags":"0")"), std::string::npos) << js;

  sf.f_type = 0x12345678;  // unknown: hex
  auto ev3 = make(SYS_fstatfs, {3, kBuf}, 0);
  capture(ev3, kBuf, sf);
  EXPECT_EQ(arg(ev3, 1).rfind("{f_type=0x12345678, f_bsize=4096,", 0), 0u) << arg(ev3, 1);
}

// ---------------------------------------------------------------------------------------------
// getdents64 and getdents

// Appends one struct linux_dirent64 record (glibc's struct dirent64 is its x86_64 layout).
void add_dirent64(std::vector<unsigned char>& buf, uint64_t ino, int64_t off, uint8_t type,
                  const std::string& name, size_t reclen = 0) {
  size_t head = offsetof(struct dirent64, d_name);
  if (reclen == 0) reclen = (head + name.size() + 1 + 7) & ~size_t{7};
  size_t at = buf.size();
  buf.resize(at + std::max(reclen, head + name.size() + 1));
  auto u16 = static_cast<uint16_t>(reclen);
  std::memcpy(&buf[at + offsetof(struct dirent64, d_ino)], &ino, 8);
  std::memcpy(&buf[at + offsetof(struct dirent64, d_off)], &off, 8);
  std::memcpy(&buf[at + offsetof(struct dirent64, d_reclen)], &u16, 2);
  buf[at + offsetof(struct dirent64, d_type)] = type;
  std::memcpy(&buf[at + head], name.c_str(), name.size() + 1);
}

SyscallEvent getdents64_event(const std::vector<unsigned char>& buf, int64_t ret,
                              uint64_t count = 32768) {
  auto ev = make(SYS_getdents64, {3, kBuf, count}, ret);
  if (!buf.empty()) ev.captures.add(kBuf, buf.data(), buf.size());
  return ev;
}

TEST(StructsFile, Getdents64Records) {
  std::vector<unsigned char> buf;
  add_dirent64(buf, 100, 1, DT_DIR, ".");
  add_dirent64(buf, 2, 2, DT_DIR, "..");
  add_dirent64(buf, 101, 3, DT_REG, "hello.txt");
  auto ev = getdents64_event(buf, static_cast<int64_t>(buf.size()));
  std::string js;
  EXPECT_EQ(arg(ev, 1, false, &js),
            "[{d_ino=100, d_off=1, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, "
            "{d_ino=2, d_off=2, d_reclen=24, d_type=DT_DIR, d_name=\"..\"}, "
            "{d_ino=101, d_off=3, d_reclen=32, d_type=DT_REG, d_name=\"hello.txt\"}]");
  EXPECT_EQ(js, R"([{"d_ino":100,"d_off":1,"d_reclen":24,"d_type":"DT_DIR","d_name":"."},)"
                R"({"d_ino":2,"d_off":2,"d_reclen":24,"d_type":"DT_DIR","d_name":".."},)"
                R"({"d_ino":101,"d_off":3,"d_reclen":32,"d_type":"DT_REG","d_name":"hello.txt"}])");
  // The end of the directory.
  EXPECT_EQ(arg(getdents64_event({}, 0), 1), "[]");
  // A failed call shows the address.
  EXPECT_EQ(arg(getdents64_event(buf, -EBADF), 1), "0x2000");
}

// Four records with the longest names fit in what a backend copies without -v.
TEST(StructsFile, Getdents64ShortFormFitsItsCopy) {
  EXPECT_EQ(records_brief_max(StructId::s_dirent64), 4 * 280u);
  EXPECT_EQ(records_brief_max(StructId::s_linux_dirent), 4 * 280u);
  EXPECT_EQ(records_brief_max(StructId::s_stat), 0u);
  std::vector<unsigned char> buf;
  for (char c : std::string("abcdef")) add_dirent64(buf, 7, 1, DT_REG, std::string(255, c));
  ASSERT_EQ(buf.size(), 6 * 280u);
  buf.resize(records_brief_max(StructId::s_dirent64));
  std::string shown = arg(getdents64_event(buf, 6 * 280), 1);
  EXPECT_EQ(shown.find("0x"), std::string::npos) << shown;
  EXPECT_NE(shown.find(std::string(255, 'd')), std::string::npos) << shown;
  EXPECT_EQ(shown.find(std::string(255, 'e')), std::string::npos) << shown;
  EXPECT_TRUE(shown.ends_with("\"}, ...]")) << shown;
}

TEST(StructsFile, Getdents64AbbreviatesUnlessVerbose) {
  std::vector<unsigned char> buf;
  for (int i = 0; i < 6; ++i) add_dirent64(buf, 10 + i, i + 1, DT_REG, "f" + std::to_string(i));
  auto ev = getdents64_event(buf, static_cast<int64_t>(buf.size()));
  std::string shown = arg(ev, 1);
  EXPECT_NE(shown.find("d_name=\"f3\"}, ...]"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("f4"), std::string::npos) << shown;
  std::string all = arg(ev, 1, true);
  EXPECT_NE(all.find("d_name=\"f5\"}]"), std::string::npos) << all;
  EXPECT_EQ(all.find("..."), std::string::npos) << all;
  // An unknown d_type prints as a number.
  std::vector<unsigned char> odd;
  add_dirent64(odd, 1, 1, 99, "x");
  EXPECT_EQ(arg(getdents64_event(odd, 24), 1),
            "[{d_ino=1, d_off=1, d_reclen=24, d_type=99, d_name=\"x\"}]");
}

TEST(StructsFile, Getdents64HostileRecords) {
  // d_reclen 0 in the first record: nothing to show but the address; never a loop.
  std::vector<unsigned char> zero;
  add_dirent64(zero, 1, 1, DT_REG, "a", 0);
  uint16_t z = 0;
  std::memcpy(&zero[offsetof(struct dirent64, d_reclen)], &z, 2);
  EXPECT_EQ(arg(getdents64_event(zero, 24), 1), "0x2000");

  // d_reclen 0 in the second record: the first, then "...".
  std::vector<unsigned char> second;
  add_dirent64(second, 1, 1, DT_REG, "a");
  add_dirent64(second, 2, 2, DT_REG, "b");
  std::memcpy(&second[24 + offsetof(struct dirent64, d_reclen)], &z, 2);
  EXPECT_EQ(arg(getdents64_event(second, 48), 1, true),
            "[{d_ino=1, d_off=1, d_reclen=24, d_type=DT_REG, d_name=\"a\"}, ...]");

  // A record longer than what is left of the returned bytes.
  std::vector<unsigned char> longrec;
  add_dirent64(longrec, 1, 1, DT_REG, "a");
  add_dirent64(longrec, 2, 2, DT_REG, "b", 4000);
  EXPECT_EQ(arg(getdents64_event(longrec, 48), 1, true),
            "[{d_ino=1, d_off=1, d_reclen=24, d_type=DT_REG, d_name=\"a\"}, ...]");

  // A d_reclen shorter than the record head.
  std::vector<unsigned char> tiny;
  add_dirent64(tiny, 1, 1, DT_REG, "a", 8);
  EXPECT_EQ(arg(getdents64_event(tiny, 24), 1), "0x2000");

  // The return value claims far more than was captured: what is readable, then "...".
  std::vector<unsigned char> two;
  add_dirent64(two, 1, 1, DT_REG, "a");
  add_dirent64(two, 2, 2, DT_REG, "b");
  EXPECT_EQ(arg(getdents64_event(two, 1 << 20, 1 << 20), 1, true),
            "[{d_ino=1, d_off=1, d_reclen=24, d_type=DT_REG, d_name=\"a\"}, "
            "{d_ino=2, d_off=2, d_reclen=24, d_type=DT_REG, d_name=\"b\"}, ...]");

  // The return value is never trusted beyond the buffer's size argument.
  EXPECT_EQ(arg(getdents64_event(two, 48, 24), 1, true),
            "[{d_ino=1, d_off=1, d_reclen=24, d_type=DT_REG, d_name=\"a\"}]");

  // A name without its NUL inside the record stops at the record's end.
  std::vector<unsigned char> nonul;
  add_dirent64(nonul, 1, 1, DT_REG, "abcd");  // reclen 24: 19 + 5 bytes
  std::memset(&nonul[19], 'x', 5);
  EXPECT_EQ(arg(getdents64_event(nonul, 24), 1),
            "[{d_ino=1, d_off=1, d_reclen=24, d_type=DT_REG, d_name=\"xxxxx\"}]");

  // Many tiny valid records: at most kMaxArrayElements even with -v.
  std::vector<unsigned char> many;
  for (int i = 0; i < 1100; ++i) add_dirent64(many, 1, i, DT_REG, "n");
  DecodedCall call;
  auto mev = getdents64_event(many, static_cast<int64_t>(many.size()), many.size());
  Decoder({64, true}).decode(mev, call);
  EXPECT_EQ(call.args[1].items.size(), kMaxArrayElements);
  EXPECT_TRUE(call.args[1].truncated);
}

// struct linux_dirent (fs/readdir.c): unsigned long d_ino, d_off; unsigned short d_reclen;
// char d_name[]; then padding, and d_type in the record's last byte.
void add_linux_dirent(std::vector<unsigned char>& buf, uint64_t ino, uint64_t off, uint8_t type,
                      const std::string& name) {
  size_t reclen = (18 + name.size() + 2 + 7) & ~size_t{7};
  size_t at = buf.size();
  buf.resize(at + reclen);
  auto u16 = static_cast<uint16_t>(reclen);
  std::memcpy(&buf[at], &ino, 8);
  std::memcpy(&buf[at + 8], &off, 8);
  std::memcpy(&buf[at + 16], &u16, 2);
  std::memcpy(&buf[at + 18], name.c_str(), name.size() + 1);
  buf[at + reclen - 1] = type;
}

TEST(StructsFile, GetdentsOldRecordsHaveTypeAtTheEnd) {
  std::vector<unsigned char> buf;
  add_linux_dirent(buf, 5, 1, DT_DIR, ".");
  add_linux_dirent(buf, 6, 2, DT_LNK, "link");
  auto ev = make(SYS_getdents, {3, kBuf, 4096}, static_cast<int64_t>(buf.size()));
  ev.captures.add(kBuf, buf.data(), buf.size());
  EXPECT_EQ(arg(ev, 1),
            "[{d_ino=5, d_off=1, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, "
            "{d_ino=6, d_off=2, d_reclen=24, d_type=DT_LNK, d_name=\"link\"}]");
  // d_reclen 0 in the second record.
  uint16_t z = 0;
  std::memcpy(&buf[24 + 16], &z, 2);
  auto bad = make(SYS_getdents, {3, kBuf, 4096}, static_cast<int64_t>(buf.size()));
  bad.captures.add(kBuf, buf.data(), buf.size());
  EXPECT_EQ(arg(bad, 1), "[{d_ino=5, d_off=1, d_reclen=24, d_type=DT_DIR, d_name=\".\"}, ...]");
}

// ---------------------------------------------------------------------------------------------
// openat2

TEST(StructsFile, Openat2OpenHow) {
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
  auto ev = make(SYS_openat2, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, sizeof(how)}, 3);
  ev.captures.add(kPath, "f", 2);
  capture(ev, kBuf, how);
  std::string js;
  EXPECT_EQ(arg(ev, 2, false, &js),
            "{flags=O_RDONLY|O_CLOEXEC, mode=0, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH}");
  EXPECT_EQ(
      js,
      R"({"flags":"O_RDONLY|O_CLOEXEC","mode":0,"resolve":"RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH"})");

  how.flags = O_WRONLY | O_CREAT | O_EXCL;
  how.mode = 0640;
  how.resolve = 0x40;  // unknown bit
  auto ev2 =
      make(SYS_openat2, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, sizeof(how)}, -EINVAL);
  capture(ev2, kBuf, how);  // an in-struct: shown even when the call failed
  EXPECT_EQ(arg(ev2, 2), "{flags=O_WRONLY|O_CREAT|O_EXCL, mode=0640, resolve=0x40}");

  auto short_ev = make(SYS_openat2, {0, kPath, kBuf, 24}, 3);
  short_ev.captures.add(kBuf, &how, 16);
  EXPECT_EQ(arg(short_ev, 2), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// Times

TEST(StructsFile, UtimensatNamesUtimeOmitAndNow) {
  struct timespec ts[2] = {{1, UTIME_OMIT}, {1700000000, UTIME_NOW}};
  auto ev = make(SYS_utimensat, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, 0}, 0);
  ev.captures.add(kPath, "f", 2);
  capture(ev, kBuf, ts);
  std::string js;
  EXPECT_EQ(arg(ev, 2, false, &js),
            "[{tv_sec=1, tv_nsec=UTIME_OMIT}, {tv_sec=1700000000, tv_nsec=UTIME_NOW}]");
  EXPECT_EQ(js,
            R"([{"tv_sec":1,"tv_nsec":"UTIME_OMIT"},{"tv_sec":1700000000,"tv_nsec":"UTIME_NOW"}])");
  struct timespec plain[2] = {{5, 6}, {7, 8}};
  auto ev2 = make(SYS_utimensat, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, 0}, 0);
  capture(ev2, kBuf, plain);
  EXPECT_EQ(arg(ev2, 2), "[{tv_sec=5, tv_nsec=6}, {tv_sec=7, tv_nsec=8}]");
  // Only one of the two captured.
  auto half = make(SYS_utimensat, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, 0}, 0);
  half.captures.add(kBuf, plain, sizeof(plain[0]));
  EXPECT_EQ(arg(half, 2), "0x2000");
  // NULL: both times are now.
  auto null = make(SYS_utimensat, {static_cast<uint64_t>(AT_FDCWD), kPath, 0, 0}, 0);
  EXPECT_EQ(arg(null, 2), "NULL");
}

TEST(StructsFile, UtimesAndUtime) {
  struct timeval tv[2] = {{1, 2}, {3, 4}};
  auto ev = make(SYS_utimes, {kPath, kBuf}, 0);
  capture(ev, kBuf, tv);
  EXPECT_EQ(arg(ev, 1), "[{tv_sec=1, tv_usec=2}, {tv_sec=3, tv_usec=4}]");
  struct utimbuf ub {
    10, 20
  };
  auto ev2 = make(SYS_utime, {kPath, kBuf}, 0);
  capture(ev2, kBuf, ub);
  EXPECT_EQ(arg(ev2, 1), "{actime=10, modtime=20}");
}

TEST(StructsFile, SetitimerAndGetitimer) {
  struct itimerval nv {
    {0, 0}, { 1, 500000 }
  };
  struct itimerval ov {
    {2, 3}, { 4, 5 }
  };
  auto ev = make(SYS_setitimer, {ITIMER_REAL, kBuf, kBuf2}, 0);
  capture(ev, kBuf, nv);
  capture(ev, kBuf2, ov);
  EXPECT_EQ(arg(ev, 1), "{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=500000}}");
  EXPECT_EQ(arg(ev, 2), "{it_interval={tv_sec=2, tv_usec=3}, it_value={tv_sec=4, tv_usec=5}}");
  std::string js;
  arg(ev, 1, false, &js);
  EXPECT_EQ(js,
            R"({"it_interval":{"tv_sec":0,"tv_usec":0},"it_value":{"tv_sec":1,"tv_usec":500000}})");
  // A failed setitimer: the new value was read, the old one was not written.
  auto failed = make(SYS_setitimer, {99, kBuf, kBuf2}, -EINVAL);
  capture(failed, kBuf, nv);
  capture(failed, kBuf2, ov);
  EXPECT_EQ(arg(failed, 2), "0x3000");
  auto get = make(SYS_getitimer, {ITIMER_PROF, kBuf}, 0);
  capture(get, kBuf, ov);
  EXPECT_EQ(arg(get, 1), "{it_interval={tv_sec=2, tv_usec=3}, it_value={tv_sec=4, tv_usec=5}}");
}

TEST(StructsFile, TimerSettimeItimerspec) {
  struct __kernel_itimerspec its {
    {0, 0}, { 2, 250 }
  };
  auto ev = make(SYS_timer_settime, {0, 0, kBuf, 0}, 0);
  capture(ev, kBuf, its);
  EXPECT_EQ(arg(ev, 2), "{it_interval={tv_sec=0, tv_nsec=0}, it_value={tv_sec=2, tv_nsec=250}}");
  EXPECT_EQ(arg(ev, 3), "NULL");
}

TEST(StructsFile, GettimeofdayTimevalAndTimezone) {
  struct timeval tv {
    1700000000, 123456
  };
  struct timezone tz {
    - 60, 0
  };
  auto ev = make(SYS_gettimeofday, {kBuf, kBuf2}, 0);
  capture(ev, kBuf, tv);
  capture(ev, kBuf2, tz);
  EXPECT_EQ(arg(ev, 0), "{tv_sec=1700000000, tv_usec=123456}");
  EXPECT_EQ(arg(ev, 1), "{tz_minuteswest=-60, tz_dsttime=0}");
  auto notz = make(SYS_gettimeofday, {kBuf, 0}, 0);
  capture(notz, kBuf, tv);
  EXPECT_EQ(arg(notz, 1), "NULL");
  auto unreadable = make(SYS_gettimeofday, {kBuf, kBuf2}, 0);
  EXPECT_EQ(arg(unreadable, 0), "0x2000");
}

TEST(StructsFile, Times) {
  struct tms t {
    1, 2, 3, 4
  };
  auto ev = make(SYS_times, {kBuf}, 12345);
  capture(ev, kBuf, t);
  EXPECT_EQ(arg(ev, 0), "{tms_utime=1, tms_stime=2, tms_cutime=3, tms_cstime=4}");
}

TEST(StructsFile, AdjtimexAbbreviatedAndVerbose) {
  static_assert(sizeof(struct timex) == 208, "glibc's x86_64 struct timex is the kernel's");
  struct timex tx {};
  tx.modes = ADJ_OFFSET | ADJ_STATUS;
  tx.offset = 5;
  tx.freq = -7;
  tx.status = STA_PLL | STA_UNSYNC;
  tx.tick = 10000;
  tx.tai = 37;
  tx.time = {100, 200};
  auto ev = make(SYS_adjtimex, {kBuf}, TIME_OK);
  ev.before.add(kBuf, &tx, sizeof(tx));  // (in/out: shown as passed, and after the result)
  capture(ev, kBuf, tx);
  EXPECT_EQ(arg(ev, 0),
            "{modes=ADJ_OFFSET|ADJ_STATUS, offset=5, freq=-7, status=STA_PLL|STA_UNSYNC, ...}");
  EXPECT_EQ(arg(ev, 0, true),
            "{modes=ADJ_OFFSET|ADJ_STATUS, offset=5, freq=-7, maxerror=0, esterror=0, "
            "status=STA_PLL|STA_UNSYNC, constant=0, precision=0, tolerance=0, "
            "time={tv_sec=100, tv_usec=200}, tick=10000, ppsfreq=0, jitter=0, shift=0, "
            "stabil=0, jitcnt=0, calcnt=0, errcnt=0, stbcnt=0, tai=37}");
  tx.modes = ADJ_OFFSET_SS_READ;
  auto ev2 = make(SYS_adjtimex, {kBuf}, TIME_OK);
  ev2.before.add(kBuf, &tx, sizeof(tx));
  EXPECT_EQ(arg(ev2, 0).rfind("{modes=ADJ_OFFSET_SS_READ, ", 0), 0u) << arg(ev2, 0);
}

// ---------------------------------------------------------------------------------------------
// uid_t and gid_t

TEST(StructsFile, GetgroupsCountsFromTheReturnValue) {
  uint32_t groups[] = {0, 4, 27};
  auto ev = make(SYS_getgroups, {32, kBuf}, 3);
  capture(ev, kBuf, groups);
  std::string js;
  EXPECT_EQ(arg(ev, 1, false, &js), "[0, 4, 27]");
  EXPECT_EQ(js, "[0,4,27]");
  // A count far beyond the memory: what is there, then "...".
  auto huge = make(SYS_getgroups, {65536, kBuf}, 1000000);
  capture(huge, kBuf, groups);
  EXPECT_EQ(arg(huge, 1), "[0, 4, 27, ...]");
  // getgroups(0, list) only counts: the list is not written.
  auto count_only = make(SYS_getgroups, {0, kBuf}, 3);
  capture(count_only, kBuf, groups);
  EXPECT_EQ(arg(count_only, 1), "0x2000");
  // No groups.
  auto none = make(SYS_getgroups, {32, kBuf}, 0);
  EXPECT_EQ(arg(none, 1), "[]");
}

TEST(StructsFile, SetgroupsCountsFromItsSizeArgument) {
  uint32_t groups[] = {1, 2, 0xffffffff};
  auto ev = make(SYS_setgroups, {2, kBuf}, 0);
  capture(ev, kBuf, groups);
  EXPECT_EQ(arg(ev, 1), "[1, 2]");
  auto all = make(SYS_setgroups, {3, kBuf}, 0);
  capture(all, kBuf, groups);
  EXPECT_EQ(arg(all, 1), "[1, 2, -1]");
  auto negative = make(SYS_setgroups, {static_cast<uint64_t>(-1), kBuf}, -EINVAL);
  capture(negative, kBuf, groups);
  EXPECT_EQ(arg(negative, 1), "[]");
  auto unreadable = make(SYS_setgroups, {2, kBuf}, -EFAULT);
  EXPECT_EQ(arg(unreadable, 1), "0x2000");
}

TEST(StructsFile, GetresuidSingleValues) {
  uint32_t r = 1000, e = 0, s = 1001;
  auto ev = make(SYS_getresuid, {kBuf, kBuf + 0x100, kBuf + 0x200}, 0);
  capture(ev, kBuf, r);
  capture(ev, kBuf + 0x100, e);
  capture(ev, kBuf + 0x200, s);
  EXPECT_EQ(arg(ev, 0), "[1000]");
  EXPECT_EQ(arg(ev, 1), "[0]");
  EXPECT_EQ(arg(ev, 2), "[1001]");
}

// ---------------------------------------------------------------------------------------------
// file_handle, mount_attr, landlock

TEST(StructsFile, NameToHandleAtFileHandle) {
  unsigned char fh[8 + 8];
  uint32_t bytes = 8;
  int32_t type = 1;
  std::memcpy(fh, &bytes, 4);
  std::memcpy(fh + 4, &type, 4);
  for (int i = 0; i < 8; ++i) fh[8 + i] = static_cast<unsigned char>(0x10 + i);
  int32_t mnt = 27;
  auto ev =
      make(SYS_name_to_handle_at, {static_cast<uint64_t>(AT_FDCWD), kPath, kBuf, kBuf2, 0}, 0);
  ev.captures.add(kPath, "f", 2);
  ev.captures.add(kBuf, fh, sizeof(fh));
  ev.before.add(kBuf, fh, sizeof(fh));
  capture(ev, kBuf2, mnt);
  // As passed: the room the handle has (the rest is the kernel's to write); after the result,
  // the handle it wrote.
  EXPECT_EQ(arg(ev, 2), "{handle_bytes=8}");
  DecodedCall call;
  Decoder({64, false}).decode(ev, call);
  EXPECT_EQ(text(call.after[2]), "{handle_bytes=8, handle_type=1, f_handle=0x1011121314151617}");
  EXPECT_EQ(arg(ev, 3), "[27]");
  // handle_bytes beyond MAX_HANDLE_SZ: the bytes are not read.
  bytes = 100000;
  std::memcpy(fh, &bytes, 4);
  auto big = make(SYS_open_by_handle_at, {3, kBuf, O_RDONLY}, -EINVAL);
  big.captures.add(kBuf, fh, sizeof(fh));
  EXPECT_EQ(arg(big, 1), "{handle_bytes=100000, handle_type=1, ...}");
  // handle_bytes within bounds but past the captured memory.
  bytes = 64;
  std::memcpy(fh, &bytes, 4);
  auto torn = make(SYS_open_by_handle_at, {3, kBuf, O_RDONLY}, -EINVAL);
  torn.captures.add(kBuf, fh, sizeof(fh));
  EXPECT_EQ(arg(torn, 1), "{handle_bytes=64, handle_type=1, f_handle=0x2008}");
}

TEST(StructsFile, MountSetattr) {
  struct mount_attr ma {};
  ma.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID;
  ma.propagation = MS_PRIVATE;
  auto ev =
      make(SYS_mount_setattr, {static_cast<uint64_t>(AT_FDCWD), kPath, 0, kBuf, sizeof(ma)}, 0);
  ev.captures.add(kPath, "/mnt", 5);
  capture(ev, kBuf, ma);
  EXPECT_EQ(arg(ev, 3),
            "{attr_set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID, attr_clr=0, propagation=MS_PRIVATE, "
            "userns_fd=0}");
}

TEST(StructsFile, LandlockRulesetAttrBySize) {
  uint64_t attr[3] = {LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE, 1 << 1, 1 << 1};
  auto v1 = make(SYS_landlock_create_ruleset, {kBuf, 8, 0}, 3);
  v1.captures.add(kBuf, attr, 8);
  EXPECT_EQ(arg(v1, 0),
            "{handled_access_fs=LANDLOCK_ACCESS_FS_EXECUTE|LANDLOCK_ACCESS_FS_READ_FILE}");
  auto v3 = make(SYS_landlock_create_ruleset, {kBuf, 24, 0}, 3);
  v3.captures.add(kBuf, attr, sizeof(attr));
  EXPECT_EQ(arg(v3, 0),
            "{handled_access_fs=LANDLOCK_ACCESS_FS_EXECUTE|LANDLOCK_ACCESS_FS_READ_FILE, "
            "handled_access_net=LANDLOCK_ACCESS_NET_CONNECT_TCP, scoped=LANDLOCK_SCOPE_SIGNAL}");
  // A size larger than any known struct reads only what is known.
  auto bigger = make(SYS_landlock_create_ruleset, {kBuf, 4096, 0}, -E2BIG);
  bigger.captures.add(kBuf, attr, sizeof(attr));
  EXPECT_NE(arg(bigger, 0).find("scoped="), std::string::npos);
  // A size too small for handled_access_fs.
  auto tiny = make(SYS_landlock_create_ruleset, {kBuf, 4, 0}, -EINVAL);
  tiny.captures.add(kBuf, attr, sizeof(attr));
  EXPECT_EQ(arg(tiny, 0), "0x2000");
}

// ---------------------------------------------------------------------------------------------
// Types the syscall overrides do not use yet: called through the family's entries directly.

Value call_entry(std::string_view type, const SyscallEvent& ev, uint64_t raw, int8_t len = kNoLen,
                 bool verbose = false) {
  for (const structs::Subject& s : structs::all_subjects()) {
    for (const structs::Entry& e : s.structs) {
      if (e.type != type) continue;
      ArgInfo info{"x", "void *", ArgKind::Struct, Dir::In, TableId::none, StructId::none, len};
      DecodeOptions opt{64, verbose};
      ArgContext c{ev, info, raw, ev.captures, opt};
      return e.fn(c);
    }
  }
  ADD_FAILURE() << "no entry " << type;
  return Value::null();
}

TEST(StructsFile, CachestatXattrArgsAndStatmount) {
  SyscallEvent ev;
  uint64_t range[2] = {4096, 8192};
  uint64_t cs[5] = {1, 2, 3, 4, 5};
  ev.captures.add(kBuf, range, sizeof(range));
  ev.captures.add(kBuf2, cs, sizeof(cs));
  EXPECT_EQ(text(call_entry("cachestat_range", ev, kBuf)), "{off=4096, len=8192}");
  EXPECT_EQ(text(call_entry("cachestat", ev, kBuf2)),
            "{nr_cache=1, nr_dirty=2, nr_writeback=3, nr_evicted=4, nr_recently_evicted=5}");
  EXPECT_EQ(text(call_entry("cachestat", ev, kBuf + 8)), "0x2008");

  SyscallEvent xe;
  struct {
    uint64_t value;
    uint32_t size, flags;
  } xa{0x7000, 5, 1 /* XATTR_CREATE */};
  xe.captures.add(kBuf, &xa, sizeof(xa));
  EXPECT_EQ(text(call_entry("xattr_args", xe, kBuf)), "{value=0x7000, size=5, flags=XATTR_CREATE}");

  SyscallEvent me;
  uint32_t req0[6] = {24, 0, 0x20000000, 0, 0x3, 0};  // size, spare, mnt_id, param
  me.captures.add(kBuf, req0, sizeof(req0));
  EXPECT_EQ(text(call_entry("statmount_req", me, kBuf)),
            "{size=24, mnt_id=536870912, param=STATMOUNT_SB_BASIC|STATMOUNT_MNT_BASIC}");
  EXPECT_EQ(text(call_entry("listmount_req", me, kBuf)), "{size=24, mnt_id=536870912, param=3}");
  uint64_t root[3] = {24, ~uint64_t{0}, 0};
  SyscallEvent le;
  le.captures.add(kBuf, root, sizeof(root));
  EXPECT_EQ(text(call_entry("listmount_req", le, kBuf)), "{size=24, mnt_id=LSMT_ROOT, param=0}");

  SyscallEvent se;
  uint64_t sm[13] = {};
  sm[0] = 512;                      // size, spare
  sm[1] = 0x3;                      // mask: SB_BASIC|MNT_BASIC
  sm[2] = 8 | (uint64_t{1} << 32);  // sb_dev_major 8, minor 1
  sm[3] = 0xEF53;                   // sb_magic
  sm[5] = 27;                       // mnt_id
  sm[6] = 1;                        // mnt_parent_id
  se.captures.add(kBuf, sm, sizeof(sm));
  EXPECT_EQ(text(call_entry("statmount", se, kBuf)),
            "{size=512, mask=STATMOUNT_SB_BASIC|STATMOUNT_MNT_BASIC, sb_dev_major=8, "
            "sb_dev_minor=1, sb_magic=EXT4_SUPER_MAGIC, mnt_id=27, mnt_parent_id=1, ...}");
}

TEST(StructsFile, EveryEntryHasAType) {
  size_t n = 0;
  for (const structs::Subject& s : structs::all_subjects()) {
    for (const structs::Entry& e : s.structs) {
      EXPECT_FALSE(e.type.empty());
      EXPECT_NE(e.fn, nullptr);
      ++n;
    }
  }
  EXPECT_GE(n, 20u);
  // Sizes the capture plan relies on: the kernel's structs.
  EXPECT_EQ(struct_size(StructId::s_stat), 144u);
  EXPECT_EQ(struct_size(StructId::s_statx), 256u);
  EXPECT_EQ(struct_size(StructId::s_statfs), 120u);
  EXPECT_EQ(struct_size(StructId::s_open_how), 24u);
  EXPECT_EQ(struct_size(StructId::s_timespec_pair), 32u);
  EXPECT_EQ(struct_size(StructId::s_timex), 208u);
  EXPECT_EQ(struct_size(StructId::s_gid_t), 4u);
  EXPECT_EQ(struct_size(StructId::s_dirent64), 0u);
  // (its head and the most handle bytes the kernel takes, MAX_HANDLE_SZ)
  EXPECT_EQ(struct_size(StructId::s_file_handle), 8u + MAX_HANDLE_SZ);
}

// The plans without -v copy the heads of stat and statx and the first four directory records at
// most, with -v the whole structs and up to 64 KiB of records; a struct without a shorter form is
// copied whole either way.
TEST(StructsFile, CapturePlansCopyWhatTheShortFormsShow) {
  for (bool verbose : {false, true}) {
    CaptureLimits lim;
    lim.verbose = verbose;
    lim.struct_size = verbose ? struct_size : struct_brief_size;
    lim.records_max = verbose ? nullptr : records_brief_max;
    lim.choice_captures = choice_captures;
    const CapturePlans plans(lim);
    const CaptureStep* st = unit::step_of(plans.of(SYS_newfstatat), 2, true);
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->max, verbose ? 144u : 56u);
    const CaptureStep* sx = unit::step_of(plans.of(SYS_statx), 4, true);
    ASSERT_NE(sx, nullptr);
    EXPECT_EQ(sx->max, verbose ? 256u : 48u);
    const CaptureStep* sf = unit::step_of(plans.of(SYS_statfs), 1, true);
    ASSERT_NE(sf, nullptr);
    EXPECT_EQ(sf->max, 120u);
    const CaptureStep* de = unit::step_of(plans.of(SYS_getdents64), 1, true);
    ASSERT_NE(de, nullptr);
    EXPECT_EQ(de->max, verbose ? 65536u : 4 * 280u);
  }
}

}  // namespace
}  // namespace dtruss
