// fork + exec /bin/true + wait, argv[1] times (default 200).
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p == 0) {
      execl("/bin/true", "true", (char*)NULL);
      _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
  }
  return 0;
}
