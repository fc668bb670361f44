// The syscall descriptions (src/syscalls/descriptions/*.txt -> descriptions.inc) and their API,
// and the -x / --explain annotations of the sinks on synthetic events.
#include "syscalls/describe.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "decode/names.h"
#include "output/json_sink.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "sink_support.h"

namespace dtruss::unit {
namespace {

// Every block that exists is whole: about, returns, one meaning per argument and none beyond,
// errno entries with a name that is that errno's and a meaning. Covers both halves once present.
TEST(SyscallDocs, EveryDescribedSyscallIsComplete) {
  ASSERT_FALSE(all_syscall_docs().empty());
  for (const SyscallDoc& d : all_syscall_docs()) {
    SCOPED_TRACE(d.name);
    const SyscallInfo* info = syscall_by_nr(d.nr);
    ASSERT_NE(info, nullptr);
    EXPECT_STREQ(info->name, d.name);
    EXPECT_EQ(syscall_doc(d.nr), &d);
    ASSERT_NE(d.about, nullptr);
    EXPECT_GT(std::strlen(d.about), 10u);
    EXPECT_LE(std::strlen(d.about), 100u);
    ASSERT_NE(d.returns, nullptr);
    EXPECT_GT(std::strlen(d.returns), 0u);
    for (int i = 0; i < kMaxArgs; ++i) {
      if (i < info->nargs) {
        ASSERT_NE(d.args[i], nullptr) << info->args[i].name;
        EXPECT_GT(std::strlen(d.args[i]), 0u) << info->args[i].name;
      } else {
        EXPECT_EQ(d.args[i], nullptr) << "argument " << i << " beyond nargs";
      }
    }
    EXPECT_GE(d.nerrnos, 0);
    EXPECT_LE(d.nerrnos, kMaxErrnoDocs);
    for (int i = 0; i < d.nerrnos; ++i) {
      const ErrnoDoc& e = d.errnos[i];
      EXPECT_GT(e.err, 0) << e.name;
      EXPECT_GT(std::strlen(e.meaning), 0u) << e.name;
      // The stored name is the errno's (or its alias: EWOULDBLOCK is EAGAIN).
      const char* canonical = errno_name(e.err);
      ASSERT_NE(canonical, nullptr) << e.name;
      std::string pair = std::string(e.name) + "=" + canonical;
      EXPECT_TRUE(std::strcmp(canonical, e.name) == 0 || pair == "EWOULDBLOCK=EAGAIN" ||
                  pair == "EDEADLOCK=EDEADLK" || pair == "ENOTSUP=EOPNOTSUPP")
          << pair;
      EXPECT_EQ(errno_meaning(d.nr, e.err), std::string_view(e.meaning));
    }
  }
}

// The first half, written first (in descriptions/unistd.txt): every syscall numbered below 160.
TEST(SyscallDocs, EverySyscallBelow160IsDescribed) {
  int n = 0;
  for (const SyscallInfo& s : all_syscalls()) {
    if (s.nr >= 160) continue;
    ++n;
    EXPECT_NE(syscall_doc(s.nr), nullptr) << s.name << " has no block in descriptions/unistd.txt";
  }
  EXPECT_EQ(n, 160);
}

// The second half (descriptions/unistd.txt, newer.txt) is all or nothing: once a block for a
// syscall numbered 160 or above exists, every syscall of the table must have one (all 362).
TEST(SyscallDocs, SecondHalfIsAbsentOrWhole) {
  int upper = 0, upper_described = 0;
  for (const SyscallInfo& s : all_syscalls()) {
    if (s.nr < 160) continue;
    ++upper;
    if (syscall_doc(s.nr) != nullptr) ++upper_described;
  }
  EXPECT_EQ(upper, 223) << "202 of the build machine's header, 21 of kernel_numbers.txt";
  EXPECT_TRUE(upper_described == 0 || upper_described == upper)
      << upper_described << " of " << upper << " syscalls >= 160 are described";
}

TEST(SyscallDocs, LookupsAndMeanings) {
  EXPECT_EQ(syscall_doc(-1), nullptr);
  EXPECT_EQ(syscall_doc(100000), nullptr);
  ASSERT_NE(syscall_doc(SYS_read), nullptr);
  EXPECT_STREQ(syscall_doc(SYS_read)->name, "read");
  EXPECT_NE(errno_meaning(SYS_read, EAGAIN).find("non-blocking"), std::string_view::npos);
  EXPECT_NE(errno_meaning(SYS_open, ENOENT).find("does not exist"), std::string_view::npos);
  EXPECT_TRUE(errno_meaning(SYS_read, ENOEXEC).empty());  // not a read error: generic text
  EXPECT_TRUE(errno_meaning(-1, ENOENT).empty());
  // flock's EWOULDBLOCK is EAGAIN on Linux: found by value.
  EXPECT_FALSE(errno_meaning(SYS_flock, EWOULDBLOCK).empty());
}

TEST(SyscallDocs, AboutPhraseReadsAfterAName) {
  SyscallDoc d{};
  d.about = "Opens a file.";
  EXPECT_EQ(about_phrase(d), "opens a file");
  d.about = "IPC things happen...";
  EXPECT_EQ(about_phrase(d), "IPC things happen...");
}

TEST(SyscallDocs, ExplainTextHasSignatureArgumentsReturnsAndErrors) {
  std::string t = explain_text(*syscall_by_name("read"));
  EXPECT_NE(t.find("read(unsigned int fd, char *buf, size_t count)"), std::string::npos) << t;
  EXPECT_NE(t.find(syscall_doc(SYS_read)->about), std::string::npos) << t;
  EXPECT_NE(t.find("\nArguments:\n  fd     the open file"), std::string::npos) << t;
  EXPECT_NE(t.find("\n  count  the largest number of bytes to read\n"), std::string::npos) << t;
  EXPECT_NE(t.find("Returns: how many bytes were read"), std::string::npos) << t;
  EXPECT_NE(t.find("  EAGAIN  fd is non-blocking"), std::string::npos) << t;
  // A call that takes nothing has no Arguments section.
  std::string g = explain_text(*syscall_by_name("getpid"));
  EXPECT_NE(g.find("getpid()"), std::string::npos) << g;
  EXPECT_EQ(g.find("Arguments:"), std::string::npos) << g;
}

// --- sinks ---

SyscallEvent open_event(int64_t ret) {
  SyscallEvent ev;
  ev.task = {100, 101, {}};
  ev.nr = SYS_open;
  ev.args = {0x1000, 0, 0, 0, 0, 0};
  ev.captures.add(0x1000, "/etc/hosts", 11);
  ev.enter_ns = 1'000'000;
  ev.exit_ns = 1'250'000;
  ev.ret = ret;
  return ev;
}

// Feeds: open ok, open ENOENT, open ENOENT, open EACCES, read EISDIR-less failure (ENOEXEC:
// no call-specific meaning, so the generic message).
template <typename S>
void feed(S& sink) {
  sink.begin(0);
  Decoder dec({64, false});
  DecodedCall call;
  for (int64_t ret : {3, -ENOENT, -ENOENT, -EACCES}) {
    auto ev = open_event(ret);
    dec.decode(ev, call);
    sink.syscall(call);
  }
  auto ev = open_event(-ENOEXEC);
  ev.nr = SYS_read;
  ev.args = {3, 0x2000, 10, 0, 0, 0};
  dec.decode(ev, call);
  sink.syscall(call);
  sink.finish();
}

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(ExplainSinks, TextCommentsOncePerSyscallAndPerErrno) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    TextOptions opt;
    opt.explain = true;
    TextSink sink(w, opt);
    feed(sink);
  }
  std::string t = cap.text();
  std::string about = "# open: " + about_phrase(*syscall_doc(SYS_open)) + "\n";
  EXPECT_EQ(count(t, about), 1u) << t;
  EXPECT_EQ(t.find(about), t.find("SYSCALL(args)") + std::strlen("SYSCALL(args) \t\t = return\n"))
      << "the description comes right before the first open line:\n"
      << t;
  std::string enoent =
      "# open: ENOENT means " + std::string(errno_meaning(SYS_open, ENOENT)) + "\n";
  EXPECT_EQ(count(t, enoent), 1u) << t;
  // Right after the first failing line.
  EXPECT_NE(t.find("= -1 ENOENT (No such file or directory)\n" + enoent), std::string::npos) << t;
  EXPECT_EQ(count(t, "# open: EACCES means " + std::string(errno_meaning(SYS_open, EACCES))), 1u)
      << t;
  EXPECT_EQ(count(t, "# read: ENOEXEC means exec format error\n"), 1u) << t;
  EXPECT_EQ(count(t, "# read: reads up to count bytes"), 1u) << t;
}

