#include "app/inject_spec.h"

#include <fmt/format.h>
#include <strings.h>

#include <charconv>
#include <string>

#include "decode/names.h"
#include "syscalls/selection.h"
#include "util/text.h"

namespace dtruss {
namespace {

constexpr int kMaxErrno = 4095;               // the kernel's MAX_ERRNO: -1..-4095 are errors
constexpr uint64_t kMaxWhen = 65535;          // strace's bounds on when='s numbers: FIRST and STEP,
constexpr uint64_t kMaxLast = 65534;          // and LAST
constexpr uint64_t kMaxDelayUs = 1ull << 40;  // about 12 days

bool parse_errno(std::string_view text, InjectAction* a) {
  uint64_t n = 0;
  if (parse_decimal(text, &n)) {
    if (n == 0 || n > kMaxErrno) return false;
    a->error = static_cast<int>(n);
    return true;
  }
  std::string name(text);
  for (int err = 1; err <= kMaxErrno; ++err) {
    const char* known = errno_name(err);
    if (known != nullptr && strcasecmp(known, name.c_str()) == 0) {
      a->error = err;
      return true;
    }
  }
  return false;
}

bool parse_retval(std::string_view text, InjectAction* a) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return false;
  a->retval = v;
  return true;
}

bool parse_signal(std::string_view text, InjectAction* a) {
  a->signal = signal_by_name(std::string(text));
  return a->signal > 0;
}

// A time as strace reads it: a decimal number (1500, 2.5), in microseconds or with a unit (s,
// ms, us, ns); kept in whole microseconds.
bool parse_delay(std::string_view text, uint64_t* us) {
  static constexpr struct {
    std::string_view unit;
    double in_us;
  } kUnits[] = {{"ns", 1e-3}, {"us", 1}, {"ms", 1e3}, {"s", 1e6}, {"", 1}};
  for (const auto& u : kUnits) {
    if (!text.ends_with(u.unit)) continue;
    std::string_view number = text.substr(0, text.size() - u.unit.size());
    if (number.empty() || number.find_first_not_of("0123456789.") != std::string_view::npos)
      return false;
    double v = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec != std::errc() || end != number.data() + number.size()) return false;
    double total = v * u.in_us;
    if (!(total >= 0) || total > static_cast<double>(kMaxDelayUs)) return false;
    *us = static_cast<uint64_t>(total);
    return true;
  }
  return false;
}

// FIRST[..LAST][+[STEP]]
bool parse_when(std::string_view text, InjectWhen* w) {
  std::string_view step;
  bool has_step = false;
  if (auto plus = text.find('+'); plus != std::string_view::npos) {
    step = text.substr(plus + 1);
    text = text.substr(0, plus);
    has_step = true;
  }
  std::string_view first = text, last;
  bool has_last = false;
  if (auto dots = text.find(".."); dots != std::string_view::npos) {
    first = text.substr(0, dots);
    last = text.substr(dots + 2);
    has_last = true;
  }
  InjectWhen out;
  if (!parse_decimal(first, &out.first) || out.first < 1 || out.first > kMaxWhen) return false;
  if (has_last && (!parse_decimal(last, &out.last) || out.last < out.first || out.last > kMaxLast))
    return false;
  if (!has_last && !has_step) out.last = out.first;  // when=3: the 3rd alone
  if (has_step && !step.empty() &&
      (!parse_decimal(step, &out.step) || out.step < 1 || out.step > kMaxWhen))
    return false;
  *w = out;
  return true;
}

// The keys of a spec, each with its reader and the words of its message.
struct Key {
  std::string_view name;
  bool (*read)(std::string_view, InjectRule*);
  const char* wants;
  bool once = true;  // given at most once (else the last one counts, as strace's when=)
};
constexpr Key kKeys[] = {
    {"error", [](std::string_view v, InjectRule* r) { return parse_errno(v, &r->action); },
     "an errno name or number from 1 to 4095 (error=EACCES)"},
    {"retval", [](std::string_view v, InjectRule* r) { return parse_retval(v, &r->action); },
     "a number (retval=42)"},
    {"signal", [](std::string_view v, InjectRule* r) { return parse_signal(v, &r->action); },
     "a signal name or number (signal=SIGUSR1)"},
    {"delay_enter",
     [](std::string_view v, InjectRule* r) { return parse_delay(v, &r->action.delay_enter_us); },
     "microseconds, or a number with s, ms, us or ns (delay_enter=10ms)", false},
    {"delay_exit",
     [](std::string_view v, InjectRule* r) { return parse_delay(v, &r->action.delay_exit_us); },
     "microseconds, or a number with s, ms, us or ns (delay_exit=10ms)", false},
    {"when", [](std::string_view v, InjectRule* r) { return parse_when(v, &r->when); },
     "FIRST[..LAST][+[STEP]], LAST >= FIRST, numbers from 1 to 65535 (LAST to 65534): "
     "when=3, when=2..4+2",
     false},
};

// One KEY=VALUE part of the spec: "" when it is right, else the message.
std::string read_part(std::string_view part, InjectRule* rule, unsigned* seen) {
  auto eq = part.find('=');
  std::string_view key = part.substr(0, eq);
  for (size_t i = 0; i < std::size(kKeys); ++i) {
    if (kKeys[i].name != key) continue;
    if (eq == std::string_view::npos) return fmt::format("'{}' needs a value", key);
    if (kKeys[i].once && (*seen & (1u << i)) != 0) return fmt::format("{}= is given twice", key);
    *seen |= 1u << i;
    std::string_view value = part.substr(eq + 1);
    if (!kKeys[i].read(value, rule))
      return fmt::format("{}= needs {}, not '{}'", key, kKeys[i].wants, value);
    return {};
  }
  return fmt::format(
      "unknown '{}' (it takes error=, retval=, signal=, delay_enter=, delay_exit= and when=)",
      part);
}

}  // namespace

bool parse_inject_spec(std::string_view spec, InjectRule* out, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = fmt::format("--inject={}: {}", spec, why);
    return false;
  };
  auto parts = split(spec, ':');
  if (parts.size() < 2 || parts[0].empty())
    return fail("give SET:ACTION, e.g. openat:error=EACCES:when=3");
  InjectRule rule;
  SyscallSelection sel;
  std::string why;
  if (!parse_syscall_list(parts[0], &sel, &why)) return fail(why);
  if (sel.numbers.empty()) return fail("the set selects no syscall");
  rule.syscalls = sel.selected;
  unsigned seen = 0;
  for (size_t i = 1; i < parts.size(); ++i)
    if (std::string msg = read_part(parts[i], &rule, &seen); !msg.empty()) return fail(msg);
  const InjectAction& a = rule.action;
  if (a.error && a.retval) return fail("error= and retval= exclude each other");
  if (!a.skips_call() && a.signal == 0 && a.delay_enter_us == 0 && a.delay_exit_us == 0)
    return fail("give what to inject: error=, retval=, signal=, delay_enter= or delay_exit=");
  *out = std::move(rule);
  return true;
}

}  // namespace dtruss
