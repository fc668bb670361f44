// The eBPF backend's consumer: each record the kernel side sends (events.h), read (records.cpp)
// and turned into the events the pipeline takes; -y's fd table and -s's stacks kept up to date.
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netinet/tcp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "backends/bpf/bpf_internal.h"
#include "backends/bpf/events.h"
#include "backends/bpf/records.h"
#include "core/cgroup.h"
#include "core/fdinfo.h"
#include "core/interrupt.h"
#include "core/proc.h"
#include "syscalls/table.h"
#include "util/text.h"

namespace dtruss {

using namespace bpf_shared;

namespace {

// -y: a DT_FD record (events.h) as describe_fd() would put it ("" when it cannot tell).
FdNote fd_note(const dt_fd& rec, const char* path, size_t len) {
  FdNote n;
  n.fd = rec.fd;
  n.open = rec.kind != DT_FD_CLOSED;
  n.cloexec = (rec.flags & DT_FD_CLOEXEC) != 0;
  if (rec.kind == DT_FD_SOCKET) {
    SocketFacts s;
    s.inode = rec.ino;
    s.family = rec.family;
    s.proto.assign(rec.proto, strnlen(rec.proto, sizeof rec.proto));
    std::memcpy(s.laddr.data(), rec.laddr, sizeof rec.laddr);
    std::memcpy(s.raddr.data(), rec.raddr, sizeof rec.raddr);
    s.lport = ntohs(rec.lport);
    s.rport = ntohs(rec.rport);
    // What /proc/net/{tcp,udp}[6] list: TCP sockets not closed (listening, connecting,
    // connected), UDP sockets with a local port.
    if (s.proto == "TCP" || s.proto == "TCPv6") s.listed = rec.state != TCP_CLOSE;
    if (s.proto == "UDP" || s.proto == "UDPv6") s.listed = rec.num != 0;
    s.has_path = (rec.flags & DT_FD_ADDR) != 0;
    if (s.has_path) s.path.assign(path, len);
    n.what = socket_label(s);
  } else if (rec.kind == DT_FD_FILE && (rec.flags & DT_FD_CUT) == 0) {
    FileFacts f;
    f.inode = rec.ino;
    f.fs_magic = rec.magic;
    f.deleted = (rec.flags & DT_FD_DELETED) != 0;
    f.pseudo = (rec.flags & DT_FD_PSEUDO) != 0;
    for (size_t at = 0; at < len;) {
      size_t k = strnlen(path + at, len - at);
      f.parts.emplace_back(path + at, k);
      at += k + 1;
    }
    n.what = file_label(f);
  }
  return n;
}

}  // namespace

void BpfTracer::report_lost() {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(ncpu));
  uint32_t key = 0;
  if (bpf_map__lookup_elem(st_->skel->maps.lost, &key, sizeof(key), per_cpu.data(),
                           per_cpu.size() * sizeof(uint64_t), 0) != 0)
    return;
  uint64_t total = 0;
  for (uint64_t v : per_cpu) total += v;
  if (total > lost_reported_) {
    out_.on_lost({0, total - lost_reported_});
    lost_reported_ = total;
  }
}

