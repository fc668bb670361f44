// What the option parser's unit tests share: argv made from words, parsed as dtruss parses its
// own, with what it printed on standard error kept for the test's messages.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/options.h"

namespace dtruss::unit {

// What the last parse() printed on standard error.
inline std::string& last_err() {
  static std::string e;
  return e;
}

// parse_options on "dtruss" followed by `args`.
inline ParseOutcome parse(std::vector<std::string> args, Options* opt) {
  args.insert(args.begin(), "dtruss");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  ParseOutcome r = parse_options(static_cast<int>(args.size()), argv.data(), opt);
  testing::internal::GetCapturedStdout();
  last_err() = testing::internal::GetCapturedStderr();
  return r;
}

}  // namespace dtruss::unit
