#include "syscalls/selection.h"

#include <algorithm>
#include <utility>

#include "syscalls/table.h"
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

// Marks in `target` the syscalls one item of the list names (a name, a %class, exec, all); the
// names given by name go to `named`. False with the message when it names none.
bool mark_item(std::string_view item, std::vector<bool>& target,
               std::vector<std::string_view>* named, std::string* error) {
  if (item.starts_with('%')) {
    auto cls = class_by_name(item);
    if (!cls) {
      std::string known;
      for (auto c : class_names()) known += (known.empty() ? "%" : ", %") + std::string(c);
      *error = "unknown syscall class '" + std::string(item) + "' (classes: " + known + ")";
      return false;
    }
    for (const auto& s : all_syscalls())
      if (s.classes & *cls) target[static_cast<size_t>(s.nr)] = true;
    return true;
  }
  if (item == "exec") {  // dtruss's name for the exec family
    for (const char* n : {"execve", "execveat"})
      target[static_cast<size_t>(syscall_by_name(n)->nr)] = true;
    named->push_back("execve");
    return true;
  }
  if (item == "all") {
    std::fill(target.begin(), target.end(), true);
    return true;
  }
  const SyscallInfo* s = syscall_by_name(item);
  if (s == nullptr) {
    *error = unknown_syscall_message(item);
    return false;
  }
  target[static_cast<size_t>(s->nr)] = true;
  named->push_back(s->name);
  return true;
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
  size_t size = static_cast<size_t>(all_syscalls().back().nr) + 1;
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
    if (!mark_item(item, negate ? minus : plus, negate ? &negated : &named, error)) return false;
  }
  out->selected.assign(size, false);
  out->numbers.clear();
  for (size_t nr = 0; nr < size; ++nr) {
    bool on = (any_plus ? plus[nr] : syscall_by_nr(static_cast<long>(nr)) != nullptr) && !minus[nr];
    out->selected[nr] = on;
    if (on) out->numbers.push_back(static_cast<long>(nr));
  }
  add_hints(named, out);
  return true;
}

}  // namespace dtruss
