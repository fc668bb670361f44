// Bytes a traced call was given that the kernel side could not read: their page was never
// brought into memory, and the call did not touch it either (a string literal written to
// /dev/null). A BPF program may not fault pages in; when the page lies in a read-only file
// mapping, its bytes are the file's, and user space reads them there (events.h, DT_CAP_FILE and
// DT_MAP_DATA). Anything else stays unread: the decoder then shows the pointer, as for memory it
// cannot read.
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

class UnreadFiles {
 public:
  UnreadFiles() = default;
  ~UnreadFiles();
  UnreadFiles(const UnreadFiles&) = delete;
  UnreadFiles& operator=(const UnreadFiles&) = delete;

  // A DT_MAP_DATA record: a mapping that holds some of its thread's next call's unread bytes.
  void on_map(const void* data, size_t size);
  // Adds to ev's captures what of `unread` the files of the mappings its thread's DT_MAP_DATA
  // records named hold; those records are then spent.
  void fill(SyscallEvent& ev, const std::vector<UnreadCapture>& unread);

 private:
  struct Mapping {
    uint64_t start, end, pgoff, ino;
    uint32_t dev;  // the kernel's dev_t: major << 20 | minor
    std::string path;
  };
  int open_file(pid_t pid, const Mapping& m);
  bool read_into(SyscallEvent& ev, const Mapping& m, int fd, const UnreadCapture& u);

  std::map<pid_t, std::vector<Mapping>> maps_;    // by thread, until its next call's record
  std::list<std::pair<std::string, int>> files_;  // open files by "dev:ino", the latest first
};

}  // namespace dtruss
