// What each syscall does, in words: its description, the meaning of each argument and of the
// return value, and its common errno values with what they mean for that call. The data is
// written in src/syscalls/descriptions/*.txt and generated into descriptions.inc.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "syscalls/table.h"

namespace dtruss {

struct ErrnoDoc {
  int err;              // the errno value (the generator emits the <errno.h> macro)
  const char* name;     // "ENOENT"
  const char* meaning;  // what it means for this call
};

inline constexpr int kMaxErrnoDocs = 8;

struct SyscallDoc {
  int nr;
  const char* name;
  const char* about;           // one line: what the call does
  const char* returns;         // what a successful call returns
  const char* args[kMaxArgs];  // per argument, in the table's order (nullptr past nargs)
  int nerrnos;
  ErrnoDoc errnos[kMaxErrnoDocs];
};

// Every described syscall, in number order.
std::span<const SyscallDoc> all_syscall_docs();
// nullptr for a number without a description.
const SyscallDoc* syscall_doc(long nr);
// What `err` means for syscall `nr` when the data says; empty otherwise (callers then use the
// generic errno message).
std::string_view errno_meaning(long nr, int err);
// The description as a phrase to follow "name: " ("opens a file ..." without the final period).
std::string about_phrase(const SyscallDoc& doc);
// The `dtruss --explain NAME` text: signature with types and names, description, arguments,
// return value and errors.
std::string explain_text(const SyscallInfo& info);

}  // namespace dtruss
