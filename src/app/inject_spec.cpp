#include "app/inject_spec.h"

#include <fmt/format.h>
#include <strings.h>

#include <cerrno>
#include <charconv>
#include <string>
#include <vector>

#include "decode/names.h"
#include "syscalls/selection.h"
#include "syscalls/table.h"
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

// syscall=NAME: a call of no arguments that only reads (getpid, getuid ...): run in place of the
// selected one, it changes nothing but the result.
bool parse_replacement(std::string_view text, InjectAction* a) {
  const SyscallInfo* info = syscall_by_name(text);
  if (info == nullptr || info->nargs != 0 || !std::string_view(info->name).starts_with("get"))
    return false;
  a->syscall = info->nr;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// @argN=HEX[,@argN=HEX...]: N from 1 to 6, each argument once, 1 to kMaxPokeBytes bytes each.
bool parse_pokes(std::string_view text, std::vector<InjectPoke>* out) {
  std::vector<InjectPoke> pokes;
  for (std::string_view item : split(text, ',')) {
    constexpr std::string_view kArg = "@arg";
    if (!item.starts_with(kArg) || item.size() < kArg.size() + 3 || item[kArg.size() + 1] != '=')
      return false;
    InjectPoke p;
    p.arg = item[kArg.size()] - '0';
    if (p.arg < 1 || p.arg > 6) return false;
    for (const InjectPoke& q : pokes)
      if (q.arg == p.arg) return false;
    std::string_view hex = item.substr(kArg.size() + 2);
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() / 2 > kMaxPokeBytes) return false;
    for (size_t i = 0; i < hex.size(); i += 2) {
      int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
      if (hi < 0 || lo < 0) return false;
      p.bytes.push_back(static_cast<char>(hi * 16 + lo));
    }
    pokes.push_back(std::move(p));
  }
  *out = std::move(pokes);
  return !out->empty();
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
    {"syscall", [](std::string_view v, InjectRule* r) { return parse_replacement(v, &r->action); },
     "a syscall of no arguments that only reads (syscall=getpid)"},
    {"poke_enter",
     [](std::string_view v, InjectRule* r) { return parse_pokes(v, &r->action.poke_enter); },
     "@argN=HEX (N from 1 to 6, up to 1024 bytes as hex digits), comma-separated"},
    {"poke_exit",
     [](std::string_view v, InjectRule* r) { return parse_pokes(v, &r->action.poke_exit); },
     "@argN=HEX (N from 1 to 6, up to 1024 bytes as hex digits), comma-separated"},
    {"when", [](std::string_view v, InjectRule* r) { return parse_when(v, &r->when); },
     "FIRST[..LAST][+[STEP]], LAST >= FIRST, numbers from 1 to 65535 (LAST to 65534): "
     "when=3, when=2..4+2",
     false},
};

// --fault's keys (strace's -e fault= takes these alone).
bool fault_key(std::string_view key) {
  return key == "error" || key == "when";
}

// One KEY=VALUE part of the spec: "" when it is right, else the message.
std::string read_part(std::string_view part, InjectRule* rule, unsigned* seen, InjectForm form) {
  auto eq = part.find('=');
  std::string_view key = part.substr(0, eq);
  for (size_t i = 0; i < std::size(kKeys); ++i) {
    if (kKeys[i].name != key) continue;
    if (form == InjectForm::Fault && !fault_key(key)) break;
    if (eq == std::string_view::npos) return fmt::format("'{}' needs a value", key);
    if (kKeys[i].once && (*seen & (1u << i)) != 0) return fmt::format("{}= is given twice", key);
    *seen |= 1u << i;
    std::string_view value = part.substr(eq + 1);
    if (!kKeys[i].read(value, rule))
      return fmt::format("{}= needs {}, not '{}'", key, kKeys[i].wants, value);
    return {};
  }
  if (form == InjectForm::Fault)
    return fmt::format("unknown '{}' (it takes error= and when=)", part);
  return fmt::format(
      "unknown '{}' (it takes error=, retval=, signal=, delay_enter=, delay_exit=, syscall=, "
      "poke_enter=, poke_exit= and when=)",
      part);
}

}  // namespace

bool parse_inject_spec(std::string_view spec, InjectRule* out, std::string* error,
                       InjectForm form) {
  bool fault = form == InjectForm::Fault;
  auto fail = [&](const std::string& why) {
    *error = fmt::format("--{}={}: {}", fault ? "fault" : "inject", spec, why);
    return false;
  };
  auto parts = split(spec, ':');
  if (parts.empty() || parts[0].empty() || (parts.size() < 2 && !fault))
    return fail("give SET:ACTION, e.g. openat:error=EACCES:when=3");
  InjectRule rule;
  SyscallSelection sel;
  std::string why;
  if (!parse_syscall_list(parts[0], &sel, &why)) return fail(why);
  if (sel.numbers.empty()) return fail("the set selects no syscall");
  rule.syscalls = sel.selected;
  unsigned seen = 0;
  for (size_t i = 1; i < parts.size(); ++i)
    if (std::string msg = read_part(parts[i], &rule, &seen, form); !msg.empty()) return fail(msg);
  InjectAction& a = rule.action;
  if (fault && !a.error) a.error = ENOSYS;  // (strace's default for -e fault=)
  if (a.error && a.retval) return fail("error= and retval= exclude each other");
  if (a.syscall >= 0 && !a.skips_call())
    return fail("syscall= needs error= or retval=: the result the program gets");
  if (!a.skips_call() && a.signal == 0 && a.delay_enter_us == 0 && a.delay_exit_us == 0 &&
      a.syscall < 0 && !a.pokes())
    return fail(
        "give what to inject: error=, retval=, signal=, delay_enter=, delay_exit=, syscall=, "
        "poke_enter= or poke_exit=");
  // A poke names an argument every selected call has.
  for (const auto* pokes : {&a.poke_enter, &a.poke_exit})
    for (const InjectPoke& p : *pokes)
      for (long nr : sel.numbers)
        if (const SyscallInfo* info = syscall_by_nr(nr); info != nullptr && info->nargs < p.arg)
          return fail(fmt::format("{} has no argument {} to poke (it takes {})", info->name, p.arg,
                                  info->nargs));
  *out = std::move(rule);
  return true;
}

}  // namespace dtruss
