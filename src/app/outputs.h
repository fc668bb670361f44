// The files dtruss writes besides its standard error: the trace (--output), the timeline
// (--timeline), the folded stacks (--folded). All are opened and checked before any is emptied
// or anything is traced; a file this run made is removed again when nothing could be traced.
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "cli/options.h"

namespace dtruss {

enum class OutputKind { Trace, Timeline, Folded, Capture };

struct OutputFile {
  OutputKind kind;
  const char* what;  // for messages: "trace", "timeline", "folded stacks"
  std::string path;
  int fd = -1;
  bool created = false;   // by this run: removed again if nothing could be traced
  bool truncate = false;  // a file that existed: emptied by the first write into it
  struct stat st {};
};

class Outputs {
 public:
  Outputs() = default;
  Outputs(const Outputs&) = delete;
  Outputs& operator=(const Outputs&) = delete;
  ~Outputs();

  // Opens every output `opt` names, or none. "" on success, else the message.
  std::string open(const Options& opt);
  // The fd of an output (owned by Outputs until taken), or -1 when it was not asked for.
  int fd(OutputKind kind) const;
  // Whether the output is an existing file, to be emptied by its first write.
  bool truncate(OutputKind kind) const;
  // The timeline and folded sinks close their fds themselves.
  void hand_over(OutputKind kind);
  // Nothing was traced: the files this run made are removed (those that existed stay as they were).
  void remove_created() const;

 private:
  const OutputFile* find(OutputKind kind) const;
  std::vector<OutputFile> files_;
};

}  // namespace dtruss