int BpfTracer::on_record(const void* data, size_t size) {
  switch (record_type(data, size)) {
    case DT_SYSCALL:
      handle_syscall(data, size);
      break;
    case DT_EXIT:
      handle_exit(data);
      break;
    case DT_SIGNAL:
      handle_signal(data);
      break;
    case DT_STACK:
      if (stacks_) handle_stack(data, size);
      break;
    case DT_MAP:
      if (map_kind(data) == DT_MAP_DATA)
        late_captures_.on_map(data, size);
      else if (stacks_)
        handle_map(data, size);
      break;
    case DT_FD:
      if (cfg_.describe_fds) handle_fd(data, size);
      break;
    case DT_CHUNK:
      late_captures_.on_chunk(data, size);
      break;
    case DT_UNTRACED:
      handle_untraced(data);
      break;
    case DT_FORK: {
      dt_fork rec;
      std::memcpy(&rec, data, sizeof(rec));
      if (stacks_) stacks_->inherit(static_cast<pid_t>(rec.parent), static_cast<pid_t>(rec.child));
      if (cfg_.describe_fds)
        fds_.fork(static_cast<pid_t>(rec.parent), static_cast<pid_t>(rec.parent_tid),
                  static_cast<pid_t>(rec.child), rec.shares_fds != 0);
      if (rec.pidns != 0 && rec.child_ns > 0)  // (before the parent's fork returns it)
        out_.on_pid_mapping(rec.pidns, rec.child_ns, static_cast<int32_t>(rec.child));
      break;
    }
    default:
      break;
  }
  return stop_requested() && stop_reason() != StopReason::Signal ? -1 : 0;
}

void BpfTracer::handle_syscall(const void* data, size_t size) {
  dt_syscall rec;
  std::memcpy(&rec, data, sizeof(rec));
  // The started command's own set-up (between fork and execve) is not shown.
  // (An io_uring operation under --summary, which sends no execve: the kernel side's flag.)
  if (rec.uring != 0 && child_ > 0 && !child_started_ && st_->skel->bss->cmd_started)
    child_started_ = true;
  if (child_ > 0 && !child_started_ && static_cast<pid_t>(rec.pid) == child_) {
    // (-y: its fds still count: the pipes it makes and closes, what it leaves to the command)
    if (rec.nr != SYS_execve && rec.nr != SYS_execveat) {
      if (cfg_.describe_fds) {
        read_syscall_record(data, size, cfg_.cpu_time, ev_, counted_, late_);
        annotate_fds(ev_);
      }
      return;
    }
    // (A failed execve: the command never ran; what follows is the launcher reporting it.)
    if (rec.ret < 0 && rec.ret > -4096) return;
    child_started_ = true;
  }
  SyscallEvent& ev = ev_;
  read_syscall_record(data, size, cfg_.cpu_time, ev, counted_, late_);
  late_captures_.fill(ev, late_);
  // (kept from the calls: the fd may be closed by now; an io_uring operation on the ring's own
  // files names none)
  if (cfg_.describe_fds && !ev.uring_fixed_file && !ev.uring_direct) annotate_fds(ev);
  ev.stack.clear();
  ev.stack_dwarf = true;
  if (stacks_ && ev.uring_op < 0) {  // (an io_uring operation has no stack: its thread's next
                                     // call, io_uring_enter often, takes the one sent)
    auto it = pending_stacks_.find(ev.task.tid);
    if (it != pending_stacks_.end()) {
      ev.stack.swap(it->second.frames);
      ev.stack_dwarf = it->second.dwarf;
      pending_stacks_.erase(it);
    }
  }
  out_.on_syscall(ev);
  if (!ev.stack.empty()) spare_frames_.swap(ev.stack);
}

void BpfTracer::annotate_fds(SyscallEvent& ev) {
  auto& pending = ev.uring_op >= 0 ? pending_uring_fds_ : pending_fds_;
  auto it = pending.find(ev.task.tid);
  if (it == pending.end()) {
    fds_.annotate(ev);
  } else {
    fds_.annotate(ev, it->second);
    pending.erase(it);
  }
}

