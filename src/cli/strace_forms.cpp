#include "cli/strace_forms.h"

#include <fmt/format.h>
#include <signal.h>

#include <cctype>
#include <cstring>
#include <utility>

#include "util/text.h"

namespace dtruss {
namespace {

// strace's -e keys (its manual lists them with their short forms) and dtruss's long option for
// each; nullptr: strace's, with no dtruss equivalent.
constexpr std::pair<std::string_view, const char*> kExpressionKeys[] = {
    {"trace", "trace"},      {"t", "trace"},         {"signal", "signal"},
    {"signals", "signal"},   {"s", "signal"},        {"read", "read"},
    {"reads", "read"},       {"r", "read"},          {"write", "write"},
    {"writes", "write"},     {"w", "write"},         {"status", "status"},
    {"inject", "inject"},    {"abbrev", nullptr},    {"a", nullptr},
    {"verbose", nullptr},    {"v", nullptr},         {"raw", nullptr},
    {"x", nullptr},          {"fault", "fault"},     {"quiet", nullptr},
    {"silent", nullptr},     {"silence", nullptr},   {"q", nullptr},
    {"decode-fds", nullptr}, {"decode-fd", nullptr}, {"decode-pids", nullptr},
    {"decode-pid", nullptr}, {"kvm", nullptr},
};

constexpr long kMaxFd = 1 << 20;  // (the kernel's default nr_open)

// strace's set syntax over numbers below `limit`; `number_of` reads one word (a name or a
// number), -1 when it is neither.
template <typename NumberOf>
bool parse_set(std::string_view text, long limit, NumberOf number_of, NumberSet* out,
               std::string* error) {
  *out = NumberSet{};
  out->listed.assign(static_cast<size_t>(limit), false);
  if (text.starts_with('!')) {
    out->inverted = true;
    text.remove_prefix(1);
  }
  for (std::string_view word : split(text, ',')) {
    if (word == "all") {
      out->inverted = !out->inverted;
      std::fill(out->listed.begin(), out->listed.end(), false);
      continue;
    }
    if (word == "none") continue;
    long n = number_of(word);
    if (n < 0 || n >= limit) {
      *error = fmt::format("'{}'", escaped(word));
      return false;
    }
    out->listed[static_cast<size_t>(n)] = true;
  }
  while (!out->listed.empty() && !out->listed.back()) out->listed.pop_back();
  return true;
}

long number_in(std::string_view word, long limit) {
  uint64_t n = 0;
  return parse_decimal(word, &n) && n < static_cast<uint64_t>(limit) ? static_cast<long>(n) : -1;
}

// SIGCHLD, CHLD, chld (as strace, any case) or 17.
long signal_number(std::string_view word) {
  if (long n = number_in(word, NSIG); n > 0) return n;
  std::string upper;
  for (char c : word) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view name = upper;
  if (name.starts_with("SIG")) name.remove_prefix(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && name == abbrev) return sig;
  }
  return -1;
}

}  // namespace

const char* expression_option(std::string_view key, bool* unsupported) {
  *unsupported = false;
  for (auto [k, option] : kExpressionKeys) {
    if (k != key) continue;
    *unsupported = option == nullptr;
    return option;
  }
  return nullptr;
}

std::string trace_set_as_list(std::string_view set) {
  if (!set.starts_with('!')) return std::string(set);
  std::string list;
  for (std::string_view item : split(set.substr(1), ',')) {
    if (!list.empty()) list += ',';
    if (!item.starts_with('!')) list += '!';
    list += item;
  }
  return list;
}

bool parse_signal_set(std::string_view text, NumberSet* out, std::string* error) {
  if (parse_set(text, NSIG, signal_number, out, error)) return true;
  *error = "unknown signal " + *error + " in the signal set '" + escaped(text) +
           "' (e.g. SIGCHLD, chld, 17, all, none; ! for all but)";
  return false;
}

bool parse_fd_set(std::string_view text, NumberSet* out, std::string* error) {
  auto fd = [](std::string_view w) { return number_in(w, kMaxFd); };
  if (parse_set(text, kMaxFd, fd, out, error)) return true;
  *error = "bad fd " + *error + " in the fd set '" + escaped(text) +
           "' (e.g. 3,5, all, none; ! for all but)";
  return false;
}

namespace {

// -s followed by a number (strace's string size): "" when `number` is none.
std::string strsize_hint(std::string_view number) {
  uint64_t n = 0;
  if (!parse_decimal(number, &n)) return {};
  return fmt::format(
      "-s shows the user stack of each call and takes no number (strace's -s is the string "
      "size): did you mean --strsize {}?",
      number);
}

}  // namespace

std::string habit_hint(std::string_view word) {
  return word.starts_with("-s") ? strsize_hint(word.substr(2)) : std::string();
}

std::string habit_hint(const Options& opt) {
  if (opt.stack && !opt.command.empty())
    if (std::string hint = strsize_hint(opt.command[0]); !hint.empty()) return hint;
  for (std::string_view item : split(opt.trace_list, ','))
    if (item == "t" || item == "tt")
      return fmt::format(
          "-t{} is strace's wall-clock time; dtruss's -t takes a syscall list: did you mean "
          "--timestamps=us?",
          item);
  return {};
}

}  // namespace dtruss
