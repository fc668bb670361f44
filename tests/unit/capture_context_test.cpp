// Capture format 2 (src/capture/codec.h): a Syscall record refers back to the records before it
// (the task, the entry time, the arguments, the fd notes; from version 5 the last arguments and
// stores of its syscall) up to the last Sync. A sequence of
// records reads back as written, each record only as long as what changed; a record that refers
// back to nothing is refused; the flight recorder's ring lets the oldest unit go whole.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "capture/codec.h"
#include "capture/recorder.h"

namespace dtruss::capture {
namespace {

SyscallEvent call(int32_t pid, long nr, uint64_t enter_ns, std::array<uint64_t, 6> args,
                  int64_t ret = 0) {
  SyscallEvent ev;
  ev.task.pid = pid;
  ev.task.tid = pid;
  std::memcpy(ev.task.comm.data(), "worker", 6);
  ev.enter_ns = enter_ns;
  ev.exit_ns = enter_ns + 700;
  ev.nr = nr;
  ev.args = args;
  ev.ret = ret;
  return ev;
}

// A store's regions (address, bytes), in order.
std::vector<std::pair<uint64_t, std::string>> regions(const CaptureStore& c) {
  std::vector<std::pair<uint64_t, std::string>> out;
  c.each([&](uint64_t addr, const uint8_t* bytes, size_t len) {
    out.emplace_back(addr, std::string(reinterpret_cast<const char*>(bytes), len));
  });
  return out;
}

// Writes the events (a Sync where an event's nr is -2), then reads them back with a reader's
// context (stores included); the payload sizes of the Syscall records are returned.
std::vector<size_t> round_trip(const std::vector<SyscallEvent>& events) {
  std::string buf;
  SyscallContext w;
  for (const SyscallEvent& ev : events) {
    if (ev.nr == -2) {
      put_sync(buf);
      w.reset();
    } else {
      put_syscall(buf, ev, w);
    }
  }
  std::vector<size_t> sizes;
  SyscallContext r;
  size_t k = 0;
  for (std::string_view rest = buf; !rest.empty(); ++k) {
    Frame f = next_frame(rest);
    EXPECT_EQ(f.state, Framing::Complete);
    if (f.state != Framing::Complete) break;
    rest.remove_prefix(f.size);
    if (f.type == Record::Sync) {
      EXPECT_TRUE(f.payload.empty());
      r.reset();
      continue;
    }
    SyscallEvent back;
    EXPECT_TRUE(get_syscall(f.payload, &back, r)) << k;
    const SyscallEvent& ev = events[k];
    EXPECT_EQ(back.task.pid, ev.task.pid) << k;
    EXPECT_EQ(back.task.tid, ev.task.tid) << k;
    EXPECT_EQ(back.task.comm, ev.task.comm) << k;
    EXPECT_EQ(back.enter_ns, ev.enter_ns) << k;
    EXPECT_EQ(back.exit_ns, ev.exit_ns) << k;
    EXPECT_EQ(back.nr, ev.nr) << k;
    EXPECT_EQ(back.args, ev.args) << k;
    EXPECT_EQ(back.ret, ev.ret) << k;
    EXPECT_EQ(back.fd_notes, ev.fd_notes) << k;
    EXPECT_EQ(regions(back.captures), regions(ev.captures)) << k;
    EXPECT_EQ(regions(back.before), regions(ev.before)) << k;
    sizes.push_back(f.payload.size());
  }
  EXPECT_EQ(k, events.size());
  return sizes;
}

TEST(CaptureContext, RepeatedCallsAreShortAndReadBack) {
  const std::array<uint64_t, 6> regs = {0x7ffd12345678, 0x55aa55aa55aa, 7, 0, ~0ull, 1ull << 62};
  std::vector<SyscallEvent> ev;
  for (int i = 0; i < 4; ++i) ev.push_back(call(100, 110, 1'000'000'000'000 + i * 900, regs, 99));
  ev.push_back(call(101, 110, 1'000'000'003'000, regs, 99));  // another process: its task again
  ev.push_back(call(101, 110, 999'999'999'000, regs, 99));    // (out of order: another CPU's)
  std::vector<size_t> sizes = round_trip(ev);
  ASSERT_EQ(sizes.size(), ev.size());
  // The first says everything; the next ones only what changed: the time, the return value.
  EXPECT_GT(sizes[0], 50u);
  for (size_t k : {1, 2, 3}) EXPECT_LE(sizes[k], 16u) << k;
  EXPECT_GT(sizes[4], sizes[3] + 8) << "a new task is written whole";
  EXPECT_LE(sizes[5], 20u);
}

TEST(CaptureContext, FdNotesOnlyWhenTheyChange) {
  std::vector<SyscallEvent> ev;
  SyscallEvent open = call(100, 257, 1000, {static_cast<uint64_t>(-100), 0x1000, 0, 0, 0, 0}, 3);
  open.fd_notes[6] = "/etc/hosts";
  ev.push_back(open);
  SyscallEvent read = call(100, 0, 2000, {3, 0x2000, 64, 0, 0, 0}, 10);
  read.fd_notes[0] = "/etc/hosts";
  ev.push_back(read);  // the note of fd 3 (the returned fd before): not written again
  ev.push_back(read);
  SyscallEvent other = read;  // fd 3 of another process: its own note
  other.task.pid = other.task.tid = 200;
  other.fd_notes[0] = "socket:[12345]";
  ev.push_back(other);
  ev.push_back(read);            // process 100's fd 3 is still /etc/hosts
  SyscallEvent reopened = read;  // fd 3 now another file
  reopened.fd_notes[0] = "/etc/passwd";
  ev.push_back(reopened);
  ev.push_back(reopened);
  SyscallEvent sync;
  sync.nr = -2;
  ev.push_back(sync);
  ev.push_back(reopened);  // after a Sync: written whole again
  std::vector<size_t> sizes = round_trip(ev);
  ASSERT_EQ(sizes.size(), 8u);
  // (a note is its length, one byte here, and its bytes)
  // The read after the open: its fd's note is the one the open returned, not written again (the
  // same read without a note is two bytes shorter: no mask of notes, none of notes unchanged).
  std::vector<SyscallEvent> without = {open, read};
  without[1].fd_notes[0].clear();
  EXPECT_EQ(sizes[1], round_trip(without)[1] + 2);
  EXPECT_EQ(sizes[3] - sizes[4], 1 + std::strlen("socket:[12345]"))
      << "process 100's fd 3 is still /etc/hosts: only the task is written again";
  EXPECT_EQ(sizes[5] - sizes[6], 1 + std::strlen("/etc/passwd")) << "a changed note, once";
  EXPECT_EQ(sizes[6], sizes[2]);
  EXPECT_GE(sizes[7] - sizes[6], sizes[4] - sizes[2] + 1 + std::strlen("/etc/passwd"))
      << "after a Sync the task and the note are written whole";
}

// A record that refers back to what its reader does not hold (a file cut at a wrong place, or
// damaged) is refused, not read with another record's task or note.
TEST(CaptureContext, ReferringBackToNothingIsRefused) {
  std::string buf;
  SyscallContext w;
  SyscallEvent read = call(100, 0, 2000, {3, 0x2000, 64, 0, 0, 0}, 10);
  read.fd_notes[0] = "/etc/hosts";
  put_syscall(buf, read, w);
  size_t first = buf.size();
  put_syscall(buf, read, w);  // (same task, same note: refers back to both)
  Frame f = next_frame(std::string_view(buf).substr(first));
  ASSERT_EQ(f.state, Framing::Complete);
  SyscallContext fresh;
  SyscallEvent back;
  EXPECT_FALSE(get_syscall(f.payload, &back, fresh)) << "no task to refer back to";
  SyscallContext task_only;
  task_only.have_task = true;
  task_only.task = read.task;
  EXPECT_FALSE(get_syscall(f.payload, &back, task_only)) << "no note for fd 3";
  SyscallContext both;
  ASSERT_TRUE(get_syscall(next_frame(buf).payload, &back, both));
  EXPECT_TRUE(get_syscall(f.payload, &back, both));
  EXPECT_EQ(back.fd_notes[0], "/etc/hosts");
}

// Version 5: a loop's calls (open, read, fstat, close of one file) refer back to the last record
// of the same syscall for their arguments and their stores, and read back whole; a store that
// changed, or is too long to be kept, is written whole; a region at an argument's address and
// one elsewhere both read back at their addresses.
TEST(CaptureContext, RepeatedStoresAndArgumentsAreShortAndReadBack) {
  const uint64_t at_fdcwd = static_cast<uint64_t>(-100);
  std::string stat(144, '\0');
  for (size_t i = 0; i < stat.size(); i += 7) stat[i] = static_cast<char>(i);
  std::vector<SyscallEvent> loop;
  SyscallEvent open = call(100, 257, 0, {at_fdcwd, 0x7ffd0001000, 0x80000, 0, 0, 0}, 3);
  open.captures.add(0x7ffd0001000, "/etc/hostname", 14);
  SyscallEvent read = call(100, 0, 0, {3, 0x7ffd0002000, 256, 0, 0, 0}, 3);
  read.captures.add(0x7ffd0002000, "vm\n", 3);
  read.captures.add(0x7ffd0009000, "elsewhere", 9);  // (at no argument's address)
  SyscallEvent fstat = call(100, 262, 0, {3, 0x55aa0000100, 0x7ffd0003000, 0x1000, 0, 0});
  fstat.before.add(0x55aa0000100, "", 1);
  fstat.captures.add(0x7ffd0003000, stat.data(), stat.size());
  SyscallEvent close = call(100, 3, 0, {3, 0, 0, 0, 0, 0});
  std::vector<SyscallEvent> ev;
  for (int i = 0; i < 3; ++i)
    for (SyscallEvent* e : {&open, &read, &fstat, &close}) {
      ev.push_back(*e);
      ev.back().enter_ns = 1000 + ev.size() * 500;
      ev.back().exit_ns = ev.back().enter_ns + 300;
    }
  SyscallEvent changed = fstat;  // another file's stat: written whole, then referred back to
  std::string other = stat;
  other[8] = 'x';
  changed.captures.clear();
  changed.captures.add(0x7ffd0003000, other.data(), other.size());
  ev.push_back(changed);
  ev.push_back(changed);
  SyscallEvent big = read;  // longer than a store kept: written whole each time
  std::string bytes(kStoreBytes, 'b');
  big.captures.clear();
  big.captures.add(0x7ffd0002000, bytes.data(), bytes.size());
  ev.push_back(big);
  ev.push_back(big);
  SyscallEvent sync;
  sync.nr = -2;
  ev.push_back(sync);
  ev.push_back(fstat);  // after a Sync: written whole again
  std::vector<size_t> sizes = round_trip(ev);
  ASSERT_EQ(sizes.size(), 17u);
  EXPECT_GT(sizes[2], stat.size()) << "the first fstat holds its buffer";
  for (size_t k = 4; k < 12; ++k) EXPECT_LE(sizes[k], 16u) << "refers back: " << k;
  EXPECT_GT(sizes[12], stat.size()) << "a changed buffer is written whole";
  EXPECT_LE(sizes[13], 16u) << "and then referred back to";
  EXPECT_GT(sizes[14], kStoreBytes);
  EXPECT_GT(sizes[15], kStoreBytes) << "a store longer than kStoreBytes is not kept";
  EXPECT_GT(sizes[16], stat.size()) << "after a Sync the buffer is written whole";
  // The region at the argument's address takes one byte for it, not the address's six.
  SyscallEvent apart = read;
  apart.captures.clear();
  apart.captures.add(0x7ffd0002000 + 1, "vm\n", 3);
  SyscallEvent at_arg = apart;
  at_arg.captures.clear();
  at_arg.captures.add(0x7ffd0002000, "vm\n", 3);
  EXPECT_GE(round_trip({apart})[0], round_trip({at_arg})[0] + 5);
}

// A store or an argument that refers back to what its reader does not hold is refused.
TEST(CaptureContext, StoreReferringBackToNothingIsRefused) {
  SyscallEvent read = call(100, 0, 2000, {3, 0x2000, 64, 0, 0, 0}, 10);
  read.captures.add(0x2000, "data", 4);
  std::string buf;
  SyscallContext w;
  put_syscall(buf, read, w);
  size_t first = buf.size();
  SyscallEvent again = read;
  again.args = {4, 0x2000, 64, 0, 0, 0};  // (fd 4: the store refers back, not the arguments)
  put_syscall(buf, again, w);
  Frame f = next_frame(std::string_view(buf).substr(first));
  ASSERT_EQ(f.state, Framing::Complete);
  SyscallEvent back;
  SyscallContext task_and_args;
  task_and_args.have_task = true;
  task_and_args.task = read.task;
  task_and_args.args = read.args;
  task_and_args.enter_ns = read.enter_ns;
  EXPECT_FALSE(get_syscall(f.payload, &back, task_and_args)) << "no store to refer back to";
  SyscallContext r;
  ASSERT_TRUE(get_syscall(next_frame(buf).payload, &back, r));
  ASSERT_TRUE(get_syscall(f.payload, &back, r));
  EXPECT_EQ(regions(back.captures), regions(read.captures));
  EXPECT_EQ(back.args, again.args);
}

// A reader holds a bounded context: notes beyond kMaxContextNoteBytes without a Sync (which no
// writer makes) are refused, not held; after a Sync the same records read.
TEST(CaptureContext, ContextWithoutSyncIsBounded) {
  std::string note(4096, 'p');
  std::string buf;
  SyscallContext w;
  size_t count = kMaxContextNoteBytes / note.size() + 2;
  for (size_t k = 0; k < count; ++k) {
    SyscallEvent ev = call(100, 0, 1000 + k, {k, 0, 0, 0, 0, 0});
    ev.fd_notes[0] = note;
    ev.fd_notes[0][0] = static_cast<char>('a' + k % 26);
    put_syscall(buf, ev, w);
  }
  SyscallContext r;
  size_t read = 0;
  bool refused = false;
  for (std::string_view rest = buf; !rest.empty() && !refused;) {
    Frame f = next_frame(rest);
    ASSERT_EQ(f.state, Framing::Complete);
    rest.remove_prefix(f.size);
    SyscallEvent back;
    if (get_syscall(f.payload, &back, r))
      ++read;
    else
      refused = true;
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(read, kMaxContextNoteBytes / note.size());
  EXPECT_LE(r.note_bytes, kMaxContextNoteBytes + note.size());
  r.reset();
  SyscallEvent back;
  EXPECT_TRUE(get_syscall(next_frame(buf).payload, &back, r)) << "afresh after a Sync";
}

// Records of many KiB (long captures, notes, frames; many pids and errnos) read back whole.
TEST(CaptureContext, LargeRecordsReadBack) {
  SyscallEvent ev = call(100, 1, 5000, {3, 0x1000, 5000, 0, 0, 0}, 5000);
  std::string big(5000, '\x7f'), note(2000, 'n');
  for (int k = 0; k < 12; ++k) ev.captures.add(0x1000 + k * 0x10000, big.data(), 100 * k + 1);
  ev.captures.add(0x900000, big.data(), big.size());
  ev.before.add(0x2000, big.data(), 900);
  ev.fd_notes[0] = note;
  for (int k = 0; k < 40; ++k)
    ev.stack.push_back({0x400000u + k, std::string(300, 'm'), std::string(200, 's'), 7u,
                        std::string(100, 'f'), k});
  std::string buf;
  SyscallContext w, r;
  put_syscall(buf, ev, w);
  Frame f = next_frame(buf);
  ASSERT_EQ(f.state, Framing::Complete);
  ASSERT_EQ(f.size, buf.size());
  SyscallEvent back;
  ASSERT_TRUE(get_syscall(f.payload, &back, r));
  EXPECT_EQ(back.captures.region_count(), 13u);
  std::string got;
  back.captures.each([&](uint64_t, const uint8_t* b, size_t len) {
    got.append(reinterpret_cast<const char*>(b), len);
  });
  std::string want;
  ev.captures.each([&](uint64_t, const uint8_t* b, size_t len) {
    want.append(reinterpret_cast<const char*>(b), len);
  });
  EXPECT_EQ(got, want);
  EXPECT_EQ(back.fd_notes[0], note);
  ASSERT_EQ(back.stack.size(), 40u);
  EXPECT_EQ(back.stack[39].module, std::string(300, 'm'));
  EXPECT_EQ(back.stack[39].line, 39);

  CaptureInfo info;
  info.name = std::string(3000, 'x');
  for (int k = 0; k < 500; ++k) info.pids.push_back(100000 + k);
  info.command.assign(50, std::string(100, 'a'));
  std::string ib;
  put_info(ib, info);
  CaptureInfo iback;
  ASSERT_TRUE(get_info(next_frame(ib).payload, &iback));
  EXPECT_EQ(iback.pids, info.pids);
  EXPECT_EQ(iback.command, info.command);
  EXPECT_EQ(iback.name, info.name);

  SyscallAggregate a;
  a.comm = "x";
  for (int e = 1; e < 300; ++e) a.errnos[e] = 1000000u + e;
  std::string ab;
  put_aggregate(ab, a);
  SyscallAggregate aback;
  ASSERT_TRUE(get_aggregate(next_frame(ab).payload, &aback));
  EXPECT_EQ(aback.errnos, a.errnos);
}

// The ring lets the oldest unit go whole, and counts its records as let go.
TEST(CaptureContext, RingLetsTheOldestUnitGo) {
  Ring ring(100);
  std::string unit(40, 'a');
  ring.add(unit, 5);
  ring.add(std::string(40, 'b'), 7);
  EXPECT_EQ(ring.records(), 12u);
  ring.add(std::string(30, 'c'), 3);  // 110 bytes: the first unit goes
  EXPECT_EQ(ring.records(), 10u);
  EXPECT_EQ(ring.dropped(), 5u);
  EXPECT_EQ(ring.used(), 70u);
  auto [a, b] = ring.contents();
  EXPECT_EQ(std::string(a) + std::string(b), std::string(40, 'b') + std::string(30, 'c'));
  ring.add(std::string(101, 'd'), 4);  // larger than the ring: let go, the rest kept
  EXPECT_EQ(ring.records(), 10u);
  EXPECT_EQ(ring.dropped(), 9u);
}

}  // namespace
}  // namespace dtruss::capture
