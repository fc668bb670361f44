#include "syscalls/selection.h"

#include <fnmatch.h>
#include <regex.h>

#include <algorithm>
#include <array>
#include <span>
#include <utility>

#include "syscalls/table.h"
#include "syscalls/uring_ops.h"
#include "util/text.h"

namespace dtruss {
namespace {

// Calls that programs on Linux make in place of the one named (glibc's choices).
// (Seen in traces of glibc 2.36 programs: open() calls openat, stat() and fstat() newfstatat,
// fork() clone.)
constexpr std::pair<std::string_view, std::string_view> kModernEquivalents[] = {
    {"open", "openat"},      {"stat", "newfstatat"}, {"lstat", "newfstatat"},
    {"fstat", "newfstatat"}, {"fork", "clone"},
};

// Other names of classes (strace's %net for %network).
constexpr std::pair<std::string_view, std::string_view> kClassAliases[] = {
    {"%net", "%network"},
};

// strace's classes of the stat and statfs calls, by name (x86_64's calls of each), and %pure: the
// calls of no arguments that only read an ID (getpid, getuid ...; also what --inject's syscall=
// takes).
constexpr std::string_view kStat[] = {"stat"};
constexpr std::string_view kLstat[] = {"lstat"};
constexpr std::string_view kFstat[] = {"fstat", "newfstatat", "statx"};
constexpr std::string_view kAnyStat[] = {"stat", "lstat", "fstat", "newfstatat", "statx"};
constexpr std::string_view kStatfs[] = {"statfs"};
constexpr std::string_view kFstatfs[] = {"fstatfs"};
constexpr std::string_view kAnyStatfs[] = {"statfs", "fstatfs", "ustat"};
struct NamedClass {
  std::string_view name;
  std::span<const std::string_view> calls;  // (empty: %pure's rule)
};
constexpr NamedClass kNamedClasses[] = {
    {"%stat", kStat},     {"%lstat", kLstat},     {"%fstat", kFstat},       {"%%stat", kAnyStat},
    {"%statfs", kStatfs}, {"%fstatfs", kFstatfs}, {"%%statfs", kAnyStatfs}, {"%pure", {}},
};

bool in_named_class(const NamedClass& c, const SyscallInfo& s) {
  if (c.calls.empty()) return s.nargs == 0 && std::string_view(s.name).starts_with("get");
  return std::find(c.calls.begin(), c.calls.end(), std::string_view(s.name)) != c.calls.end();
}

std::string suggestions(std::string_view name) {
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (const auto& s : all_syscalls()) {
    std::string_view n = s.name;
    size_t d = edit_distance(name, n);
    if (n.find(name) != std::string_view::npos && name.size() >= 3) d = std::min<size_t>(d, 1);
    scored.emplace_back(d, n);
  }
  std::sort(scored.begin(), scored.end());
  std::string out;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) {
    if (scored[i].first > std::max<size_t>(2, name.size() / 2)) break;
    out += out.empty() ? "" : ", ";
    out += scored[i].second;
  }
  return out;
}

}  // namespace

std::span<const std::string_view> named_class_names() {
  static constexpr auto kNames = [] {
    std::array<std::string_view, std::size(kNamedClasses)> names{};
    for (size_t i = 0; i < names.size(); ++i) names[i] = kNamedClasses[i].name.substr(1);
    return names;
  }();
  return kNames;
}

std::string unknown_syscall_message(std::string_view name) {
  std::string near = suggestions(name);
  return "unknown syscall '" + std::string(name) + "'" +
         (near.empty() ? "" : " (did you mean: " + near + "?)");
}

std::span<const std::string_view> selection_words() {
  static constexpr std::string_view kWords[] = {"exec", "all"};
  return kWords;
}

