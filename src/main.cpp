// dtruss for Linux: parse the options, choose the backend, open the outputs, build the pipeline,
// trace, report; exit with the traced command's status. Each step is a unit of src/app/.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "app/backend_choice.h"
#include "app/clickhouse_setup.h"
#include "app/outputs.h"
#include "app/pipeline_setup.h"
#include "app/recording.h"
#include "app/replay.h"
#include "app/target.h"
#include "app/trace.h"
#include "backends/common/launch.h"
#include "cli/options.h"
#include "core/interrupt.h"
#include "syscalls/describe.h"
#include "syscalls/selection.h"
#include "util/writer.h"

namespace dtruss {
namespace {

int usage_error(const std::string& msg) {
  say(msg);
  return kUsageError;
}

// `dtruss --explain NAME`: NAME alone and a syscall -> explain it (0); a command -> trace it,
// annotated (nullopt: go on); neither -> the -t suggestion (2).
std::optional<int> explain_or_trace(Options* opt) {
  if (!opt->explain) return std::nullopt;
  opt->annotate = true;
  if (opt->command.size() != 1) return std::nullopt;
  const std::string& name = opt->command[0];
  if (const SyscallInfo* s = syscall_by_name(name)) {
    if (write_all(STDOUT_FILENO, explain_text(*s))) return 0;
    say(fmt::format("cannot write to standard output: {}", std::strerror(errno)));
    return 1;
  }
  std::string path, error;
  if (resolve_command(name, &path, &error)) return std::nullopt;
  return usage_error(fmt::format("--explain: {}, and no command of that name to trace",
                                 unknown_syscall_message(name)));
}

// The options, or the status to exit with now (help, version, a usage error, --explain NAME).
std::optional<int> parse(int argc, char** argv, Options* opt) {
  switch (parse_options(argc, argv, opt)) {
    case ParseOutcome::ExitOk:
      return 0;
    case ParseOutcome::ExitUsage:
      return kUsageError;
    case ParseOutcome::ExitFailed:
      return 1;
    case ParseOutcome::Run:
      break;
  }
  return explain_or_trace(opt);
}

int run(int argc, char** argv) {
  Options opt;
  if (std::optional<int> done = parse(argc, argv, &opt)) return *done;
  if (!opt.replay_file.empty()) return replay(opt);  // (-R: a capture's events, traced before)
  if (std::string error = choose_backend(&opt); !error.empty()) return usage_error(error);
  TraceTarget target;
  SyscallSelection selection;
  if (std::string error = build_target(opt, &target, &selection); !error.empty())
    return usage_error(error);
  std::vector<capture::Trigger> triggers;  // (-w, --flight-recorder: checked before any file)
  if (std::string error = check_recording(opt, &triggers); !error.empty())
    return usage_error(error);
  std::optional<ClickHouseSetup> clickhouse;  // (--clickhouse: the server asked, before any file)
  if (std::string error = prepare_clickhouse(opt, argc, argv, &clickhouse); !error.empty())
    return usage_error(error);
  Outputs outputs;  // every output opened and checked before any is emptied
  if (std::string error = outputs.open(opt); !error.empty()) return usage_error(error);
  install_stop_handlers();
  if (opt.flight_recorder != 0) install_dump_handler();
  TracePipeline pipeline(opt, selection.selected, outputs);
  if (clickhouse) add_clickhouse_sink(pipeline, std::move(*clickhouse));
  auto backend = [&] {
    return make_backend(opt, std::move(target), pipeline.plans(), pipeline.consumer());
  };
  return trace(backend, pipeline, outputs, opt);
}

}  // namespace
}  // namespace dtruss

// Nothing aborts dtruss: an exception that escapes (a failed allocation, say) ends it with a
// message and status 1, after the tracer's destructors have let the traced processes go.
int main(int argc, char** argv) {
  try {
    return dtruss::run(argc, argv);
  } catch (const std::exception& e) {
    dtruss::say(std::string("internal error: ") + e.what());
  }
  return 1;
}
