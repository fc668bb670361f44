// -s: how a stack frame reads in the text trace, in JSON, and in folded stacks and summaries.
#pragma once

#include <string>
#include <vector>

#include "core/event.h"

namespace dtruss {

// `    libc.so.6`open64+0x5b [0x7f3a…] /path/file.c:12` lines, one per frame, each ending in \n.
void append_stack_text(std::string& out, const SyscallEvent& ev);
// `,"stack":[{"addr":…,"module":…,"symbol":…,"offset":…,"file":…,"line":…}…]` (nothing when empty).
void append_stack_json(std::string& out, const SyscallEvent& ev);
// One frame as a short label: `module`symbol`, `module`+0xOFF` without a symbol, `[anon]` address.
std::string frame_label(const StackFrame& f);

}  // namespace dtruss
