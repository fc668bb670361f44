// The captures of a call whose bytes are not in its record (events.h), put into its event:
// - DT_CAP_CHUNKED: a capture larger than one record holds (a directory's records), sent before
//   the call's record as DT_CHUNK records of its thread.
// - DT_CAP_FILE: bytes the kernel side could not read: their page was never brought into memory,
//   and the call did not touch it either (a string literal written to /dev/null). A BPF program
//   may not fault pages in; when the page lies in a read-only file mapping (a DT_MAP_DATA record
//   of the thread's came before), its bytes are the file's, and are read there. Anything else
//   stays unread: the decoder then shows the pointer, as for memory it cannot read.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <vector>

#include "backends/bpf/records.h"
#include "core/event.h"

namespace dtruss {

class LateCaptures {
 public:
  LateCaptures() = default;
  ~LateCaptures();
  LateCaptures(const LateCaptures&) = delete;
  LateCaptures& operator=(const LateCaptures&) = delete;

  // A DT_MAP_DATA record: a mapping that holds some of its thread's next call's unread bytes.
  void on_map(const void* data, size_t size);
  // A DT_CHUNK record: a piece of its thread's next call's DT_CAP_CHUNKED capture.
  void on_chunk(const void* data, size_t size);
  // Adds `late` to ev's captures: the pieces and the files its thread's records before it gave;
  // those records are then spent.
  void fill(SyscallEvent& ev, const std::vector<LateCapture>& late);

 private:
  struct Mapping {
    uint64_t start, end, pgoff, ino;
    uint32_t dev;  // the kernel's dev_t: major << 20 | minor
    std::string path;
  };
  struct Piece {
    uint64_t addr;
    std::vector<uint8_t> bytes;
  };
  int open_file(pid_t pid, const Mapping& m);
  bool read_into(SyscallEvent& ev, const Mapping& m, int fd, const LateCapture& u);
  void from_file(SyscallEvent& ev, const std::vector<Mapping>& maps, const LateCapture& u);
  static void from_pieces(SyscallEvent& ev, const std::vector<Piece>& pieces, const LateCapture& u);

  // By thread, until its next call's record.
  std::map<pid_t, std::vector<Mapping>> maps_;
  std::map<pid_t, std::vector<Piece>> pieces_;
  std::list<std::pair<std::string, int>> files_;  // open files by "dev:ino", the latest first
};

}  // namespace dtruss
