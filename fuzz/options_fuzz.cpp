// Option parsing fuzz: the input is split at NUL bytes into argv (argv[0] is "dtruss"), parsed
// as dtruss's command line; a -t list that parses is then parsed as a syscall selection, as main
// does. (Run it with -close_fd_mask=3: help and error messages are printed.)
#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.h"
#include "syscalls/selection.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args{"dtruss"};
  std::string cur;
  for (size_t i = 0; i < size && args.size() < 64; ++i) {
    if (data[i] == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(data[i]));
    }
  }
  if (!cur.empty()) args.push_back(cur);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  dtruss::Options opt;
  auto outcome = dtruss::parse_options(static_cast<int>(args.size()), argv.data(), &opt);
  if (outcome == dtruss::ParseOutcome::Run && !opt.trace_list.empty()) {
    dtruss::SyscallSelection sel;
    std::string error;
    dtruss::parse_syscall_list(opt.trace_list, &sel, &error);
  }
  return 0;
}