void BpfTracer::report_aggregates() {
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, SyscallAggregate> out;
  auto row = [&](uint32_t nr, uint32_t id, uint32_t tgid) -> SyscallAggregate& {
    SyscallAggregate& a = out[{nr, id, tgid}];
    a.nr = static_cast<int>(nr);
    if (cfg_.summary_by == SummaryBy::Process) a.pid = static_cast<int>(id);
    if (cfg_.summary_by == SummaryBy::Thread) {
      a.pid = static_cast<int>(tgid);
      a.tid = static_cast<int>(id);
    }
    if (by_cgroup(cfg_.summary_by)) a.cgroup = uint64_t{tgid} << 32 | id;
    return a;
  };
  std::vector<dt_agg> vals(static_cast<size_t>(ncpu));
  auto add = [&](const dt_agg_key& key) {
    SyscallAggregate& a = row(key.nr, key.id, key.tgid);
    // --top: the name is that of a CPU's count that grew since the last read (each CPU's copy
    // has the name of its latest call; one that did not count since may hold an older name).
    std::vector<uint64_t>* read_before =
        cfg_.summary_comm_live ? &cpu_calls_[{key.nr, key.id, key.tgid}] : nullptr;
    if (read_before != nullptr) read_before->resize(vals.size());
    for (size_t cpu = 0; cpu < vals.size(); ++cpu) {
      const dt_agg& v = vals[cpu];
      if (read_before != nullptr) {
        if (v.calls > (*read_before)[cpu] && v.comm[0] != 0)
          a.comm.assign(v.comm, strnlen(v.comm, sizeof v.comm));
        (*read_before)[cpu] = v.calls;
      }
      a.calls += v.calls;
      a.total_ns += v.total_ns;
      a.max_ns = std::max<uint64_t>(a.max_ns, v.max_ns);
      for (size_t b = 0; b < DT_AGG_BUCKETS && b < a.log2_ns.size(); ++b)
        a.log2_ns[b] += v.buckets[b];
      if (a.comm.empty() && v.comm[0] != 0) a.comm.assign(v.comm, strnlen(v.comm, sizeof v.comm));
    }
  };
  if (cfg_.summary_by == SummaryBy::None) {  // per syscall: an array indexed by the number
    int fd = bpf_map__fd(st_->skel->maps.sums);
    for (uint32_t nr = 0; nr < DT_NR_MAX; ++nr) {
      if (bpf_map_lookup_elem(fd, &nr, vals.data()) != 0) continue;
      bool any = false;
      for (const dt_agg& v : vals) any |= v.calls != 0;
      if (any) add(dt_agg_key{nr, 0, 0, 0});
    }
  } else {
    int fd = bpf_map__fd(st_->skel->maps.aggs);
    for_each_key<dt_agg_key>(fd, [&](const dt_agg_key& key) {
      if (bpf_map_lookup_elem(fd, &key, vals.data()) == 0) add(key);
    });
  }
  std::vector<uint64_t> counts(static_cast<size_t>(ncpu));
  int fd = bpf_map__fd(st_->skel->maps.agg_errs);
  for_each_key<dt_err_key>(fd, [&](const dt_err_key& ek) {
    if (bpf_map_lookup_elem(fd, &ek, counts.data()) != 0) return;
    uint64_t n = 0;
    for (uint64_t c : counts) n += c;
    if (n != 0) row(ek.nr, ek.id, ek.tgid).errnos[ek.err] += n;
  });
  for_each_key<uint32_t>(bpf_map__fd(st_->skel->maps.seen),
                         [&](uint32_t tgid) { out_.on_process(static_cast<int32_t>(tgid)); });
  // --summary-by container by a cgroup v1 hierarchy (configure): the kernel counted per v1
  // cgroup (its kernfs id, which v2's ids may reuse): each named here, from the directories of
  // the traced cgroup (or of the whole hierarchy).
  // --summary-by cgroup: each named by its path in the hierarchy (the traced one's, and below).
  if (by_cgroup(cfg_.summary_by) && st_->skel->rodata->cgroup_v1_hierarchy) {
    std::map<uint64_t, std::string> labels;
    std::string root = cfg_.cgroup.empty() ? first_cgroup1_mount() : cfg_.cgroup;
    CgroupV1 top;
    cgroup_v1_of(root, &top);
    for (const auto& [path, ino] : cgroup_tree(root)) {
      std::string under = top.path + path.substr(root.size());
      labels[ino] = cfg_.summary_by == SummaryBy::Cgroup
                        ? (under.empty() ? "/" : under)
                        : container_of(path.substr(cfg_.cgroup.empty() ? root.size() : 0));
    }
    for (auto& [k, a] : out) {
      a.comm = labels[a.cgroup];
      a.cgroup = 0;  // (the label is the name: output/summary_sink.cpp)
    }
  }
  for (auto& [k, a] : out) {
    if (cfg_.interval_ns != 0 && !since_last_sent(k, a)) continue;  // (--top, --interval)
    out_.on_aggregate(a);
  }
}

