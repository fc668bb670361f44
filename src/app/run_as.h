// Whom the trace runs as: -u USER for the started command, the user behind sudo (who owns the
// files dtruss writes), and what the kernel does to a set-ID program traced with ptrace.
#pragma once

#include <string>

#include "core/target.h"

namespace dtruss {

// The user behind sudo, when dtruss runs as root through it (-1 otherwise).
long sudo_user();

// -u NAME: the user and its groups. False with a message when dtruss is not root or there is no
// such user.
bool resolve_user(const std::string& name, RunAs* out, std::string* error);

// The note for a set-user-ID or set-group-ID program traced with ptrace by a tracer without
// privileges (the kernel runs it without them), or "".
std::string setid_note(const std::string& path, bool bpf);

}  // namespace dtruss
