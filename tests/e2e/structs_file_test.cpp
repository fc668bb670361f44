// What dtruss decodes of the file family's structs in a real trace (fixture structs_file): stat,
// statx, statfs, getdents64 records, open_how, utimensat's times and interval timers, field by
// field through --json, abbreviated and with -v.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// The path argument of an event ("filename", "pathname"), "" when absent.
std::string path_arg(const json& e, const char* key) {
  if (!e.contains("args") || !e["args"].contains(key) || !e["args"][key].is_string()) return "";
  return e["args"][key].get<std::string>();
}

// The events named `name`; with `key`, only those whose argument `key` is `path`.
std::vector<json> calls(const std::vector<json>& ev, const std::string& name,
                        const char* key = nullptr, const std::string& path = "") {
  std::vector<json> out;
  for (const auto& e : syscalls(ev, name))
    if (key == nullptr || path_arg(e, key) == path) out.push_back(e);
  return out;
}

struct Trace {
  std::string dir;
  std::string file;  // DIR/stat.txt
  std::vector<json> events;
};

Trace trace_fixture(bool verbose) {
  Trace t;
  t.dir = temp_dir();
  t.file = t.dir + "/stat.txt";
  std::vector<std::string> args = {"--json"};
  if (verbose) args.push_back("-v");
  args.push_back(fixture("structs_file"));
  args.push_back(t.dir);
  auto r = run_traced(args);
  EXPECT_EQ(r.status, 0) << r.err;
  t.events = json_lines(r.trace);
  return t;
}

TEST(StructsFile, StatFstatAndStatxAbbreviated) {
  Trace t = trace_fixture(false);
  SCOPED_TRACE(dump(t.events));

  // fstat on the fd of the file just written: exactly the abbreviated pair.
  auto fst = calls(t.events, "fstat");
  const json* fstat_ev = nullptr;
  for (const auto& e : fst)
    if (e["ret"] == 0 && e["args"]["statbuf"].is_object() &&
        e["args"]["statbuf"].value("st_size", -1L) == 13)
      fstat_ev = &e;
  ASSERT_NE(fstat_ev, nullptr) << "no fstat with st_size 13";
  EXPECT_EQ((*fstat_ev)["args"]["statbuf"], json({{"st_mode", "S_IFREG|0640"}, {"st_size", 13}}));

  auto nfs = calls(t.events, "newfstatat", "filename", t.file);
  ASSERT_EQ(nfs.size(), 1u);
  EXPECT_EQ(nfs[0]["ret"], 0);
  EXPECT_EQ(nfs[0]["args"]["dfd"], "AT_FDCWD");
  EXPECT_EQ(nfs[0]["args"]["statbuf"], json({{"st_mode", "S_IFREG|0640"}, {"st_size", 13}}));

  auto sx = calls(t.events, "statx", "filename", t.file);
  ASSERT_EQ(sx.size(), 1u);
  EXPECT_EQ(sx[0]["ret"], 0);
  EXPECT_EQ(sx[0]["args"]["mask"], "STATX_BASIC_STATS");
  const json& b = sx[0]["args"]["buffer"];
  ASSERT_TRUE(b.is_object()) << b.dump();
  EXPECT_EQ(b["stx_mode"], "S_IFREG|0640");
  EXPECT_EQ(b["stx_size"], 13);
  ASSERT_TRUE(b["stx_mask"].is_string());
  EXPECT_EQ(b["stx_mask"].get<std::string>().rfind("STATX_BASIC_STATS", 0), 0u) << b.dump();
  EXPECT_FALSE(b.contains("stx_ino")) << "abbreviated without -v";
}

TEST(StructsFile, VerboseStatMatchesTheFile) {
  Trace t = trace_fixture(true);
  SCOPED_TRACE(dump(t.events));
  struct stat own {};
  ASSERT_EQ(stat(t.file.c_str(), &own), 0);

  auto nfs = calls(t.events, "newfstatat", "filename", t.file);
  ASSERT_EQ(nfs.size(), 1u);
  const json& s = nfs[0]["args"]["statbuf"];
  ASSERT_TRUE(s.is_object()) << s.dump();
  char dev[64];
  snprintf(dev, sizeof dev, "makedev(%#x, %#x)", major(own.st_dev), minor(own.st_dev));
  EXPECT_EQ(s["st_dev"], std::string(dev));
  EXPECT_EQ(s["st_ino"], own.st_ino);
  EXPECT_EQ(s["st_mode"], "S_IFREG|0640");
  EXPECT_EQ(s["st_nlink"], 1);
  EXPECT_EQ(s["st_uid"], own.st_uid);
  EXPECT_EQ(s["st_gid"], own.st_gid);
  EXPECT_EQ(s["st_blksize"], own.st_blksize);
  EXPECT_EQ(s["st_size"], 13);
  EXPECT_EQ(s["st_ctime"].is_number_integer(), true);
  EXPECT_GT(s["st_atime"].get<long>(), 1600000000L);
  for (const char* k : {"st_blocks", "st_atime_nsec", "st_mtime", "st_mtime_nsec", "st_ctime_nsec"})
    EXPECT_TRUE(s.contains(k)) << k;

  auto sx = calls(t.events, "statx", "filename", t.file);
  ASSERT_EQ(sx.size(), 1u);
  const json& b = sx[0]["args"]["buffer"];
  EXPECT_EQ(b["stx_ino"], own.st_ino);
  EXPECT_EQ(b["stx_nlink"], 1);
  EXPECT_EQ(b["stx_dev_major"], major(own.st_dev));
  EXPECT_EQ(b["stx_dev_minor"], minor(own.st_dev));
  ASSERT_TRUE(b["stx_mtime"].is_object()) << b.dump();
  EXPECT_TRUE(b["stx_mtime"].contains("tv_sec") && b["stx_mtime"].contains("tv_nsec"));
}

