// -s with --summary or --folded: calls counted per syscall and per distinct user stack.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/event.h"

namespace dtruss {

class StackCounts {
 public:
  // One call of `syscall` with `stack` (innermost first; frames named by frame_label).
  void add(const std::string& syscall, const std::vector<StackFrame>& stack);

  struct Entry {
    const std::string* syscall;
    const std::vector<std::string>* frames;  // innermost first
    uint64_t count;
  };
  // The `top` most frequent stacks of each syscall (all with top == 0), by syscall name, then
  // most frequent first.
  std::vector<Entry> top(size_t top) const;
  // Folded stacks, one line each: `outer;...;inner;syscall count` (what flame-graph tools read).
  std::string folded() const;
  bool empty() const { return by_call_.empty(); }

 private:
  // syscall -> innermost-first frame labels -> calls
  std::map<std::string, std::map<std::vector<std::string>, uint64_t>> by_call_;
};

}  // namespace dtruss

#include "output/sink.h"
#include "util/writer.h"

namespace dtruss {

// --folded FILE: the calls' stacks, folded, written when the trace ends.
class FoldedSink final : public Sink {
 public:
  // Takes ownership of `fd` (closed at destruction).
  explicit FoldedSink(int fd);
  ~FoldedSink() override;
  FoldedSink(const FoldedSink&) = delete;
  FoldedSink& operator=(const FoldedSink&) = delete;

  void syscall(const DecodedCall& call) override;
  void finish() override;
  Writer& writer() { return out_; }
  bool failed() const { return out_.failed(); }
  int error() const { return out_.error(); }

 private:
  int fd_;
  Writer out_;
  StackCounts counts_;
};

}  // namespace dtruss