// --top, --summary --interval, per process or thread: the processes of the counts sent so far
// that have ended (found before the counts are read: they count no more).
std::set<pid_t> BpfTracer::ended_counted() {
  std::set<pid_t> ended;
  if (cfg_.summary_by == SummaryBy::None || by_cgroup(cfg_.summary_by)) return ended;
  std::set<pid_t> checked;
  for (const auto& [key, sent] : agg_sent_) {
    auto pid = static_cast<pid_t>(cfg_.summary_by == SummaryBy::Thread ? std::get<2>(key)
                                                                       : std::get<1>(key));
    if (checked.insert(pid).second && !process_alive(pid)) ended.insert(pid);
  }
  return ended;
}

// ... and once their last counts were sent, they are dropped from the kernel's maps, so that a
// trace of the whole system running for hours keeps room (65,536 entries) for the living.
void BpfTracer::forget_counts(const std::set<pid_t>& ended) {
  if (ended.empty()) return;
  auto gone = [&](uint32_t id, uint32_t tgid) {
    return ended.count(static_cast<pid_t>(cfg_.summary_by == SummaryBy::Thread ? tgid : id)) != 0;
  };
  int aggs = bpf_map__fd(st_->skel->maps.aggs);
  for (auto it = agg_sent_.begin(); it != agg_sent_.end();) {
    auto [nr, id, tgid] = it->first;
    if (!gone(id, tgid)) {
      ++it;
      continue;
    }
    dt_agg_key key{nr, id, tgid, 0};
    bpf_map_delete_elem(aggs, &key);
    cpu_calls_.erase(it->first);
    it = agg_sent_.erase(it);
  }
  int errs = bpf_map__fd(st_->skel->maps.agg_errs);
  std::vector<dt_err_key> keys;
  for_each_key<dt_err_key>(errs, [&](const dt_err_key& ek) {
    if (gone(ek.id, ek.tgid)) keys.push_back(ek);
  });
  for (const dt_err_key& ek : keys) bpf_map_delete_elem(errs, &ek);
}

// --top, --summary --interval: the kernel's counts only grow; each interval gets the difference
// from what was sent before, and the deltas add up to the whole. A maximum has no difference:
// the interval's is the upper bound of its slowest bucket, capped by the maximum so far (so the
// largest of them is the trace's maximum).
bool BpfTracer::since_last_sent(const std::tuple<uint32_t, uint32_t, uint32_t>& key,
                                SyscallAggregate& a) {
  SyscallAggregate& sent = agg_sent_[key];
  SyscallAggregate now = a;
  a.calls -= std::min(a.calls, sent.calls);
  a.total_ns -= std::min(a.total_ns, sent.total_ns);
  int top = -1;
  for (size_t b = 0; b < a.log2_ns.size(); ++b) {
    a.log2_ns[b] -= std::min(a.log2_ns[b], sent.log2_ns[b]);
    if (a.log2_ns[b] != 0) top = static_cast<int>(b);
  }
  // (bucket b >= 1 holds [2^(b-1), 2^b) ns: see SyscallAggregate)
  uint64_t high = top <= 0 ? 0 : top >= 63 ? UINT64_MAX : (uint64_t{1} << top) - 1;
  a.max_ns = std::min(now.max_ns, high);
  for (auto it = a.errnos.begin(); it != a.errnos.end();) {
    it->second -= std::min(it->second, sent.errnos[it->first]);
    it = it->second == 0 ? a.errnos.erase(it) : std::next(it);
  }
  sent = std::move(now);
  return a.calls != 0;
}

