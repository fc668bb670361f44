// The cheapest syscall in a loop: the worst case for any tracer (argv[1] calls, default 1e6;
// argv[2] threads sharing them, default 1).
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long per_thread;

static void* run(void* arg) {
  (void)arg;
  for (long i = 0; i < per_thread; i++) syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char** argv) {
  long calls = argc > 1 ? atol(argv[1]) : 1000000;
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  per_thread = calls / threads;
  pthread_t t[64];
  for (int i = 0; i < threads && i < 64; i++) pthread_create(&t[i], NULL, run, NULL);
  for (int i = 0; i < threads && i < 64; i++) pthread_join(t[i], NULL);
  return 0;
}
