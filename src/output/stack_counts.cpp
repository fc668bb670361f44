#include "output/stack_counts.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>

#include "output/stack_render.h"
#include "util/text.h"

namespace dtruss {

void StackCounts::add(const std::string& syscall, const std::vector<StackFrame>& stack) {
  std::vector<std::string> labels;
  labels.reserve(stack.size());
  for (const StackFrame& f : stack) labels.push_back(frame_label(f));
  ++by_call_[syscall][labels];
}

std::vector<StackCounts::Entry> StackCounts::top(size_t top) const {
  std::vector<Entry> out;
  for (const auto& [name, stacks] : by_call_) {
    size_t first = out.size();
    for (const auto& [frames, n] : stacks) out.push_back({&name, &frames, n});
    std::stable_sort(out.begin() + static_cast<long>(first), out.end(),
                     [](const Entry& a, const Entry& b) { return a.count > b.count; });
    if (top != 0 && out.size() - first > top) out.resize(first + top);
  }
  return out;
}

std::string StackCounts::folded() const {
  std::string out;
  for (const Entry& e : top(0)) {
    // Outermost first; ';' separates frames, so none is left inside one. (The count follows the
    // last space: spaces inside frames are fine.) A frame names the traced program's files and
    // symbols: escaped, so that no newline in one starts a line of its own.
    for (auto it = e.frames->rbegin(); it != e.frames->rend(); ++it) {
      for (char c : escaped(*it)) out += c == ';' ? ':' : c;
      out += ';';
    }
    fmt::format_to(std::back_inserter(out), "{} {}\n", *e.syscall, e.count);
  }
  return out;
}

FoldedSink::FoldedSink(int fd) : fd_(fd), out_(fd, false) {}

FoldedSink::~FoldedSink() {
  out_.flush();
  close(fd_);
}

void FoldedSink::syscall(const DecodedCall& call) {
  if (!call.ev->stack.empty()) counts_.add(call.name, call.ev->stack);
}

void FoldedSink::finish() {
  out_.write(counts_.folded());
  out_.flush();
}

}  // namespace dtruss