TEST(ExplainSinks, TextWithoutExplainHasNoComments) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    TextSink sink(w, TextOptions{});
    feed(sink);
  }
  EXPECT_EQ(cap.text().find("# "), std::string::npos) << cap.text();
}

TEST(ExplainSinks, JsonExplainObjects) {
  Capture cap;
  {
    Writer w(cap.fd(), false);
    JsonSink sink(w, true);
    feed(sink);
  }
  std::string t = cap.text();
  std::string about = "{\"type\":\"explain\",\"ts_ns\":1000000,\"syscall\":\"open\",\"text\":\"" +
                      about_phrase(*syscall_doc(SYS_open)) + "\"}\n{\"type\":\"syscall\"";
  EXPECT_EQ(count(t, about), 1u) << t;
  EXPECT_EQ(t.find("{\"type\":\"explain\""), 0u) << t;
  EXPECT_EQ(count(t, "\"syscall\":\"open\",\"errno\":\"ENOENT\",\"text\":"), 1u) << t;
  EXPECT_EQ(count(t, "\"syscall\":\"open\",\"errno\":\"EACCES\",\"text\":"), 1u) << t;
  EXPECT_EQ(count(t, "\"errno\":\"ENOEXEC\",\"text\":\"exec format error\"}"), 1u) << t;
  EXPECT_EQ(count(t, "\"type\":\"explain\""), 5u) << t;
}

TEST(ExplainSinks, SummaryShowsDescriptions) {
  Capture text_cap, json_cap;
  {
    Writer w(text_cap.fd(), false);
    SummaryOptions so;
    so.explain = true;
    SummarySink sink(w, so);
    feed(sink);
    Writer j(json_cap.fd(), false);
    so.json = true;
    SummarySink jsink(j, so);
    feed(jsink);
  }
  std::string t = text_cap.text();
  EXPECT_NE(t.find("  " + about_phrase(*syscall_doc(SYS_open)) + "\n"), std::string::npos) << t;
  EXPECT_NE(t.find("  " + about_phrase(*syscall_doc(SYS_read)) + "\n"), std::string::npos) << t;
  EXPECT_NE(json_cap.text().find("{\"syscall\":\"open\",\"about\":\"" +
                                 about_phrase(*syscall_doc(SYS_open)) + "\",\"count\":4"),
            std::string::npos)
      << json_cap.text();
}

}  // namespace
}  // namespace dtruss::unit
