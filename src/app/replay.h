// -R FILE: a capture's events through the same pipeline as a live trace, with any view options;
// the same options show the same output, byte for byte. Needs no root and no eBPF.
#pragma once

#include "cli/options.h"

namespace dtruss {

// Replays opt.replay_file; returns dtruss's exit status (2: bad usage or a file it does not read,
// 1: the file ends early, or an output failed).
int replay(Options& opt);

}  // namespace dtruss
