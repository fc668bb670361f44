#include "capture/codec.h"

#include <cstring>

namespace dtruss::capture {
namespace {

// Appends a record: its type, its payload's length (a LEB128 number: one byte, made longer once
// the payload is written if it is 128 bytes or more), the payload.
// Written through a pointer into room made ahead: the room for a record's fixed fields is made
// once (`room`, an upper bound), and only its variable parts (stores, notes, frames) check for
// more; a byte at a time through the string would check its capacity and rewrite its terminator
// at every byte.
class Put {
 public:
  Put(std::string& out, Record type, size_t room = 64) : out_(out), at_(out.size()) {
    grow(2 + room);
    *p_++ = static_cast<char>(type);
    p_ += 1;
  }
  ~Put() {
    size_t end = static_cast<size_t>(p_ - out_.data());
    size_t len = end - at_ - 2;
    size_t n = 1;  // the length's bytes
    while (len >> (7 * n) != 0) ++n;
    if (n > 1) {  // (the payload moves up to make room)
      if (out_.size() < end + n - 1) out_.resize(end + n - 1);
      std::memmove(out_.data() + at_ + 1 + n, out_.data() + at_ + 2, len);
    }
    char* l = out_.data() + at_ + 1;
    for (size_t i = 0; i < n; ++i)
      l[i] = static_cast<char>(((len >> (7 * i)) & 0x7f) | (i + 1 < n ? 0x80 : 0));
    out_.resize(at_ + 1 + n + len);
  }
  Put(const Put&) = delete;
  Put& operator=(const Put&) = delete;

