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
    {"open", "openat"}, {"stat", "newfstatat"}, {"lstat", "newfstatat"},
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

bool parse_syscall_list(std::string_view list, SyscallSelection* out, std::string* error) {
  auto all = all_syscalls();
  size_t size = static_cast<size_t>(all.back().nr) + 1;
  std::vector<bool> plus(size, false), minus(size, false);
  bool any_plus = false;
  std::vector<std::string_view> named;
  for (std::string_view item : split(list, ',')) {
    bool negate = false;
    if (item.starts_with('!')) {
      negate = true;
      item.remove_prefix(1);
    }
    if (item.empty()) {
      *error = "empty name in the -t list";
      return false;
    }
    std::vector<bool>& target = negate ? minus : plus;
    any_plus |= !negate;
    if (item.starts_with('%')) {
      auto cls = class_by_name(item);
      if (!cls) {
        std::string known;
        for (auto c : class_names()) known += (known.empty() ? "%" : ", %") + std::string(c);
        *error = "unknown syscall class '" + std::string(item) + "' (classes: " + known + ")";
        return false;
      }
      for (const auto& s : all)
        if (s.classes & *cls) target[static_cast<size_t>(s.nr)] = true;
      continue;
    }
    if (item == "exec") {  // dtruss's name for the exec family
      for (const char* n : {"execve", "execveat"})
        target[static_cast<size_t>(syscall_by_name(n)->nr)] = true;
      named.push_back("execve");
      continue;
    }
    if (item == "all") {
      std::fill(target.begin(), target.end(), true);
      continue;
    }
    const SyscallInfo* s = syscall_by_name(item);
    if (s == nullptr) {
      *error = unknown_syscall_message(item);
      return false;
    }
    target[static_cast<size_t>(s->nr)] = true;
    if (!negate) named.push_back(s->name);
  }
  out->selected.assign(size, false);
  out->numbers.clear();
  for (size_t nr = 0; nr < size; ++nr) {
    bool on = (any_plus ? plus[nr] : syscall_by_nr(static_cast<long>(nr)) != nullptr) && !minus[nr];
    out->selected[nr] = on;
    if (on) out->numbers.push_back(static_cast<long>(nr));
  }
  for (auto [old_name, modern] : kModernEquivalents) {
    bool has_old = std::find(named.begin(), named.end(), old_name) != named.end();
    bool has_modern = std::find(named.begin(), named.end(), modern) != named.end();
    if (has_old && !has_modern)
      out->hints.push_back("programs on Linux usually call " + std::string(modern) +
                           " rather than " + std::string(old_name) + ": add it to -t (e.g. -t " +
                           std::string(old_name) + "," + std::string(modern) + ")");
  }
  return true;
}

}  // namespace dtruss