// -s: a mapping that names frames (events.h): the path comes as its components, innermost first.
void BpfTracer::handle_map(const void* data, size_t size) {
  dt_map rec;
  std::memcpy(&rec, data, sizeof(rec));
  auto pid = static_cast<pid_t>(rec.pid);
  if (rec.kind == DT_UNMAP) {
    stacks_->unmap(pid, rec.start, rec.end);
    return;
  }
  std::string path = map_record_path(data, size);
  if (path.empty()) return;
  stacks_->map_file(pid, rec.start, rec.end, rec.pgoff, path, rec.kind == DT_MAP_EXEC);
}

// -s: unwound as soon as it arrives (the process, whose mappings name the frames, may end soon),
// kept until the thread's syscall record.
void BpfTracer::handle_stack(const void* data, size_t size) {
  dt_stack rec;
  std::memcpy(&rec, data, sizeof(rec));
  auto pid = static_cast<pid_t>(rec.pid);
  StackRecordParts parts = stack_record_parts(rec, data, size);
  StackCopyReader mem(rec.sp, parts.bytes, parts.len);
  UserRegs regs;
  regs.ip = rec.ip;
  regs.gp[UserRegs::kRsp] = rec.sp;
  regs.gp[UserRegs::kRbp] = rec.bp;
  PendingStack& out = pending_stacks_[static_cast<pid_t>(rec.tid)];
  if (out.frames.empty()) out.frames.swap(spare_frames_);
  stacks_->unwind(pid, static_cast<pid_t>(rec.tid), regs, mem, &out.frames);
  out.dwarf = true;
  // Not unwound past where it is, and not because that is the outermost frame (the copy too
  // small, say): the kernel's frame-pointer walk, when it found more, named the same way and
  // marked as such. Past the first frame it ends at an address in no module, or one seen before:
  // a chain through code that uses rbp for something else leads nowhere, or loops.
  size_t nfp = parts.nfp;
  if (out.frames.size() > 1 || stacks_->last_complete() || nfp <= 1) return;
  std::vector<uint64_t> pcs(nfp);
  std::memcpy(pcs.data(), parts.fp, nfp * 8);
  std::vector<StackFrame> fp;
  stacks_->symbolize(pid, pcs, &fp);
  for (size_t i = 1; i < fp.size(); ++i) {
    bool seen = std::find(pcs.begin(), pcs.begin() + static_cast<long>(i), pcs[i]) !=
                pcs.begin() + static_cast<long>(i);
    if (seen || fp[i].module == "[anon]" || fp[i].module == "[unknown]") {
      fp.resize(i);
      break;
    }
  }
  if (fp.size() <= 1) return;
  out.frames.swap(fp);
  out.dwarf = false;
}

// -y: what an fd refers to after a call: kept for the call's own record when one follows (its
// fd arguments are named as they were before it), else taken now.
void BpfTracer::handle_fd(const void* data, size_t size) {
  dt_fd rec;
  std::memcpy(&rec, data, sizeof(rec));
  size_t len = std::min<size_t>({size_t{rec.path_len}, size - sizeof(dt_fd), size_t{DT_PATH_MAX}});
  FdNote note = fd_note(rec, static_cast<const char*>(data) + sizeof(dt_fd), len);
  if (rec.with_call)
    (rec.with_call == DT_FD_FOR_URING ? pending_uring_fds_
                                      : pending_fds_)[static_cast<pid_t>(rec.tid)]
        .push_back(std::move(note));
  else
    fds_.apply(static_cast<pid_t>(rec.pid), static_cast<pid_t>(rec.tid), note);
}

