// io_uring operations in a loop: argv[1] reads of 64 bytes from /dev/zero (default 100,000),
// submitted argv[2] at a time (default 8) with one io_uring_enter per batch: the cost of tracing
// each operation, which no syscall tracepoint sees.
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  long ops = argc > 1 ? atol(argv[1]) : 100000;
  int batch = argc > 2 ? atoi(argv[2]) : 8;
  if (batch < 1 || batch > 64) batch = 8;
  struct io_uring ring;
  if (io_uring_queue_init(64, &ring, 0) != 0) return 1;
  int fd = open("/dev/zero", O_RDONLY);
  if (fd < 0) return 2;
  static char bufs[64][64];
  for (long done = 0; done < ops;) {
    int n = 0;
    for (; n < batch && done + n < ops; n++)
      io_uring_prep_read(io_uring_get_sqe(&ring), fd, bufs[n], sizeof bufs[n], 0);
    if (io_uring_submit_and_wait(&ring, n) < 0) return 3;
    struct io_uring_cqe* c;
    for (int i = 0; i < n; i++) {
      if (io_uring_wait_cqe(&ring, &c) != 0 || c->res != 64) return 4;
      io_uring_cqe_seen(&ring, c);
    }
    done += n;
  }
  io_uring_queue_exit(&ring);
  return 0;
}
