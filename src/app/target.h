// The options' TraceTarget, every part of it checked before anything is opened or started.
#pragma once

#include <string>
#include <vector>

#include "cli/options.h"
#include "core/target.h"
#include "syscalls/selection.h"

namespace dtruss {

// Fills `target` and `selection` (-t) from `opt` (whose backend is chosen): -t parsed (its notes
// said), -u resolved, the command found (a set-ID note said), every -p PID checked. "" on
// success, else the usage error.
std::string build_target(const Options& opt, TraceTarget* target, SyscallSelection* selection);

// -P: each path as given and, when it differs, as resolved (a symlink's target, which is what an
// fd's file is named by).
std::vector<std::string> path_forms(const std::vector<std::string>& paths);

}  // namespace dtruss