namespace {

// What one item of the list marks: the syscalls it names go to `target`, those named one by one
// to `named` (for the hints). `optional`: the item was ?ITEM, which may match nothing.
struct Marking {
  std::vector<bool>& target;
  std::vector<std::string_view>* named;
  bool optional = false;
  std::string* error;
  std::vector<std::string>* hints = nullptr;
};

// Marks the syscalls whose names `match`; false (with `what` in the message) when none does.
template <typename Match>
bool mark_matching(std::string_view what, Match match, Marking& m) {
  bool any = false;
  for (const auto& s : all_syscalls()) {
    if (!match(s.name)) continue;
    m.target[static_cast<size_t>(s.nr)] = true;
    any = true;
  }
  if (!any && !m.optional)
    *m.error = "no syscall matches '" + std::string(what) + "' (write ?" + std::string(what) +
               " to allow that)";
  return any || m.optional;
}

// uring:NAME (a name or a glob of io_uring operations), and %uring: all of them.
bool mark_uring(std::string_view item, Marking& m) {
  std::string pattern(item.substr(kUringPrefix.size()));
  if (item == "%uring") pattern = "*";
  bool any = false;
  for (const UringOp& op : uring_ops()) {
    if (fnmatch(pattern.c_str(), op.name, 0) != 0) continue;
    m.target[static_cast<size_t>(kUringSlot0 + op.opcode)] = true;
    any = true;
  }
  if (!any && !m.optional) {
    std::string known;
    for (const UringOp& op : uring_ops())
      known += (known.empty() ? "" : ", ") + std::string(op.name);
    *m.error =
        "no io_uring operation matches '" + std::string(item) + "' (operations: " + known + ")";
  }
  return any || m.optional;
}

bool mark_class(std::string_view item, Marking& m) {
  if (item == "%uring") return mark_uring(item, m);
  for (auto [alias, name] : kClassAliases)
    if (item == alias) item = name;
  for (const NamedClass& c : kNamedClasses) {
    if (c.name != item) continue;
    for (const auto& s : all_syscalls())
      if (in_named_class(c, s)) m.target[static_cast<size_t>(s.nr)] = true;
    return true;
  }
  auto cls = class_by_name(item);
  if (!cls) {
    std::string known;
    for (auto c : class_names()) known += (known.empty() ? "%" : ", %") + std::string(c);
    for (const NamedClass& c : kNamedClasses) known += ", " + std::string(c.name);
    *m.error = "unknown syscall class '" + std::string(item) + "' (classes: " + known + ")";
    return false;
  }
  for (const auto& s : all_syscalls())
    if (s.classes & *cls) m.target[static_cast<size_t>(s.nr)] = true;
  return true;
}

// /REGEX: the names a POSIX extended regular expression finds (anywhere in the name, as grep).
bool mark_regex(std::string_view item, Marking& m) {
  std::string pattern(item.substr(1));
  regex_t re;
  if (int rc = regcomp(&re, pattern.c_str(), REG_EXTENDED | REG_NOSUB); rc != 0) {
    char why[128];
    regerror(rc, &re, why, sizeof(why));
    *m.error = "bad regular expression '" + std::string(item) + "': " + why;
    return false;
  }
  bool ok = mark_matching(
      item, [&](const char* name) { return regexec(&re, name, 0, nullptr, 0) == 0; }, m);
  regfree(&re);
  return ok;
}

bool is_glob(std::string_view item) {
  return item.find_first_of("*?[") != std::string_view::npos;
}

bool mark_glob(std::string_view item, Marking& m) {
  std::string pattern(item);
  return mark_matching(
      item, [&](const char* name) { return fnmatch(pattern.c_str(), name, 0) == 0; }, m);
}

bool mark_name(std::string_view item, Marking& m) {
  if (item == "exec") {  // dtruss's name for the exec family
    for (const char* n : {"execve", "execveat"})
      m.target[static_cast<size_t>(syscall_by_name(n)->nr)] = true;
    m.named->push_back("execve");
    return true;
  }
  if (item == "all") {
    std::fill(m.target.begin(), m.target.end(), true);
    return true;
  }
  if (is_glob(item)) return mark_glob(item, m);
  const SyscallInfo* s = syscall_by_name(item);
  if (s == nullptr) {
    if (!m.optional) *m.error = unknown_syscall_message(item);
    return m.optional;
  }
  m.target[static_cast<size_t>(s->nr)] = true;
  m.named->push_back(s->name);
  return true;
}

// DTrace's probe description PROVIDER:MODULE:FUNCTION:NAME (fewer fields fill from the right; an
// empty field matches all): the syscall provider's probes, FUNCTION a syscall name or glob, NAME
// entry or return (dtruss shows each call once, entry and return together).
bool mark_probe(std::string_view item, Marking& m) {
  std::vector<std::string_view> fields = split(item, ':');
  if (fields.size() > 4) {
    *m.error = "probe '" + std::string(item) + "' has more than 4 fields (syscall::NAME:entry)";
    return false;
  }
  fields.insert(fields.begin(), 4 - fields.size(), std::string_view());
  auto matches = [](std::string_view field, const char* word) {
    return field.empty() || fnmatch(std::string(field).c_str(), word, 0) == 0;
  };
  if (!matches(fields[0], "syscall")) {
    *m.error = "probe '" + std::string(item) +
               "': dtruss traces the syscall provider only (syscall::NAME:entry)";
    return false;
  }
  if (!matches(fields[3], "entry") && !matches(fields[3], "return")) {
    *m.error = "probe '" + std::string(item) + "': a syscall probe is entry or return, not '" +
               std::string(fields[3]) + "' (syscall::NAME:entry)";
    return false;
  }
  if (fields[2].empty()) return mark_name("all", m);
  return mark_name(fields[2], m);
}

// Marks the syscalls one item of the list names: a name, a glob (open*), /REGEX, %class, a
// DTrace probe (syscall::open*:entry), exec, all; ?ITEM may match nothing.
bool mark_item(std::string_view item, Marking& m) {
  if (item.starts_with('?') && item.size() > 1) {
    m.optional = true;
    item.remove_prefix(1);
  }
  // strace's personalities: NAME@64 is x86_64's call, the one dtruss traces; @32 (i386) and @x32
  // name calls of other ABIs, which dtruss does not trace: they select nothing, and say so.
  if (auto at = item.rfind('@'); at != std::string_view::npos && at > 0) {
    std::string_view abi = item.substr(at + 1);
    if (abi == "32" || abi == "x32") {
      if (m.hints != nullptr)
        m.hints->push_back(std::string(item) + ": dtruss traces x86_64 (64-bit) calls only; " +
                           (abi == "32" ? "i386" : "x32") + " calls are not traced");
      return true;
    }
    if (abi == "64") item = item.substr(0, at);
  }
  if (item.starts_with('%')) return mark_class(item, m);
  if (item.starts_with('/')) return mark_regex(item, m);
  if (item.starts_with(kUringPrefix)) return mark_uring(item, m);
  if (item.find(':') != std::string_view::npos) return mark_probe(item, m);
  return mark_name(item, m);
}

// A name whose call programs on Linux rarely make, without the one they make instead: a hint.
void add_hints(const std::vector<std::string_view>& named, SyscallSelection* out) {
  for (auto [old_name, modern] : kModernEquivalents) {
    bool has_old = std::find(named.begin(), named.end(), old_name) != named.end();
    bool has_modern = std::find(named.begin(), named.end(), modern) != named.end();
    if (has_old && !has_modern)
      out->hints.push_back("programs on Linux usually call " + std::string(modern) +
                           " rather than " + std::string(old_name) + ": add it to -t (e.g. -t " +
                           std::string(old_name) + "," + std::string(modern) + ")");
  }
}

}  // namespace