TEST(StructsFile, StatfsOfRoot) {
  Trace t = trace_fixture(false);
  SCOPED_TRACE(dump(t.events));
  struct statfs own {};
  ASSERT_EQ(statfs("/", &own), 0);
  auto sf = calls(t.events, "statfs", "pathname", "/");
  ASSERT_EQ(sf.size(), 1u);
  const json& b = sf[0]["args"]["buf"];
  ASSERT_TRUE(b.is_object()) << b.dump();
  ASSERT_TRUE(b["f_type"].is_string()) << "a magic name, or hex when unknown";
  EXPECT_FALSE(b["f_type"].get<std::string>().empty());
  EXPECT_EQ(b["f_bsize"], own.f_bsize);
  EXPECT_EQ(b["f_namelen"], own.f_namelen);
  EXPECT_EQ(b["f_frsize"], own.f_frsize);
  EXPECT_EQ(b["f_blocks"], own.f_blocks);
  EXPECT_TRUE(b["f_flags"].is_string());
  ASSERT_TRUE(b["f_fsid"].is_object());
  EXPECT_EQ(b["f_fsid"]["val"].size(), 2u);
}

TEST(StructsFile, Getdents64RecordsOfTheDirectory) {
  Trace t = trace_fixture(false);
  SCOPED_TRACE(dump(t.events));
  auto gd = calls(t.events, "getdents64");
  ASSERT_GE(gd.size(), 2u) << "records, then the end of the directory";
  std::set<std::string> names;
  long bytes = 0;
  bool saw_end = false;
  for (const auto& e : gd) {
    ASSERT_TRUE(e["ret"].is_number_integer()) << e.dump();
    const json& d = e["args"]["dirent"];
    ASSERT_TRUE(d.is_array()) << e.dump();
    if (e["ret"] == 0) {
      EXPECT_TRUE(d.empty());
      saw_end = true;
      continue;
    }
    bytes += e["ret"].get<long>();
    for (const auto& r : d) {
      ASSERT_TRUE(r.is_object());
      names.insert(r["d_name"].get<std::string>());
      EXPECT_GT(r["d_reclen"].get<long>(), 19);
      EXPECT_TRUE(r["d_ino"].is_number_unsigned());
      const std::string type = r["d_type"].get<std::string>();
      // DT_UNKNOWN where the filesystem does not fill d_type.
      if (r["d_name"] == "one" || r["d_name"] == "two") {
        EXPECT_TRUE(type == "DT_REG" || type == "DT_UNKNOWN") << type;
      } else {
        EXPECT_TRUE(type == "DT_DIR" || type == "DT_UNKNOWN") << type;
      }
    }
  }
  EXPECT_TRUE(saw_end);
  EXPECT_GT(bytes, 0);
  EXPECT_EQ(names, (std::set<std::string>{".", "..", "one", "two"}));
}

TEST(StructsFile, Openat2UtimensatAndTimers) {
  Trace t = trace_fixture(false);
  SCOPED_TRACE(dump(t.events));

  auto o2 = calls(t.events, "openat2", "filename", t.file);
  ASSERT_EQ(o2.size(), 1u);
  if (o2[0]["errno"] == "ENOSYS") GTEST_SKIP() << "no openat2 in this kernel";
  EXPECT_EQ(
      o2[0]["args"]["how"],
      json({{"flags", "O_RDONLY|O_CLOEXEC"}, {"mode", 0}, {"resolve", "RESOLVE_NO_MAGICLINKS"}}));
  EXPECT_EQ(o2[0]["args"]["usize"], 24);

  auto ut = calls(t.events, "utimensat", "filename", t.file);
  ASSERT_EQ(ut.size(), 1u);
  EXPECT_EQ(ut[0]["ret"], 0);
  EXPECT_EQ(
      ut[0]["args"]["utimes"],
      json::parse(R"([{"tv_sec":0,"tv_nsec":"UTIME_OMIT"},{"tv_sec":1700000000,"tv_nsec":0}])"));

  auto set = calls(t.events, "setitimer");
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[0]["args"]["which"], "ITIMER_REAL");
  EXPECT_EQ(
      set[0]["args"]["value"],
      json::parse(
          R"({"it_interval":{"tv_sec":0,"tv_usec":0},"it_value":{"tv_sec":100,"tv_usec":0}})"));
  EXPECT_EQ(set[0]["args"]["ovalue"],
            json::parse(
                R"({"it_interval":{"tv_sec":0,"tv_usec":0},"it_value":{"tv_sec":0,"tv_usec":0}})"));
  EXPECT_TRUE(set[1]["args"]["ovalue"].is_null());

  auto get = calls(t.events, "getitimer");
  ASSERT_EQ(get.size(), 1u);
  const json& v = get[0]["args"]["value"];
  ASSERT_TRUE(v.is_object()) << v.dump();
  EXPECT_EQ(v["it_interval"], json::parse(R"({"tv_sec":0,"tv_usec":0})"));
  long left_s = v["it_value"]["tv_sec"].get<long>();
  EXPECT_GE(left_s, 90);
  EXPECT_LE(left_s, 100);
}

}  // namespace
}  // namespace e2e
