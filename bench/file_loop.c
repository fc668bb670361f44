// open/read/fstat/close of a small file in a loop (argv[1] iterations, default 100000).
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  char buf[256];
  struct stat st;
  for (long i = 0; i < n; i++) {
    int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1;
    if (read(fd, buf, sizeof(buf)) < 0) return 1;
    fstat(fd, &st);
    close(fd);
  }
  return 0;
}
