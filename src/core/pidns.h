// --pidns-translation: PIDs as a traced program in another PID namespace sees them, and as dtruss
// sees them. The backends tell each event's thread's IDs in its own namespace (TaskId::ns_*); the
// translator learns from them which host PID each namespace PID is, and asks /proc (NSpid) for
// the PIDs no event told.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

namespace dtruss {

struct TaskId;

// The inode number of a process's PID namespace (/proc/PID/ns/pid), 0 when unknown.
uint32_t pid_namespace_of(pid_t pid);

// A thread's IDs in its own PID namespace: /proc/TID/status's last NStgid and NSpid entries, and
// the namespace's inode number. False when the thread is gone.
bool read_ns_ids(pid_t tid, uint32_t* pidns, int32_t* ns_pid, int32_t* ns_tid);

class PidTranslator {
 public:
  // `own_pidns`: dtruss's namespace (0: read from /proc/self).
  explicit PidTranslator(uint32_t own_pidns = 0);

  // Takes what an event tells of its thread (nothing when it is in dtruss's namespace).
  void learn(const TaskId& task);
  // Takes what a backend tells of a new process: `ns_id` of namespace `ns` is `host`.
  void learn(uint32_t ns, int32_t ns_id, int32_t host);
  // The namespace of `task`'s thread: as the event tells, else as an event of it told before
  // (a signal's), else 0 (dtruss's own, or unknown).
  uint32_t namespace_of(const TaskId& task) const;
  // The host PID of `value` (a PID, TID, or process group ID; negative: a process group, as
  // kill's) as `task`'s thread sees it; nullopt when not translatable (0, -1, unknown).
  std::optional<int64_t> host_of(const TaskId& task, int64_t value);

 private:
  std::optional<int32_t> find(uint32_t ns, int32_t id) const;
  void scan_proc();

  uint32_t own_;
  std::map<std::pair<uint32_t, int32_t>, int32_t> host_;  // (namespace, ns id) -> host id
  std::unordered_map<int32_t, uint32_t> ns_of_tid_;       // host tid -> its namespace
  std::set<std::pair<uint32_t, int32_t>> missed_;         // looked for in /proc, not found
};

}  // namespace dtruss
