// The benchmarks' probes start their command gated: the child waits on a pipe until the probe
// has put it in its maps and attached, then execs, so that not one of its syscalls is missed.
#ifndef BENCH_GATED_CHILD_H
#define BENCH_GATED_CHILD_H

#include <sys/types.h>
#include <unistd.h>

// Forks `argv[0]` with its arguments, held before exec; *go is the pipe end whose one byte lets
// it run (write it, then close it). Returns the child's pid, or -1.
static pid_t start_gated(char** argv, int* go) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t child = fork();
  if (child < 0) return -1;
  if (child == 0) {
    char c;
    close(p[1]);
    if (read(p[0], &c, 1) != 1) _exit(125);
    close(p[0]);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(p[0]);
  *go = p[1];
  return child;
}

#endif
