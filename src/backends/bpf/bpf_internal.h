// What the eBPF backend's own files share (bpf_tracer.cpp: the trace; bpf_load.cpp: loading the
// program; bpf_records.cpp: the records it sends): the skeleton's state and a few helpers. Not
// for use outside src/backends/bpf.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/types.h>

#include <cstdarg>
#include <string>
#include <utility>
#include <vector>

#include "backends/bpf/bpf_tracer.h"
#include "dtruss.skel.h"

namespace dtruss {

struct BpfTracer::State {
  dtruss_bpf* skel = nullptr;
  ring_buffer* rb = nullptr;
  ~State() {
    if (rb != nullptr) ring_buffer__free(rb);
    if (skel != nullptr) dtruss_bpf__destroy(skel);  // detaches and frees every program and map
  }
};

namespace bpf_shared {

// The consumer's nice value (see run()).
constexpr int kConsumerNice = -10;
inline constexpr const char* kPtraceCap = "CAP_SYS_PTRACE (root)";

// The threads of a process now (0 when it is gone), and "N threads".
int thread_count(pid_t pid);
std::string threads_text(int n);
// A wait status as an exit status (128 + N for signal N).
int exit_status_of(int wait_status);
// Whether dtruss has capability `cap` (linux/capability.h) in its effective set.
bool has_capability(int cap);
// libbpf's messages (installed by load()), and the last lines of them, which say why it failed.
int collect_libbpf_log(enum libbpf_print_level level, const char* fmt, va_list args);
std::string log_tail(size_t lines);
// DTRUSS_VERIFIER_STATS=1: the start-up's steps timed (bpf_load.cpp). mark(what) ends the step
// `what` (from the previous mark, the first from the program's start); report() prints them, with
// libbpf's own steps (its debug messages, timed as they come) within the load, on standard error.
namespace startup {
bool enabled();
void mark(const char* what);
void report();
}  // namespace startup
// The ring buffer's callback: the tracer's on_record.
int ring_callback(void* ctx, void* data, size_t size);
// -n: one line for the processes of that name left alone, each with its reason.
std::string skipped_text(const std::string& name,
                         const std::vector<std::pair<pid_t, std::string>>& procs, bool more,
                         bool later);

// Calls fn(key) for each key of the map fd (the keys present as the walk goes).
template <typename Key, typename Fn>
void for_each_key(int fd, Fn fn) {
  Key key{}, next{};
  bool first = true;
  while (bpf_map_get_next_key(fd, first ? nullptr : &key, &next) == 0) {
    first = false;
    key = next;
    fn(key);
  }
}

}  // namespace bpf_shared
}  // namespace dtruss