  // Room for `n` more bytes after p_.
  void need(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) grow(n);
  }
  void u(uint64_t v) {  // LEB128 (within the room made: at most 10 bytes)
    while (v >= 0x80) {
      *p_++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }
  void z(int64_t v) {  // zigzag, then LEB128: small negative numbers stay short
    u((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void str(std::string_view s) {  // (makes room for itself, and kSmall more)
    need(10 + s.size() + kSmall);
    u(s.size());
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  // A store: `u 2 * count`, then per region `u where` (k: argument k - 1's value is its address;
  // 0: `u address` follows), `u length`, its bytes. When `last` (the context's store of its kind
  // for this syscall) holds the same encoding, `u 1` instead; else a store short enough becomes
  // `last`.
  void store(const CaptureStore& c, const std::array<uint64_t, 6>& args, std::string* last) {
    if (c.empty()) {
      u(0);
      return;
    }
    size_t start = pos();
    u(2 * c.region_count());
    c.each([this, &args](uint64_t addr, const uint8_t* bytes, size_t len) {
      need(30 + len);
      uint64_t where = 0;
      for (size_t k = 0; k < args.size() && where == 0; ++k)
        if (args[k] == addr) where = k + 1;
      u(where);
      if (where == 0) u(addr);
      u(len);
      std::memcpy(p_, bytes, len);
      p_ += len;
    });
    need(kSmall);
    size_t n = pos() - start;
    if (last == nullptr || n > kStoreBytes) return;
    const char* enc = out_.data() + start;
    if (last->size() == n && std::memcmp(last->data(), enc, n) == 0) {
      p_ = out_.data() + start;
      u(1);
    } else {
      last->assign(enc, n);
    }
  }
  void task(const TaskId& t) {  // (at most kTaskBytes)
    z(t.pid);
    z(t.tid);
    size_t n = strnlen(t.comm.data(), t.comm.size());
    u(n);
    std::memcpy(p_, t.comm.data(), n);
    p_ += n;
    u(t.pidns);  // (--pidns-translation: 0 0 0 without it)
    z(t.ns_pid);
    z(t.ns_tid);
  }
  static constexpr size_t kTaskBytes = 5 * 10 + 1 + 16;
  static constexpr size_t kSmall = 64;  // room left after a variable part: a few numbers

 private:
  size_t pos() const { return static_cast<size_t>(p_ - out_.data()); }
  [[gnu::noinline]] void grow(size_t n) {
    size_t used = p_ == nullptr ? out_.size() : static_cast<size_t>(p_ - out_.data());
    out_.resize(used + n);
    p_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  std::string& out_;
  size_t at_;
  char* p_ = nullptr;
  char* end_ = nullptr;
};

// Reads a payload back; any read past its end makes it bad (ok() false).
class Get {
 public:
  explicit Get(std::string_view p) : p_(p) {}
  bool ok() const { return ok_ && i_ == p_.size(); }  // (the whole payload read, and no more)
  bool good() const { return ok_; }

  uint64_t u() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i_ >= p_.size()) return fail();
      auto b = static_cast<uint8_t>(p_[i_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  int64_t z() {
    uint64_t v = u();
    return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  int32_t i32() { return static_cast<int32_t>(z()); }
  std::string_view bytes(uint64_t n) {
    if (n > p_.size() - i_) {
      fail();
      return {};
    }
    std::string_view s = p_.substr(i_, n);
    i_ += n;
    return s;
  }
  std::string_view str() { return bytes(u()); }
  // A store as Put::store writes it; `last`: the context's store of its kind for the syscall
  // (nullptr: it has none, the syscall's number is too high).
  void store(CaptureStore& c, const std::array<uint64_t, 6>& args, std::string* last) {
    c.clear();
    size_t start = i_;
    uint64_t head = u();
    if (head == 1) {
      if (last == nullptr || last->empty()) {  // (nothing to refer back to: not a writer's)
        fail();
        return;
      }
      Get again(*last);
      again.regions(c, args, again.u());
      if (!again.ok()) fail();
      return;
    }
    if (head % 2 != 0) {
      fail();
      return;
    }
    regions(c, args, head);
    if (ok_ && head != 0 && last != nullptr && i_ - start <= kStoreBytes)
      last->assign(p_.substr(start, i_ - start));
  }
  void task(TaskId& t) {
    t.pid = i32();
    t.tid = i32();
    std::string_view c = str();
    t.comm.fill('\0');
    if (!c.empty()) std::memcpy(t.comm.data(), c.data(), std::min(c.size(), t.comm.size() - 1));
    t.pidns = static_cast<uint32_t>(u());
    t.ns_pid = i32();
    t.ns_tid = i32();
  }

 private:
  void regions(CaptureStore& c, const std::array<uint64_t, 6>& args, uint64_t head) {
    for (uint64_t k = 0; k < head / 2 && ok_; ++k) {
      uint64_t where = u();
      if (where > args.size()) {
        fail();
        return;
      }
      uint64_t addr = where != 0 ? args[where - 1] : u();
      std::string_view b = bytes(u());
      if (ok_) c.add(addr, b.data(), b.size());
    }
  }
  uint64_t fail() {
    ok_ = false;
    i_ = p_.size();
    return 0;
  }
  std::string_view p_;
  size_t i_ = 0;
  bool ok_ = true;
};

// SyscallEvent's flags byte.
constexpr uint64_t kNoExit = 1;
constexpr uint64_t kNoCpu = 2;
constexpr uint64_t kDwarf = 4;
constexpr uint64_t kInjected = 8;
constexpr uint64_t kEndShift = 4;   // bits 4-5: SyscallEvent::End
constexpr uint64_t kSameTask = 64;  // the task is the previous Syscall record's (omitted)
// A Syscall record's parts (version 5), each written only when its bit is set.
constexpr uint64_t kPartUring = 1;     // uring_op, uring flags (else -1, none)
constexpr uint64_t kPartCaptures = 2;  // the captures store (else empty)
constexpr uint64_t kPartBefore = 4;    // the before store (else empty)
constexpr uint64_t kPartNotes = 8;     // the fd notes (else none)
constexpr uint64_t kPartStack = 16;    // the stack (else none)
constexpr int kNrArgShift = 6;         // same_args: bit 6 + k, argument k is the syscall's last
constexpr uint64_t kInjectError = 1;
constexpr uint64_t kInjectRetval = 2;

// Info's flags: each a bit (docs/capture-format.md).
struct InfoFlag {
  bool CaptureInfo::*member;
  uint64_t bit;
};
constexpr InfoFlag kInfoFlags[] = {
    {&CaptureInfo::fd_notes, 1},        {&CaptureInfo::stacks, 2},
    {&CaptureInfo::verbose, 4},         {&CaptureInfo::cpu, 8},
    {&CaptureInfo::dumps, 16},          {&CaptureInfo::flight, 32},
    {&CaptureInfo::follow, 64},         {&CaptureInfo::all, 128},
    {&CaptureInfo::wait_for_name, 256}, {&CaptureInfo::containers, 512},
    {&CaptureInfo::labels, 1024},
};

}  // namespace

void put_info(std::string& out, const CaptureInfo& i) {
  Put p(out, Record::Info, 128);
  p.str(i.dtruss_version);
  p.str(i.backend);
  p.str(i.kernel_release);
  p.str(i.machine);
  p.u(i.table_hash);
  p.u(i.table_size);
  uint64_t flags = 0;
  for (const InfoFlag& f : kInfoFlags)
    if (i.*f.member) flags |= f.bit;
  p.u(flags);
  p.u(i.strsize);
  p.u(i.stack_depth);
  p.str(i.name);
  p.need(10 + 10 * i.pids.size());
  p.u(i.pids.size());
  for (int32_t pid : i.pids) p.z(pid);
  p.need(10);
  p.u(i.command.size());
  for (const auto& a : i.command) p.str(a);
  p.need(10);
  p.z(i.started_unix_ns);
}

bool get_info(std::string_view payload, CaptureInfo* i) {
  Get g(payload);
  i->dtruss_version = g.str();
  i->backend = g.str();
  i->kernel_release = g.str();
  i->machine = g.str();
  i->table_hash = g.u();
  i->table_size = static_cast<uint32_t>(g.u());
  uint64_t flags = g.u();
  for (const InfoFlag& f : kInfoFlags) i->*f.member = (flags & f.bit) != 0;
  i->strsize = g.u();
  i->stack_depth = g.u();
  i->name = g.str();
  uint64_t n = g.u();
  i->pids.clear();
  for (uint64_t k = 0; k < n && g.good(); ++k) i->pids.push_back(g.i32());
  n = g.u();
  i->command.clear();
  for (uint64_t k = 0; k < n && g.good(); ++k) i->command.emplace_back(g.str());
  i->started_unix_ns = g.z();
  return g.ok();
}

void put_begin(std::string& out, uint64_t base_ns, int64_t wall_offset_ns) {
  Put p(out, Record::Begin);
  p.u(base_ns);
  p.z(wall_offset_ns);
}
bool get_begin(std::string_view payload, uint64_t* base_ns, int64_t* wall_offset_ns) {
  Get g(payload);
  *base_ns = g.u();
  *wall_offset_ns = g.z();
  return g.ok();
}

namespace {

bool same_task(const TaskId& a, const TaskId& b) {
  return a.pid == b.pid && a.tid == b.tid && a.pidns == b.pidns && a.ns_pid == b.ns_pid &&
         a.ns_tid == b.ns_tid && a.comm == b.comm;
}

// The fd an fd note describes: argument k's value, or (k = 6) the returned fd; keyed by process.
uint64_t note_key(const SyscallEvent& ev, size_t k) {
  uint64_t fd = k < ev.args.size() ? ev.args[k] : static_cast<uint64_t>(ev.ret);
  return static_cast<uint64_t>(static_cast<uint32_t>(ev.task.pid)) << 32 |
         static_cast<uint32_t>(fd);
}

// The context's last store of kind `which` (0 captures, 1 before) for syscall `nr`; nullptr when
// it keeps none for that number.
std::string* last_store(SyscallContext& cx, long nr, int which) {
  if (nr < 0 || static_cast<size_t>(nr) >= kStoreNrs) return nullptr;
  if (cx.stores.empty()) cx.stores.resize(2 * kStoreNrs);
  return &cx.stores[2 * static_cast<size_t>(nr) + static_cast<size_t>(which)];
}

// The arguments of the context's last record of syscall `nr`; nullptr when it keeps none.
std::array<uint64_t, 6>* last_args(SyscallContext& cx, long nr) {
  if (nr < 0 || static_cast<size_t>(nr) >= kStoreNrs) return nullptr;
  if (cx.nr_args.empty()) cx.nr_args.resize(kStoreNrs);
  return &cx.nr_args[static_cast<size_t>(nr)];
}

}  // namespace

void put_sync(std::string& out) {
  Put p(out, Record::Sync, 0);
}

void put_syscall(std::string& out, const SyscallEvent& ev, SyscallContext& cx) {
  // Room for every fixed field (10 bytes a number at most), the task and the injected action.
  Put p(out, Record::Syscall, 24 * 10 + Put::kTaskBytes);
  bool same = cx.have_task && same_task(ev.task, cx.task);
  uint64_t flags = (ev.exit_ns == 0 ? kNoExit : 0u) | (ev.cpu_ns == kUnknown ? kNoCpu : 0u) |
                   (ev.stack_dwarf ? kDwarf : 0u) | (ev.injected ? kInjected : 0u) |
                   (same ? kSameTask : 0u) | (static_cast<uint64_t>(ev.end) << kEndShift);
  p.u(flags);
  if (!same) {
    p.task(ev.task);
    cx.task = ev.task;
    cx.have_task = true;
  }
  p.z(static_cast<int64_t>(ev.enter_ns - cx.enter_ns));
  cx.enter_ns = ev.enter_ns;
  if (ev.exit_ns != 0) p.z(static_cast<int64_t>(ev.exit_ns - ev.enter_ns));
  if (ev.cpu_ns != kUnknown) p.u(ev.cpu_ns);
  p.z(ev.nr);
  std::array<uint64_t, 6>* last = last_args(cx, ev.nr);
  uint64_t repeated = 0;
  for (size_t k = 0; k < ev.args.size(); ++k) {
    if (ev.args[k] == cx.args[k])
      repeated |= 1u << k;
    else if (last != nullptr && ev.args[k] == (*last)[k])
      repeated |= 1u << (k + kNrArgShift);
  }
  p.u(repeated);
  for (size_t k = 0; k < ev.args.size(); ++k)
    if ((repeated & (1u << k | 1u << (k + kNrArgShift))) == 0)
      p.z(static_cast<int64_t>(ev.args[k]));
  cx.args = ev.args;
  if (last != nullptr) *last = ev.args;
  p.z(ev.ret);
  uint64_t uring = unsigned{ev.uring_fixed_file} | unsigned{ev.uring_direct} << 1 |
                   unsigned{ev.uring_refused} << 2 | unsigned{ev.uring_more} << 3;
  bool any_note = false;
  for (const std::string& n : ev.fd_notes) any_note = any_note || !n.empty();
  p.u((ev.uring_op != -1 || uring != 0 ? kPartUring : 0u) |
      (ev.captures.empty() ? 0u : kPartCaptures) | (ev.before.empty() ? 0u : kPartBefore) |
      (any_note ? kPartNotes : 0u) | (ev.stack.empty() ? 0u : kPartStack));
  if (ev.uring_op != -1 || uring != 0) {
    p.z(ev.uring_op);
    p.u(uring);
  }
  if (!ev.captures.empty()) p.store(ev.captures, ev.args, last_store(cx, ev.nr, 0));
  if (!ev.before.empty()) p.store(ev.before, ev.args, last_store(cx, ev.nr, 1));
  if (any_note) {
    uint64_t notes = 0, unchanged = 0;
    const std::string* changed[7] = {};
    for (size_t k = 0; k < ev.fd_notes.size(); ++k) {
      const std::string& n = ev.fd_notes[k];
      if (n.empty()) continue;
      notes |= 1u << k;
      auto [it, added] = cx.notes.try_emplace(note_key(ev, k), n);
      if (!added && it->second == n) {
        unchanged |= 1u << k;
        continue;
      }
      if (!added) it->second = n;
      changed[k] = &n;
    }
    p.u(notes);
    p.u(unchanged);
    for (const std::string* n : changed)
      if (n != nullptr) p.str(*n);
  }
  if (!ev.stack.empty()) p.u(ev.stack.size());
  for (const StackFrame& f : ev.stack) {
    p.need(20);
    p.u(f.pc);
    p.str(f.module);
    p.str(f.symbol);
    p.u(f.offset);
    p.str(f.file);
    p.z(f.line);
  }
  if (ev.injected) {
    const InjectAction& a = *ev.injected;
    p.need(Put::kSmall);
    p.u((a.error ? kInjectError : 0u) | (a.retval ? kInjectRetval : 0u));
    if (a.error) p.z(*a.error);
    if (a.retval) p.z(*a.retval);
    p.z(a.signal);
    p.u(a.delay_enter_us);
    p.u(a.delay_exit_us);
  }
}

bool get_syscall(std::string_view payload, SyscallEvent* ev, SyscallContext& cx) {
  Get g(payload);
  uint64_t flags = g.u();
  if (flags & kSameTask) {
    if (!cx.have_task) return false;  // (nothing to refer back to: not a writer's record)
    ev->task = cx.task;
  } else {
    g.task(ev->task);
    cx.task = ev->task;
    cx.have_task = true;
  }
  ev->enter_ns = cx.enter_ns + static_cast<uint64_t>(g.z());
  cx.enter_ns = ev->enter_ns;
  ev->exit_ns = (flags & kNoExit) ? 0 : ev->enter_ns + static_cast<uint64_t>(g.z());
  ev->cpu_ns = (flags & kNoCpu) ? kUnknown : g.u();
  ev->nr = static_cast<long>(g.z());
  std::array<uint64_t, 6>* last = last_args(cx, ev->nr);
  uint64_t repeated = g.u();
  if (repeated >> (2 * kNrArgShift) != 0 || (last == nullptr && repeated >> kNrArgShift != 0))
    return false;
  for (size_t k = 0; k < ev->args.size(); ++k) {
    if (repeated & (1u << k))
      ev->args[k] = cx.args[k];
    else if (repeated & (1u << (k + kNrArgShift)))
      ev->args[k] = (*last)[k];
    else
      ev->args[k] = static_cast<uint64_t>(g.z());
  }
  cx.args = ev->args;
  if (last != nullptr) *last = ev->args;
  ev->ret = g.z();
  uint64_t parts = g.u();
  if (parts >= 2 * kPartStack) return false;
  ev->uring_op = (parts & kPartUring) ? static_cast<int16_t>(g.z()) : int16_t{-1};
  uint64_t uring = (parts & kPartUring) ? g.u() : 0;
  ev->uring_fixed_file = uring & 1;
  ev->uring_direct = uring & 2;
  ev->uring_refused = uring & 4;
  ev->uring_more = uring & 8;
  uint64_t end = (flags >> kEndShift) & 3;
  if (end > static_cast<uint64_t>(SyscallEvent::End::Detached)) return false;
  ev->end = static_cast<SyscallEvent::End>(end);
  ev->stack_dwarf = flags & kDwarf;
  if (parts & kPartCaptures)
    g.store(ev->captures, ev->args, last_store(cx, ev->nr, 0));
  else
    ev->captures.clear();
  if (parts & kPartBefore)
    g.store(ev->before, ev->args, last_store(cx, ev->nr, 1));
  else
    ev->before.clear();
  uint64_t notes = (parts & kPartNotes) ? g.u() : 0;
  uint64_t unchanged = (parts & kPartNotes) ? g.u() : 0;
  if ((unchanged & ~notes) != 0) return false;
  for (size_t k = 0; k < ev->fd_notes.size(); ++k) {
    std::string& n = ev->fd_notes[k];
    if (!(notes & (1u << k))) {
      n.clear();
      continue;
    }
    uint64_t key = note_key(*ev, k);
    if (unchanged & (1u << k)) {
      auto it = cx.notes.find(key);
      if (it == cx.notes.end()) return false;  // (no note recorded for that fd)
      n = it->second;
    } else {
      n = g.str();
      if (n.empty()) return false;  // (a note is never empty: the mask says which there are)
      cx.note_bytes += n.size();
      if (cx.note_bytes > kMaxContextNoteBytes) return false;  // (no writer's: see codec.h)
      cx.notes[key] = n;
    }
  }
  uint64_t frames = (parts & kPartStack) ? g.u() : 0;
  ev->stack.clear();
  for (uint64_t k = 0; k < frames && g.good(); ++k) {
    StackFrame f;
    f.pc = g.u();
    f.module = g.str();
    f.symbol = g.str();
    f.offset = g.u();
    f.file = g.str();
    f.line = static_cast<int>(g.z());
    ev->stack.push_back(std::move(f));
  }
  ev->injected.reset();
  if (flags & kInjected) {
    InjectAction a;
    uint64_t which = g.u();
    if (which & kInjectError) a.error = static_cast<int>(g.z());
    if (which & kInjectRetval) a.retval = g.z();
    a.signal = static_cast<int>(g.z());
    a.delay_enter_us = g.u();
    a.delay_exit_us = g.u();
    ev->injected = a;
  }
  return g.ok();
}

void put_signal(std::string& out, const SignalEvent& ev) {
  Put p(out, Record::Signal, Put::kTaskBytes + 120);
  p.task(ev.task);
  p.u(ev.ts_ns);
  p.z(ev.signo);
  p.u(ev.has_info ? 1 : 0);
  p.z(ev.code);
  p.z(ev.errno_);
  p.z(ev.sender_pid);
  p.u(ev.sender_uid);
  p.z(ev.status);
  p.u(ev.addr);
  p.z(ev.timer_id);
  p.z(ev.overrun);
  p.u(ev.value);
}
bool get_signal(std::string_view payload, SignalEvent* ev) {
  Get g(payload);
  g.task(ev->task);
  ev->ts_ns = g.u();
  ev->signo = g.i32();
  ev->has_info = g.u() != 0;
  ev->code = g.i32();
  ev->errno_ = g.i32();
  ev->sender_pid = g.i32();
  ev->sender_uid = static_cast<uint32_t>(g.u());
  ev->status = g.i32();
  ev->addr = g.u();
  ev->timer_id = g.i32();
  ev->overrun = g.i32();
  ev->value = g.u();
  return g.ok();
}

void put_stop(std::string& out, const StopEvent& ev) {
  Put p(out, Record::Stop, Put::kTaskBytes + 20);
  p.task(ev.task);
  p.u(ev.ts_ns);
  p.z(ev.signo);
}
bool get_stop(std::string_view payload, StopEvent* ev) {
  Get g(payload);
  g.task(ev->task);
  ev->ts_ns = g.u();
  ev->signo = g.i32();
  return g.ok();
}

void put_exit(std::string& out, const ExitEvent& ev) {
  Put p(out, Record::Exit, Put::kTaskBytes + 30);
  p.task(ev.task);
  p.u(ev.ts_ns);
  p.u((ev.signaled ? 1 : 0) | (ev.core_dumped ? 2 : 0));
  p.z(ev.code);
}
bool get_exit(std::string_view payload, ExitEvent* ev) {
  Get g(payload);
  g.task(ev->task);
  ev->ts_ns = g.u();
  uint64_t f = g.u();
  ev->signaled = f & 1;
  ev->core_dumped = f & 2;
  ev->code = g.i32();
  return g.ok();
}

void put_lost(std::string& out, const LostEvent& ev) {
  Put p(out, Record::Lost);
  p.u(ev.ts_ns);
  p.u(ev.count);
}
bool get_lost(std::string_view payload, LostEvent* ev) {
  Get g(payload);
  ev->ts_ns = g.u();
  ev->count = g.u();
  return g.ok();
}

void put_notice(std::string& out, const NoticeEvent& ev) {
  Put p(out, Record::Notice);
  p.u(ev.ts_ns);
  p.str(ev.text);
}
bool get_notice(std::string_view payload, NoticeEvent* ev) {
  Get g(payload);
  ev->ts_ns = g.u();
  ev->text = g.str();
  return g.ok();
}

void put_aggregate(std::string& out, const SyscallAggregate& a) {
  Put p(out, Record::Aggregate, 64 + 10 * a.log2_ns.size());
  p.z(a.nr);
  p.z(a.pid);
  p.z(a.tid);
  p.str(a.comm);
  p.u(a.calls);
  p.u(a.total_ns);
  p.u(a.max_ns);
  p.need(10 + 20 * a.errnos.size() + 10 * a.log2_ns.size());
  p.u(a.errnos.size());
  for (auto [err, n] : a.errnos) {
    p.z(err);
    p.u(n);
  }
  for (uint64_t b : a.log2_ns) p.u(b);
}
bool get_aggregate(std::string_view payload, SyscallAggregate* a) {
  Get g(payload);
  a->nr = g.i32();
  a->pid = g.i32();
  a->tid = g.i32();
  a->comm = g.str();
  a->calls = g.u();
  a->total_ns = g.u();
  a->max_ns = g.u();
  uint64_t n = g.u();
  a->errnos.clear();
  for (uint64_t k = 0; k < n && g.good(); ++k) {
    int err = g.i32();
    a->errnos[err] = g.u();
  }
  for (uint64_t& b : a->log2_ns) b = g.u();
  return g.ok();
}

void put_process(std::string& out, int32_t pid) {
  Put p(out, Record::Process);
  p.z(pid);
}
bool get_process(std::string_view payload, int32_t* pid) {
  Get g(payload);
  *pid = g.i32();
  return g.ok();
}

void put_label(std::string& out, int32_t pid, const ProcessLabel& label) {
  Put p(out, Record::Label);
  p.z(pid);
  p.str(label.container);
  p.str(label.cgroup);
}
bool get_label(std::string_view payload, int32_t* pid, ProcessLabel* label) {
  Get g(payload);
  *pid = g.i32();
  label->container = g.str();
  label->cgroup = g.str();
  return g.ok();
}

void put_ready(std::string& out) {
  Put p(out, Record::Ready);
}

void put_interrupted(std::string& out, uint64_t ts_ns, int signal, bool detached) {
  Put p(out, Record::Interrupted);
  p.u(ts_ns);
  p.z(signal);
  p.u(detached ? 1 : 0);
}
bool get_interrupted(std::string_view payload, uint64_t* ts_ns, int* signal, bool* detached) {
  Get g(payload);
  *ts_ns = g.u();
  *signal = g.i32();
  *detached = g.u() != 0;
  return g.ok();
}

void put_end(std::string& out, int status, uint64_t end_ns) {
  Put p(out, Record::End);
  p.z(status);
  p.u(end_ns);
}
bool get_end(std::string_view payload, int* status, uint64_t* end_ns) {
  Get g(payload);
  *status = g.i32();
  *end_ns = g.u();
  return g.ok();
}

void put_dropped(std::string& out, uint64_t events) {
  Put p(out, Record::Dropped);
  p.u(events);
}
bool get_dropped(std::string_view payload, uint64_t* events) {
  Get g(payload);
  *events = g.u();
  return g.ok();
}

Frame next_frame(std::string_view buf) {
  Frame f;
  if (buf.empty()) return f;  // (Partial)
  auto type = static_cast<uint8_t>(buf[0]);
  if (type < static_cast<uint8_t>(Record::Info) || type > static_cast<uint8_t>(kLastRecord)) {
    f.state = Framing::Bad;
    return f;
  }
  uint64_t len = 0;
  size_t at = 1;
  for (int shift = 0;; shift += 7) {
    if (at >= buf.size()) return f;  // (Partial)
    auto b = static_cast<uint8_t>(buf[at++]);
    len |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
    if (shift >= 28) {  // (more than 5 bytes: no writer's)
      f.state = Framing::Bad;
      return f;
    }
  }
  if (len > (1u << 30)) {
    f.state = Framing::Bad;
    return f;
  }
  if (buf.size() - at < len) return f;
  f.state = Framing::Complete;
  f.type = static_cast<Record>(type);
  f.payload = buf.substr(at, len);
  f.size = at + len;
  return f;
}

}  // namespace dtruss::capture
