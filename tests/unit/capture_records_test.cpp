// Capture records (src/capture/codec.h): every event read back as it was written, every field;
// a payload cut anywhere is refused, never read past; the flight recorder's ring keeps the
// newest records whole, across its wrap-around.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "capture/codec.h"
#include "capture/recorder.h"

namespace dtruss::capture {
namespace {

SyscallEvent full_event() {
  SyscallEvent ev;
  ev.task = {1234, 1236, {}};
  std::memcpy(ev.task.comm.data(), "wor\x01ker", 7);
  ev.enter_ns = 987654321012345;
  ev.exit_ns = ev.enter_ns + 4321;
  ev.cpu_ns = 1200;
  ev.nr = 257;
  ev.args = {~0ull, 0x7ffd12345678, 0, 1ull << 63, 42, ~0ull - 5};
  ev.ret = -2;
  ev.end = SyscallEvent::End::Unfinished;
  ev.captures.add(0x7ffd12345678, "/etc/hosts\0", 11);
  ev.captures.add(0x1000, "\xff\x00\x01", 3);
  ev.before.add(0x2000, "in", 2);
  ev.fd_notes[0] = "/dev/pts/1";
  ev.fd_notes[6] = "TCP:[1.2.3.4:5->6.7.8.9:10]";
  ev.stack = {{0x401000, "/usr/bin/x", "main", 16, "x.c", 12}, {0x7f00, "[anon]", "", 3, "", 0}};
  ev.stack_dwarf = false;
  InjectAction a;
  a.error = 13;
  a.retval = -7;
  a.signal = 10;
  a.delay_enter_us = 5;
  a.delay_exit_us = 6;
  ev.injected = a;
  return ev;
}

std::string bytes_of(const CaptureStore& c) {
  std::string out;
  c.each([&](uint64_t addr, const uint8_t* b, size_t len) {
    out += std::to_string(addr) + ":" + std::string(reinterpret_cast<const char*>(b), len) + ";";
  });
  return out;
}

Frame only_frame(const std::string& buf, Record type) {
  Frame f = next_frame(buf);
  EXPECT_EQ(f.state, Framing::Complete);
  EXPECT_EQ(f.type, type);
  EXPECT_EQ(f.size, buf.size());
  return f;
}

TEST(CaptureRecords, SyscallReadBackWhole) {
  SyscallEvent ev = full_event();
  std::string buf;
  SyscallContext wcx;
  put_syscall(buf, ev, wcx);
  Frame f = only_frame(buf, Record::Syscall);
  SyscallEvent back;
  back.captures.add(1, "stale", 5);  // (reused events are cleared by the reading)
  SyscallContext rcx;
  ASSERT_TRUE(get_syscall(f.payload, &back, rcx));
  EXPECT_EQ(back.task.pid, 1234);
  EXPECT_EQ(back.task.tid, 1236);
  EXPECT_STREQ(back.task.comm.data(), "wor\x01ker");
  EXPECT_EQ(back.enter_ns, ev.enter_ns);
  EXPECT_EQ(back.exit_ns, ev.exit_ns);
  EXPECT_EQ(back.cpu_ns, 1200u);
  EXPECT_EQ(back.nr, 257);
  EXPECT_EQ(back.args, ev.args);
  EXPECT_EQ(back.ret, -2);
  EXPECT_EQ(back.end, SyscallEvent::End::Unfinished);
  EXPECT_EQ(bytes_of(back.captures), bytes_of(ev.captures));
  EXPECT_EQ(bytes_of(back.before), bytes_of(ev.before));
  EXPECT_EQ(back.fd_notes, ev.fd_notes);
  ASSERT_EQ(back.stack.size(), 2u);
  EXPECT_EQ(back.stack[0].pc, 0x401000u);
  EXPECT_EQ(back.stack[0].module, "/usr/bin/x");
  EXPECT_EQ(back.stack[0].symbol, "main");
  EXPECT_EQ(back.stack[0].offset, 16u);
  EXPECT_EQ(back.stack[0].file, "x.c");
  EXPECT_EQ(back.stack[0].line, 12);
  EXPECT_EQ(back.stack[1].module, "[anon]");
  EXPECT_FALSE(back.stack_dwarf);
  ASSERT_TRUE(back.injected.has_value());
  EXPECT_EQ(back.injected->error, 13);
  EXPECT_EQ(back.injected->retval, -7);
  EXPECT_EQ(back.injected->signal, 10);
  EXPECT_EQ(back.injected->delay_enter_us, 5u);
  EXPECT_EQ(back.injected->delay_exit_us, 6u);
}

TEST(CaptureRecords, UnknownTimesStayUnknown) {
  SyscallEvent ev;
  ev.enter_ns = 5;
  ev.exit_ns = 0;  // never returned
  std::string buf;
  SyscallContext wcx;
  put_syscall(buf, ev, wcx);
  SyscallEvent back = full_event();
  SyscallContext rcx;
  ASSERT_TRUE(get_syscall(only_frame(buf, Record::Syscall).payload, &back, rcx));
  EXPECT_EQ(back.exit_ns, 0u);
  EXPECT_EQ(back.cpu_ns, kUnknown);
  EXPECT_TRUE(back.stack.empty());
  EXPECT_FALSE(back.injected.has_value());
  EXPECT_EQ(back.fd_notes[6], "");
  EXPECT_TRUE(back.captures.empty());
}

TEST(CaptureRecords, OtherEventsReadBack) {
  std::string buf;
  SignalEvent s;
  s.task = {7, 8, {}};
  s.ts_ns = 99;
  s.signo = 17;
  s.has_info = true;
  s.code = -6;
  s.sender_pid = 3;
  s.sender_uid = 1000;
  s.status = 256;
  s.addr = 0xdead;
  s.timer_id = 4;
  s.overrun = 2;
  s.value = 0xbeef;
  put_signal(buf, s);
  SignalEvent sb;
  ASSERT_TRUE(get_signal(only_frame(buf, Record::Signal).payload, &sb));
  EXPECT_EQ(sb.signo, 17);
  EXPECT_EQ(sb.code, -6);
  EXPECT_EQ(sb.sender_uid, 1000u);
  EXPECT_EQ(sb.addr, 0xdeadu);
  EXPECT_EQ(sb.value, 0xbeefu);
  EXPECT_EQ(sb.overrun, 2);

  buf.clear();
  SyscallAggregate a;
  a.nr = 39;
  a.pid = 5;
  a.comm = "x";
  a.calls = 10;
  a.total_ns = 1000;
  a.max_ns = 300;
  a.errnos = {{2, 3}, {13, 1}};
  a.log2_ns[5] = 7;
  a.log2_ns[63] = 1;
  put_aggregate(buf, a);
  SyscallAggregate ab;
  ASSERT_TRUE(get_aggregate(only_frame(buf, Record::Aggregate).payload, &ab));
  EXPECT_EQ(ab.nr, 39);
  EXPECT_EQ(ab.errnos, a.errnos);
  EXPECT_EQ(ab.log2_ns, a.log2_ns);

  buf.clear();
  CaptureInfo i;
  i.backend = "bpf";
  i.command = {"ls", "-l"};
  i.pids = {1, 2};
  i.stacks = i.flight = i.wait_for_name = i.labels = true;
  i.strsize = 200;
  i.table_hash = ~0ull;
  put_info(buf, i);
  CaptureInfo ib;
  ASSERT_TRUE(get_info(only_frame(buf, Record::Info).payload, &ib));
  EXPECT_EQ(ib.command, i.command);
  EXPECT_EQ(ib.pids, i.pids);
  EXPECT_TRUE(ib.stacks && ib.flight && ib.wait_for_name && ib.labels);
  EXPECT_FALSE(ib.verbose || ib.fd_notes || ib.all || ib.containers);
  EXPECT_EQ(ib.strsize, 200u);
  EXPECT_EQ(ib.table_hash, ~0ull);
}

// A payload cut at any length, or with a byte more, is refused (a corrupt file), not read past.
TEST(CaptureRecords, CutPayloadsAreRefused) {
  std::string buf;
  SyscallContext wcx;
  put_syscall(buf, full_event(), wcx);
  std::string payload(only_frame(buf, Record::Syscall).payload);
  for (size_t n = 0; n < payload.size(); ++n) {
    SyscallEvent ev;
    SyscallContext rcx;
    EXPECT_FALSE(get_syscall(std::string_view(payload).substr(0, n), &ev, rcx)) << n;
  }
  SyscallEvent ev;
  SyscallContext rcx;
  EXPECT_FALSE(get_syscall(payload + "x", &ev, rcx));
  // A frame cut short is partial; a type no version 5 writer makes is bad.
  EXPECT_EQ(next_frame(std::string_view(buf).substr(0, buf.size() - 1)).state, Framing::Partial);
  std::string bad = buf;
  bad[0] = 99;
  EXPECT_EQ(next_frame(bad).state, Framing::Bad);
}

// Version 5: a record's length is a LEB128 number, one byte below 128, more above; a frame cut
// inside its length is partial, a length longer than five bytes is bad; a call with nothing but
// its numbers (getppid's) takes 13 bytes.
TEST(CaptureRecords, FrameLengthsAreShortAndReadBack) {
  for (size_t n : {0, 1, 127, 128, 200, 16383, 16384, 70000}) {
    std::string buf;
    put_notice(buf, {42, std::string(n, 'x')});
    Frame f = next_frame(buf);
    ASSERT_EQ(f.state, Framing::Complete) << n;
    EXPECT_EQ(f.size, buf.size()) << n;
    NoticeEvent back;
    ASSERT_TRUE(get_notice(f.payload, &back)) << n;
    EXPECT_EQ(back.text.size(), n);
    size_t len_bytes = f.size - f.payload.size() - 1;
    EXPECT_EQ(len_bytes, f.payload.size() < 128 ? 1u : f.payload.size() < 16384 ? 2u : 3u) << n;
    for (size_t cut = 0; cut < 1 + len_bytes; ++cut)
      EXPECT_EQ(next_frame(std::string_view(buf).substr(0, cut)).state, Framing::Partial) << cut;
  }
  std::string six = {
      static_cast<char>(Record::Notice), '\x80', '\x80', '\x80', '\x80', '\x80', '\x01'};
  EXPECT_EQ(next_frame(six).state, Framing::Bad);
  std::string buf;
  SyscallContext cx;
  SyscallEvent ev;
  ev.task.pid = ev.task.tid = 100;
  ev.nr = 110;
  ev.enter_ns = 1'000'000;
  ev.exit_ns = 1'000'300;
  ev.ret = 99;
  put_syscall(buf, ev, cx);
  size_t first = buf.size();
  ev.enter_ns += 450;
  ev.exit_ns += 450;
  put_syscall(buf, ev, cx);
  EXPECT_LE(buf.size() - first, 13u) << "a repeated getppid";
  SyscallContext r;
  SyscallEvent back;
  ASSERT_TRUE(get_syscall(next_frame(buf).payload, &back, r));
  ASSERT_TRUE(get_syscall(next_frame(std::string_view(buf).substr(first)).payload, &back, r));
  EXPECT_EQ(back.enter_ns, ev.enter_ns);
  EXPECT_EQ(back.ret, 99);
  EXPECT_EQ(back.uring_op, -1);
  EXPECT_TRUE(back.captures.empty());
  EXPECT_TRUE(back.stack.empty());
}

// A Label record (version 4: the container and the cgroup path) reads back as written, and is a
// type next_frame() accepts.
TEST(CaptureRecords, LabelRoundTrips) {
  std::string buf;
  put_label(buf, 4242, {"unit:nginx.service", "/system.slice/nginx.service"});
  Frame f = next_frame(buf);
  ASSERT_EQ(f.state, Framing::Complete);
  EXPECT_EQ(f.type, Record::Label);
  int32_t pid = 0;
  ProcessLabel label;
  ASSERT_TRUE(get_label(f.payload, &pid, &label));
  EXPECT_EQ(pid, 4242);
  EXPECT_EQ(label.container, "unit:nginx.service");
  EXPECT_EQ(label.cgroup, "/system.slice/nginx.service");
  for (size_t n = 0; n < f.payload.size(); ++n)
    EXPECT_FALSE(get_label(f.payload.substr(0, n), &pid, &label)) << n;
}

// The ring keeps the newest records whole (the oldest go first), across its wrap-around.
TEST(CaptureRecords, RingKeepsTheNewestWhole) {
  Ring ring(1000);
  std::string all;
  for (int i = 0; i < 500; ++i) {
    std::string rec;
    put_process(rec, i);
    ring.add(rec);
  }
  EXPECT_LE(ring.used(), 1000u);
  EXPECT_EQ(ring.records() + ring.dropped(), 500u);
  auto [a, b] = ring.contents();
  std::string held = std::string(a) + std::string(b);
  EXPECT_EQ(held.size(), ring.used());
  std::vector<int32_t> pids;
  for (std::string_view rest = held; !rest.empty();) {
    Frame f = next_frame(rest);
    ASSERT_EQ(f.state, Framing::Complete);
    int32_t pid = -1;
    ASSERT_TRUE(get_process(f.payload, &pid));
    pids.push_back(pid);
    rest.remove_prefix(f.size);
  }
  ASSERT_EQ(pids.size(), ring.records());
  EXPECT_EQ(pids.back(), 499);
  for (size_t k = 1; k < pids.size(); ++k) EXPECT_EQ(pids[k], pids[k - 1] + 1);
  EXPECT_GT(pids.size(), 1000u / 8);  // (a record of a pid is 6 to 8 bytes)
  std::string huge(2000, 'x');
  ring.add(huge);  // larger than the ring: let go, the rest kept
  EXPECT_EQ(ring.records(), pids.size());
}

}  // namespace
}  // namespace dtruss::capture
