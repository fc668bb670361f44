// Part 11's recording side: -w (a capture file) and --flight-recorder (the last events in memory,
// written on SIGUSR1, a --trigger or a failed command). The Recorder (src/capture) sits between
// the backend and the pipeline; this says what it records and checks the options first.
#pragma once

#include <string>
#include <vector>

#include "capture/format.h"
#include "capture/recorder.h"
#include "cli/options.h"

namespace dtruss {

// -w or --flight-recorder: the backend's events are recorded.
bool recording(const Options& opt);
// Whether the options ask for a view besides the recording (-w FILE alone writes only the file):
// an output (--output, --json, -c, --summary, --timeline, --folded) or an option that changes
// only what the lines show (-y, -d, -e, -T, --timestamps, -x, -X, -l, -Y, --status, -P ...).
bool live_view(const Options& opt);
// What the capture holds and was taken on: the backend, the kernel, the syscall table, the data.
capture::CaptureInfo capture_info(const Options& opt);
// The syscall table's identity (FNV-1a of its numbers and names), and its size.
uint64_t syscall_table_hash(uint32_t* size);
// Checks --trigger and the flight recorder's file; "" or the message. `triggers` gets them.
std::string check_recording(const Options& opt, std::vector<capture::Trigger>* triggers);
// Where the flight recorder writes: -w FILE, else dtruss-flight-PID.cap in the current directory.
std::string flight_path(const Options& opt);
// SIGUSR1 asks the flight recorder to write its events.
void install_dump_handler();

}  // namespace dtruss
