// Runs a command under count_floor.bpf.o: the probes are attached before the command execs and
// only count its calls (those of its thread group: threads yes, forked children no).
//   count_floor PROG.bpf.o COMMAND [ARG...]
// Prints "count_floor: N enter, M exit" on stderr and exits with the command's status.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gated_child.h"

static int fail(const char* what) {
  fprintf(stderr, "count_floor: %s\n", what);
  return 125;
}

// Sums a per-CPU counter.
static unsigned long long total(int map_fd, __u32 slot) {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return 0;
  unsigned long long* per_cpu = calloc((size_t)cpus, sizeof(*per_cpu));
  unsigned long long sum = 0;
  if (per_cpu && bpf_map_lookup_elem(map_fd, &slot, per_cpu) == 0)
    for (int i = 0; i < cpus; i++) sum += per_cpu[i];
  free(per_cpu);
  return sum;
}

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: count_floor PROG.bpf.o COMMAND [ARG...]");
  struct bpf_object* obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj) != 0) return fail("cannot load the eBPF program");

  // The child waits on a pipe until its tgid is in the map and the probes are attached.
  int go = -1;
  pid_t child = start_gated(argv + 2, &go);
  if (child < 0) return fail("cannot start the command");
  __u32 tgid = (__u32)child;
  __u8 one = 1;
  int tgids_fd = bpf_object__find_map_fd_by_name(obj, "tgids");
  int counts_fd = bpf_object__find_map_fd_by_name(obj, "counts");
  if (tgids_fd < 0 || counts_fd < 0 || bpf_map_update_elem(tgids_fd, &tgid, &one, BPF_ANY) != 0) {
    kill(child, SIGKILL);
    return fail("maps not found");
  }
  struct bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__attach(prog)) {
      kill(child, SIGKILL);
      return fail("cannot attach a probe");
    }
  }
  if (write(go, "g", 1) != 1) return fail("cannot start the command");
  close(go);

  int status = 0;
  if (waitpid(child, &status, 0) < 0) return fail("waitpid failed");
  fprintf(stderr, "count_floor: %llu enter, %llu exit\n", total(counts_fd, 0), total(counts_fd, 1));
  bpf_object__close(obj);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