bool parse_syscall_list(std::string_view list, SyscallSelection* out, std::string* error) {
  static_assert(kUringSlot0 > 512);  // (past every syscall number: checked below)
  size_t nsys = static_cast<size_t>(all_syscalls().back().nr) + 1;
  size_t size = static_cast<size_t>(kUringSlot0 + kUringOpMax);
  if (nsys > static_cast<size_t>(kUringSlot0)) {
    *error = "internal: syscall numbers reach kUringSlot0";
    return false;
  }
  std::vector<bool> plus(size, false), minus(size, false);
  bool any_plus = false;
  std::vector<std::string_view> named;  // (the negated ones are not)
  std::vector<std::string_view> negated;
  for (std::string_view item : split(list, ',')) {
    bool negate = item.starts_with('!');
    if (negate) item.remove_prefix(1);
    if (item.empty()) {
      *error = "empty name in the -t list";
      return false;
    }
    any_plus |= !negate;
    Marking m{negate ? minus : plus, negate ? &negated : &named, false, error, &out->hints};
    if (!mark_item(item, m)) return false;
  }
  out->selected.assign(size, false);
  out->numbers.clear();
  out->uring.assign(kUringOpMax, false);
  bool any_uring = false;
  for (size_t nr = 0; nr < size; ++nr) {
    long op = static_cast<long>(nr) - kUringSlot0;
    bool known = op >= 0 ? uring_op(static_cast<int>(op)) != nullptr
                         : syscall_by_nr(static_cast<long>(nr)) != nullptr;
    bool on = (any_plus ? plus[nr] : known) && !minus[nr];
    out->selected[nr] = on;
    if (on && op < 0) out->numbers.push_back(static_cast<long>(nr));
    if (on && op >= 0) out->uring[static_cast<size_t>(op)] = any_uring = true;
  }
  if (out->numbers.empty() && !any_uring) {  // (an empty selection would mean all to the backends)
    *error = "the -t list '" + std::string(list) + "' selects no syscall";
    for (const auto& hint : out->hints) *error += " (" + hint + ")";
    return false;
  }
  add_hints(named, out);
  return true;
}

}  // namespace dtruss
