// io_uring operations as lines of their own (the eBPF backend): tests/fixtures/uring_ops.c submits
// operations through a ring (liburing) and prints how many; each must be shown once, as the
// syscall it stands for (or by its own name), with its result. ptrace says it cannot see them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// "submitted N" from the fixture's output.
int submitted(const Result& r) {
  size_t at = r.out.find("submitted ");
  if (at == std::string::npos) return -1;
  return std::stoi(r.out.substr(at + 10));
}

struct Traced {
  Result r;
  std::vector<json> ops;  // the "uring" events
  std::vector<json> all;
};

Traced trace_mode(const std::string& mode, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"--backend=bpf", "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), {"--", fixture("uring_ops"), mode, temp_dir()});
  Traced t;
  t.r = run_traced(args);
  EXPECT_EQ(t.r.status, 0) << t.r.err;
  t.all = json_lines(t.r.trace);
  t.ops = of_type(t.all, "uring");
  return t;
}

std::vector<std::string> names(const std::vector<json>& ops) {
  std::vector<std::string> out;
  for (const json& e : ops) out.push_back(e["syscall"].get<std::string>());
  return out;
}

TEST(BpfUring, FileOperationsAreLinesOfTheirOwn) {
  Traced t = trace_mode("files");
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  ASSERT_EQ(names(t.ops), (std::vector<std::string>{"openat", "write", "read", "close", "nop"}));
  const json& open = t.ops[0];
  EXPECT_EQ(open["args"]["dfd"], "AT_FDCWD");
  EXPECT_TRUE(text_arg(open, "filename").ends_with("/uring.txt")) << open;
  EXPECT_EQ(open["args"]["flags"], "O_RDWR|O_CREAT|O_TRUNC|O_LARGEFILE");
  EXPECT_EQ(open["args"]["mode"], 0644);
  const json fd = open["ret"];
  ASSERT_GE(fd.get<int>(), 3) << open;
  EXPECT_EQ(open["nr"], 257);
  EXPECT_EQ(t.ops[1]["args"]["fd"], fd);
  EXPECT_EQ(t.ops[1]["args"]["buf"], "hello from uring\n");
  EXPECT_EQ(t.ops[1]["ret"], 17);
  EXPECT_EQ(t.ops[2]["args"]["buf"], "hello from uring\n") << "the data read, at completion";
  EXPECT_EQ(t.ops[2]["args"]["count"], 64);
  EXPECT_EQ(t.ops[2]["ret"], 17);
  EXPECT_EQ(t.ops[3]["args"]["fd"], fd);
  EXPECT_EQ(t.ops[4]["args"], json::object());
  EXPECT_EQ(t.ops[4]["ret"], 0);
  for (const json& e : t.ops) {
    EXPECT_EQ(e["comm"], "uring_ops");
    EXPECT_EQ(e["pid"], e["tid"]);
    EXPECT_GE(e["dur_ns"].get<long>(), 0);
  }
  // The syscalls are there as before, io_uring_enter submitting them.
  EXPECT_FALSE(syscalls(t.all, "io_uring_enter").empty());
}

