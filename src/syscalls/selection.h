// The -t LIST syntax: comma-separated syscall names and %classes, each optionally negated with
// '!'. A list of only negations means "everything but". dtruss's `exec` names execve and execveat.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dtruss {

struct SyscallSelection {
  // Indexed by syscall number; io_uring operations (uring:NAME, %uring) at kUringSlot0 + opcode
  // (syscalls/uring_ops.h).
  std::vector<bool> selected;
  std::vector<long> numbers;       // the selected numbers, ascending
  std::vector<std::string> hints;  // advice for the person (e.g. open is rarely used on Linux)
  // io_uring operations selected, by opcode (kUringOpMax of them).
  std::vector<bool> uring;
};

// "unknown syscall 'opne' (did you mean: open?)": the message for a name that is no syscall.
std::string unknown_syscall_message(std::string_view name);

// strace's classes that are lists of names rather than the table's (%stat, %%stat, %pure ...),
// each without its first %, as class_names().
std::span<const std::string_view> named_class_names();
// The words LIST takes besides syscall names and %classes: exec (execve and execveat), all.
std::span<const std::string_view> selection_words();

// Parses LIST; on an unknown name returns false with a message that suggests the closest names.
bool parse_syscall_list(std::string_view list, SyscallSelection* out, std::string* error);

}  // namespace dtruss