void BpfTracer::handle_exit(const void* data) {
  dt_exit rec;
  std::memcpy(&rec, data, sizeof(rec));
  if (child_ > 0 && !child_started_ && static_cast<pid_t>(rec.pid) == child_) {
    if (!st_->skel->bss->cmd_started) {  // its exec failed: the command never ran
      exited_since_check_ = true;
      return;
    }
    child_started_ = true;
  }
  ExitEvent ev;
  ev.task.pid = static_cast<int32_t>(rec.pid);
  ev.task.tid = static_cast<int32_t>(rec.pid);
  std::memcpy(ev.task.comm.data(), rec.comm, sizeof(rec.comm));
  ev.task.comm[15] = 0;
  ev.ts_ns = rec.ts_ns;
  int code = static_cast<int>(rec.exit_code);
  ev.signaled = (code & 0x7f) != 0;
  ev.code = ev.signaled ? (code & 0x7f) : ((code >> 8) & 0xff);
  ev.core_dumped = ev.signaled && (code & 0x80) != 0;
  fds_.forget(ev.task.pid);
  if (stacks_) stacks_->forget(ev.task.pid);
  exited_since_check_ = true;
  exit_seen_ = true;
  out_.on_exit(ev);
}

void BpfTracer::handle_signal(const void* data) {
  dt_signal rec;
  std::memcpy(&rec, data, sizeof(rec));
  // (--summary sends no execve events: the kernel side's flag tells the command has started.)
  if (child_ > 0 && !child_started_ && static_cast<pid_t>(rec.pid) == child_ &&
      !(cfg_.summary_only && st_->skel->bss->cmd_started))
    return;
  siginfo_t si{};
  std::memcpy(&si, rec.info, sizeof(rec.info));
  SignalEvent ev;
  ev.task.pid = static_cast<int32_t>(rec.pid);
  ev.task.tid = static_cast<int32_t>(rec.tid);
  std::memcpy(ev.task.comm.data(), rec.comm, sizeof(rec.comm));
  ev.task.comm[15] = 0;
  ev.task.pidns = rec.pidns;
  ev.task.ns_pid = rec.ns_pid;
  ev.task.ns_tid = rec.ns_tid;
  ev.ts_ns = rec.ts_ns;
  ev.signo = static_cast<int>(rec.signo);
  ev.set_info(si);
  ev.has_info = si.si_signo == ev.signo;  // the kernel's copy is of this signal's info
  out_.on_signal(ev);
  if (rec.stops) out_.on_stop({ev.task, ev.ts_ns, ev.signo});  // job control: it stops now
}

void BpfTracer::handle_untraced(const void* data) {
  dt_untraced rec;
  std::memcpy(&rec, data, sizeof(rec));
  auto pid = static_cast<pid_t>(rec.pid);
  std::string comm = escaped(std::string_view(rec.comm, strnlen(rec.comm, sizeof(rec.comm))));
  std::string why(denial_text(static_cast<PtraceDenial>(rec.why)));
  if (rec.why == DT_DENY_USER) why += " (euid " + std::to_string(rec.uid) + ")";
  if (rec.at == DT_UNTRACED_NAME) {
    if (skipped_.insert(pid).second) skipped_later_.emplace_back(pid, why);
    return;
  }
  // Its trace ends here: no exit record will come.
  fds_.forget(pid);
  if (stacks_) stacks_->forget(pid);
  exited_since_check_ = true;
  if (rec.at == DT_UNTRACED_EXEC) {
    std::string path = escaped(std::string_view(rec.path, strnlen(rec.path, sizeof(rec.path))));
    out_.on_notice({0, "process " + std::to_string(pid) + " (" + comm +
                           ") runs with other credentials from its exec of '" + path + "': " + why +
                           "; no longer traced (that needs " + kPtraceCap + ")"});
  } else {
    out_.on_notice({0, "process " + std::to_string(pid) + " (" + comm +
                           "), forked by traced process " + std::to_string(rec.parent) +
                           ", is not traced: " + why + ", and tracing it needs " + kPtraceCap});
  }
}

}  // namespace dtruss