TEST(BpfUring, TextLinesAreMarked) {
  std::string dir = temp_dir();
  auto r = run_traced({"--backend=bpf", "--", fixture("uring_ops"), "files", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(contains(r.trace, "[uring] openat(AT_FDCWD, \"" + dir +
                                    "/uring.txt\", O_RDWR|O_CREAT|O_TRUNC|O_LARGEFILE, 0644)"))
      << r.trace;
  EXPECT_TRUE(contains(r.trace, "[uring] read(")) << r.trace;
  EXPECT_TRUE(contains(r.trace, "\"hello from uring\\n\", 64)\t\t = 17")) << r.trace;
  EXPECT_TRUE(contains(r.trace, "[uring] nop()\t\t = 0")) << r.trace;
}

TEST(BpfUring, TcpEchoOverLoopback) {
  Traced t = trace_mode("echo");
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  std::vector<json> accepts;
  for (const json& e : t.ops)
    if (e["syscall"] == "accept") accepts.push_back(e);
  ASSERT_EQ(accepts.size(), 1u) << dump(t.ops);
  const json conn = accepts[0]["ret"];
  EXPECT_GE(conn.get<int>(), 3);
  json connect;
  for (const json& e : t.ops)
    if (e["syscall"] == "connect") connect = e;
  EXPECT_EQ(connect["args"]["uservaddr"]["sin_addr"], "127.0.0.1") << connect;
  EXPECT_EQ(connect["ret"], 0);
  auto sends = calls_where(t.ops, "send", "len", 4);
  ASSERT_EQ(sends.size(), 2u) << dump(t.ops);
  for (const json& s : sends) EXPECT_EQ(s["args"]["buff"], "ping") << s;
  auto recvs = calls_where(t.ops, "recv", "size", 64);
  ASSERT_EQ(recvs.size(), 2u) << dump(t.ops);
  for (const json& r : recvs) {
    EXPECT_EQ(r["args"]["ubuf"], "ping") << r;
    EXPECT_EQ(r["ret"], 4);
  }
  EXPECT_EQ(calls_where(t.ops, "close", "fd", conn).size(), 1u);
}

TEST(BpfUring, LinkedChainAndItsCancelledLink) {
  Traced t = trace_mode("chain");
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  ASSERT_EQ(names(t.ops), (std::vector<std::string>{"write", "fsync", "read", "read", "nop"}));
  EXPECT_EQ(t.ops[0]["ret"], 7);
  EXPECT_EQ(t.ops[1]["ret"], 0);
  EXPECT_EQ(t.ops[2]["args"]["buf"], "linked\n");
  EXPECT_EQ(t.ops[3]["args"]["fd"], -1);
  EXPECT_EQ(t.ops[3]["errno"], "EBADF");
  EXPECT_EQ(t.ops[4]["errno"], "ECANCELED") << "the link after a failed operation";
}

// SQPOLL: the ring's kernel thread submits, with no io_uring_enter for it: the operations are
// still the process's (its main thread's).
TEST(BpfUring, SqpollRingsOperationsAreTheOwners) {
  Traced t = trace_mode("sqpoll");
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  ASSERT_EQ(names(t.ops), (std::vector<std::string>{"write", "read", "nop"}));
  EXPECT_EQ(t.ops[1]["args"]["buf"], "polled\n");
  auto exits = of_type(t.all, "exit");
  ASSERT_FALSE(exits.empty());
  for (const json& e : t.ops) {
    EXPECT_EQ(e["pid"], exits.back()["pid"]) << e;
    EXPECT_EQ(e["tid"], e["pid"]) << e;
    EXPECT_EQ(e["comm"], "uring_ops") << e;
  }
}

// Fixed files and buffers: the fd is an index into the ring's files, shown as fixed:N.
TEST(BpfUring, FixedFilesAndBuffers) {
  Traced t = trace_mode("fixed");
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  ASSERT_EQ(names(t.ops), (std::vector<std::string>{"write", "read_fixed", "openat", "read"}));
  EXPECT_EQ(t.ops[0]["args"]["fd"], "fixed:0") << t.ops[0];
  EXPECT_EQ(t.ops[0]["args"]["buf"], "fixed file\n");
  EXPECT_EQ(t.ops[1]["args"]["fd"], "fixed:0") << t.ops[1];
  EXPECT_EQ(t.ops[1]["args"]["buf"], "fixed file\n") << "read into the registered buffer";
  EXPECT_EQ(t.ops[1]["ret"], 11);
  // openat into the ring's file 1: a direct descriptor, no fd (-y names nothing).
  EXPECT_EQ(t.ops[2]["ret"], 0);
  EXPECT_EQ(t.ops[3]["args"]["fd"], "fixed:1") << t.ops[3];
  EXPECT_EQ(t.ops[3]["ret"], 11);
  std::string dir = temp_dir();
  auto y =
      run_traced({"--backend=bpf", "-y", "-t", "%uring", "--", fixture("uring_ops"), "fixed", dir});
  ASSERT_EQ(y.status, 0) << y.err;
  EXPECT_TRUE(contains(y.trace, "O_RDONLY|O_LARGEFILE, 0)\t\t = 0\n")) << y.trace;
  EXPECT_TRUE(contains(y.trace, "[uring] write(fixed:0, ")) << y.trace;
}

TEST(BpfUring, FailedOperationsAndOnesOfTheirOwn) {
  Traced t = trace_mode("fail");
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  ASSERT_EQ(names(t.ops), (std::vector<std::string>{"openat", "read", "timeout", "poll_add",
                                                    "provide_buffers", "nop"}));
  EXPECT_EQ(t.ops[5]["errno"], "EINVAL") << "refused before it was prepared";
  EXPECT_EQ(t.ops[5]["args"], json::object());
  EXPECT_EQ(t.ops[0]["errno"], "ENOENT");
  EXPECT_TRUE(text_arg(t.ops[0], "filename").ends_with("/missing"));
  EXPECT_EQ(t.ops[1]["errno"], "EBADF");
  EXPECT_EQ(t.ops[2]["errno"], "ETIME");
  EXPECT_EQ(t.ops[2]["nr"], -1);
  EXPECT_GE(t.ops[2]["dur_ns"].get<long>(), 1000000) << "a 1 ms timeout, submission to end";
  EXPECT_TRUE(contains(t.ops[3]["args"]["events"].get<std::string>(), "EPOLLIN")) << t.ops[3];
  EXPECT_EQ(t.ops[3]["ret"], 1);
  EXPECT_EQ(t.ops[4]["args"]["len"], 32);
  EXPECT_EQ(t.ops[4]["args"]["nbufs"], 4);
  EXPECT_EQ(t.ops[4]["args"]["bgid"], 7);
  EXPECT_EQ(t.ops[4]["ret"], 0);
}

// -t uring:NAME selects those operations alone; %uring all of them; -t read the syscall alone.
TEST(BpfUring, SelectedByName) {
  Traced t = trace_mode("files", {"-t", "uring:read,uring:openat"});
  EXPECT_EQ(names(t.ops), (std::vector<std::string>{"openat", "read"})) << dump(t.all);
  EXPECT_TRUE(syscalls(t.all).empty()) << dump(t.all);
  Traced all = trace_mode("files", {"-t", "%uring"});
  EXPECT_EQ(static_cast<int>(all.ops.size()), submitted(all.r));
  EXPECT_TRUE(syscalls(all.all).empty()) << dump(all.all);
  Traced sys = trace_mode("files", {"-t", "write"});
  EXPECT_TRUE(sys.ops.empty()) << dump(sys.all);
  EXPECT_EQ(syscalls(sys.all, "write").size(), 1u) << "the fixture's own write(1, ...)";
  auto bad = run_dtruss({"--backend=bpf", "-t", "uring:nosuch", "true"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_TRUE(contains(bad.err, "no io_uring operation matches 'uring:nosuch'")) << bad.err;
}

// -y names their fds, -e times them from submission to completion, -Z keeps the failed ones.
TEST(BpfUring, FdNamesElapsedAndStatus) {
  std::string dir = temp_dir();
  auto r = run_traced(
      {"--backend=bpf", "-y", "-e", "-t", "%uring", "--", fixture("uring_ops"), "files", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string path = dir + "/uring.txt";
  EXPECT_TRUE(contains(r.trace, "<" + path + ">, \"hello from uring\\n\", 17)")) << r.trace;
  EXPECT_TRUE(contains(r.trace, "[uring] close(")) << r.trace;
  EXPECT_TRUE(contains(r.trace, "<" + path + ">)\t\t = 0")) << "close's fd, named" << r.trace;
  EXPECT_TRUE(contains(r.trace, "ELAPSD")) << r.trace;
  Traced failed = trace_mode("fail", {"-Z"});
  EXPECT_EQ(names(failed.ops), (std::vector<std::string>{"openat", "read", "timeout", "nop"}))
      << dump(failed.all);
}

// A system call is never taken for an io_uring operation: with -y, a call's record is built
// where an fd's record was (the field that tells them apart must be cleared).
TEST(BpfUring, SyscallsAreNeverMarked) {
  auto r = run_traced({"--backend=bpf", "--json", "-f", "-y", "-v", fixture("getppid_burst"), "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  auto all = json_lines(r.trace);
  EXPECT_TRUE(of_type(all, "uring").empty()) << dump(all);
  EXPECT_FALSE(syscalls(all, "openat").empty());
}

// -s: the stack taken as io_uring_enter starts is io_uring_enter's, not an operation's that
// completes during it (and comes first).
TEST(BpfUring, StacksStayWithTheirCalls) {
  Traced t = trace_mode("files", {"-s", "-t", "io_uring_enter,%uring"});
  ASSERT_EQ(static_cast<int>(t.ops.size()), submitted(t.r)) << dump(t.all);
  auto enters = syscalls(t.all, "io_uring_enter");
  ASSERT_FALSE(enters.empty());
  for (const json& e : enters) EXPECT_TRUE(e.contains("stack")) << e;
  for (const json& op : t.ops) EXPECT_FALSE(op.contains("stack")) << op;
}

// -c and --summary: rows of their own, uring:NAME.
TEST(BpfUring, SummaryRows) {
  for (const char* mode : {"-c", "--summary"}) {
    std::string dir = temp_dir();
    auto r = run_traced({"--backend=bpf", mode, "--", fixture("uring_ops"), "fail", dir});
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* row :
         {"uring:openat", "uring:read", "uring:timeout", "uring:poll_add", "uring:provide_buffers"})
      EXPECT_TRUE(contains(r.trace, std::string("\n") + row + " ")) << mode << ": " << r.trace;
    EXPECT_TRUE(contains(r.trace, "ENOENT")) << r.trace;
    EXPECT_TRUE(contains(r.trace, "ETIME")) << r.trace;
  }
}

// The timeline: a slice named uring:NAME from submission to completion.
TEST(BpfUring, TimelineSlices) {
  std::string dir = temp_dir();
  std::string file = dir + "/t.json";
  auto r =
      run_traced({"--backend=bpf", "--timeline", file, "--", fixture("uring_ops"), "fail", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  json tl = json::parse(read_file(file));
  json events = tl.is_array() ? tl : tl["traceEvents"];
  int slices = 0;
  for (const json& e : events) {
    if (!e.contains("name") || e["name"] != "uring:timeout") continue;
    EXPECT_EQ(e["cat"], "uring");
    EXPECT_EQ(e["ph"], "X");
    EXPECT_GE(e["dur"].get<double>(), 1000.0) << e;  // µs: the 1 ms timeout
    ++slices;
  }
  EXPECT_EQ(slices, 1) << tl.dump();
}

// ptrace cannot see the operations: it says so once, at the first io_uring call.
TEST(PtraceUring, SaysOnceThatOperationsNeedTheBpfBackend) {
  std::string dir = temp_dir();
  auto r = run_traced({"--backend=ptrace", "--", fixture("uring_ops"), "files", dir});
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string note = "shown as [uring] lines by the eBPF backend only";
  size_t at = r.trace.find(note);
  ASSERT_NE(at, std::string::npos) << r.trace;
  EXPECT_EQ(r.trace.find(note, at + 1), std::string::npos) << "once: " << r.trace;
  EXPECT_FALSE(contains(r.trace, "[uring] openat(")) << r.trace;
  auto plain = run_traced({"--backend=ptrace", fixture("rw")});
  EXPECT_FALSE(contains(plain.trace, note)) << "no notice without io_uring";
}

// -t with io_uring operations alone shows nothing under ptrace: refused before anything starts.
TEST(PtraceUring, OperationsAloneAreRefused) {
  auto r = run_dtruss({"--backend=ptrace", "-t", "uring:read,uring:openat", "true"});
  EXPECT_EQ(r.status, 2);
  EXPECT_TRUE(contains(r.err,
                       "selects io_uring operations only, which the ptrace backend cannot "
                       "see: they need the eBPF backend (--backend=bpf)"))
      << r.err;
  auto mixed = run_dtruss({"--backend=ptrace", "-t", "uring:read,getppid", "true"});
  EXPECT_EQ(mixed.status, 0) << mixed.err;
}

}  // namespace
}  // namespace e2e
