#include "backends/ptrace/affinity.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace dtruss {

int last_cpu_of(pid_t tid) {
  std::string path = "/proc/" + std::to_string(tid) + "/stat";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  // The fields after the name (which may hold anything, parentheses too): the state is field 3,
  // "processor" field 39 (proc(5)).
  char* p = std::strrchr(buf, ')');
  if (p == nullptr) return -1;
  ++p;
  for (int field = 3; field < 39; ++field) {
    p = std::strchr(p + 1, ' ');
    if (p == nullptr) return -1;
  }
  char* end = nullptr;
  long cpu = std::strtol(p + 1, &end, 10);
  return end != p + 1 && cpu >= 0 && cpu < CPU_SETSIZE ? static_cast<int>(cpu) : -1;
}

void TracerAffinity::start() {
  if (mode_ == TracerCpu::Off || started_) return;
  started_ = true;
  if (sched_getaffinity(0, sizeof(allowed_), &allowed_) != 0) {
    mode_ = TracerCpu::Off;
    return;
  }
  if (CPU_COUNT(&allowed_) < 2) {  // nowhere else to go
    mode_ = TracerCpu::Off;
    return;
  }
  move_to(sched_getcpu());
}

TracerAffinity::~TracerAffinity() {
  if (schedstat_fd_ >= 0) close(schedstat_fd_);
}

uint64_t TracerAffinity::run_delay_ns() {
  if (schedstat_fd_ < 0) schedstat_fd_ = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  char buf[96];
  ssize_t n = schedstat_fd_ >= 0 ? pread(schedstat_fd_, buf, sizeof(buf) - 1, 0) : -1;
  if (n <= 0) return 0;
  buf[n] = 0;
  char* p = nullptr;
  std::strtoull(buf, &p, 10);  // the time on the CPU, then the time waiting for one
  return std::strtoull(p, nullptr, 10);
}

void TracerAffinity::check(pid_t tid, uint64_t now_ns) {
  if (mode_ == TracerCpu::Off || !started_) return;
  uint64_t delay = run_delay_ns();
  uint64_t waited = delay - last_delay_ns_, elapsed = now_ns - last_check_ns_;
  bool first = last_check_ns_ == 0;
  last_check_ns_ = now_ns;
  last_delay_ns_ = delay;
  if (first) return;
  if (cpu_ < 0) {  // let go: pinned again once the time is up
    if (now_ns < released_until_) return;
    int cpu = mode_ == TracerCpu::Follow ? last_cpu_of(tid) : -1;
    move_to(cpu >= 0 ? cpu : sched_getcpu());
    return;
  }
  busy_checks_ = waited * 4 > elapsed ? busy_checks_ + 1 : 0;
  if (busy_checks_ >= kBusyChecks) {
    busy_checks_ = 0;
    if (sched_setaffinity(0, sizeof(allowed_), &allowed_) == 0) {
      cpu_ = -1;
      released_until_ = now_ns + kReleaseNs;
    }
    return;
  }
  if (mode_ == TracerCpu::Follow) {
    int cpu = last_cpu_of(tid);
    if (cpu >= 0 && cpu != cpu_) move_to(cpu);
  }
}

void TracerAffinity::move_to(int cpu) {
  if (cpu < 0 || !CPU_ISSET(cpu, &allowed_)) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (sched_setaffinity(0, sizeof(one), &one) == 0) cpu_ = cpu;
}

}  // namespace dtruss
