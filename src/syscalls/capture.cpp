#include "syscalls/capture.h"

#include <algorithm>
#include <vector>

namespace dtruss {
namespace {

using Plans = CapturePlans::Plans;

const CapturePlan kEmpty{};

// Directory records (getdents64, getdents): the whole of what the call returned is shown with -v.
bool is_records(StructId s) {
  return s == StructId::s_dirent64 || s == StructId::s_linux_dirent;
}

// What a struct's copy points to that must be copied with it (CaptureStep::nested).
CaptureStep::Nested nested_of(StructId s) {
  if (s == StructId::s_iovec) return CaptureStep::Nested::IovecData;
  if (s == StructId::s_msghdr) return CaptureStep::Nested::Msghdr;
  if (s == StructId::s_mmsghdr || s == StructId::s_sent_mmsghdr)
    return CaptureStep::Nested::Mmsghdr;
  return CaptureStep::Nested::None;
}

// A received message's header: the kernel reads the lengths of its name and control buffers and
// writes back what it filled (shown `128 => 16`): its bytes as passed are copied at entry too.
bool writes_lengths_back(StructId s) {
  return s == StructId::s_msghdr || s == StructId::s_mmsghdr;
}

void add(CaptureStep* steps, uint8_t* n, CaptureStep s) {
  if (*n < kMaxArgs) steps[(*n)++] = s;
}

// The step that copies the memory behind argument `idx` of kind `a`, added to the entry (in) or
// exit (out, in-out) steps of `plan`. `size`: a struct's element size (0: variable).
void add_step(CapturePlan& plan, uint8_t idx, const ArgInfo& a, uint32_t size,
              const CaptureLimits& lim) {
  switch (a.kind) {
    case ArgKind::Path:
      add(plan.entry, &plan.n_entry, {idx, CaptureShape::CString, kNoLen, 0, lim.path_max, 0});
      break;
    case ArgKind::String:
      add(plan.entry, &plan.n_entry, {idx, CaptureShape::CString, kNoLen, 0, lim.strsize + 1, 0});
      break;
    case ArgKind::Argv:
      add(plan.entry, &plan.n_entry,
          {idx, CaptureShape::StringArray, kNoLen, 0, lim.strsize + 1, lim.max_items});
      break;
    case ArgKind::Envp:
      add(plan.entry, &plan.n_entry,
          {idx, lim.verbose ? CaptureShape::StringArray : CaptureShape::PointerArray, kNoLen, 0,
           lim.strsize + 1, lim.verbose ? lim.max_items : UINT32_MAX});
      break;
    case ArgKind::Buffer: {
      uint32_t max = std::max(lim.strsize, lim.buffer_max);
      if (a.dir == Dir::In)
        add(plan.entry, &plan.n_entry, {idx, CaptureShape::Bytes, a.len, 0, max, 0});
      else
        add(plan.exit, &plan.n_exit, {idx, CaptureShape::Bytes, a.len, 0, max, 0});
      break;
    }
    case ArgKind::Struct: {
      // A struct (or an array of them, counted by another argument or the return value):
      // in-structs at entry, out- and in-out structs at exit, when it is written.
      if (size > 255 * 16) break;
      CaptureStep step{idx, CaptureShape::Bytes, kNoLen, 0, size, 0};
      if (size == 0) {
        // Records of varying size (dirents): the length rule counts bytes, not elements.
        if (a.len == kNoLen) break;  // the decoder reads a variable amount live only
        step.len = a.len;
        step.records = is_records(a.strct);
        step.max = step.records ? lim.records_bytes : lim.struct_max;
        uint32_t shown = lim.records_max != nullptr ? lim.records_max(a.strct) : 0;
        if (shown != 0 && shown < step.max) step.max = shown;
      } else if (a.len != kNoLen && size <= 255) {
        step.len = a.len;
        step.elem = static_cast<uint8_t>(size);
        step.max = lim.struct_max;
      }
      step.nested = nested_of(a.strct);
      step.data_max = std::max(lim.strsize, lim.buffer_max);
      if (a.dir == Dir::In)
        add(plan.entry, &plan.n_entry, step);
      else
        add(plan.exit, &plan.n_exit, step);
      if (a.after != nullptr || (a.dir == Dir::InOut && writes_lengths_back(a.strct))) {
        step.nested = CaptureStep::Nested::None;  // (as passed: the struct's own bytes)
        add(plan.before, &plan.n_before, step);
      }
      break;
    }
    default:
      break;
  }
}

// The selected plans of a Select argument whose choices read memory: the syscall's plan and the
// choice's step, per selector value. Several arguments may read memory by the same selector
// (prctl's arg2 and arg5 by option): a value's plan then has the steps of each.
void add_selected(Plans& p, uint8_t idx, const ArgInfo& a, const CaptureLimits& lim) {
  if (lim.choice_captures == nullptr) return;
  auto captures = lim.choice_captures(a.table);
  if (captures.empty()) return;
  ArgInfo as = a;
  as.strct = StructId::none;
  if (captures.front().always) {  // whatever the selector: the syscall's own plan
    const ChoiceCapture& c = captures.front();
    as.kind = c.kind;
    as.dir = c.dir;
    as.len = c.len;
    add_step(p.plan, idx, as, c.size, lim);
    return;
  }
  if (p.selector >= 0 && p.selector != a.len) return;  // one selecting argument a syscall
  p.selector = a.len;
  for (const ChoiceCapture& c : captures) {
    as.kind = c.kind;
    as.dir = c.dir;
    as.len = c.len;
    auto it = std::find_if(p.selected.begin(), p.selected.end(),
                           [&](const SelectedPlan& s) { return s.selector == c.selector; });
    if (it == p.selected.end()) it = p.selected.insert(p.selected.end(), {c.selector, {}});
    add_step(it->plan, idx, as, c.size, lim);
  }
}

}  // namespace

CapturePlans::CapturePlans(const CaptureLimits& lim) {
  auto all = all_syscalls();
  auto& p = plans_;
  p.assign(static_cast<size_t>(all.back().nr) + 1, Plans{});
  for (const SyscallInfo& s : all) {
    Plans& ps = p[static_cast<size_t>(s.nr)];
    for (int i = 0; i < s.nargs; ++i) {
      const ArgInfo& a = s.args[i];
      auto idx = static_cast<uint8_t>(i);
      uint32_t size = 0;
      if (a.kind == ArgKind::Struct && lim.struct_size != nullptr) size = lim.struct_size(a.strct);
      add_step(ps.plan, idx, a, size, lim);
      if (a.kind == ArgKind::Select) add_selected(ps, idx, a, lim);
    }
    // A selected plan is the syscall's own steps, then the choice's.
    for (SelectedPlan& sp : ps.selected) {
      CapturePlan own = ps.plan;
      for (uint8_t k = 0; k < sp.plan.n_entry; ++k) add(own.entry, &own.n_entry, sp.plan.entry[k]);
      for (uint8_t k = 0; k < sp.plan.n_exit; ++k) add(own.exit, &own.n_exit, sp.plan.exit[k]);
      for (uint8_t k = 0; k < sp.plan.n_before; ++k)
        add(own.before, &own.n_before, sp.plan.before[k]);
      sp.plan = own;
    }
  }
}

const CapturePlan& CapturePlans::of(long nr) const {
  const auto& p = plans_;
  if (nr < 0 || static_cast<size_t>(nr) >= p.size()) return kEmpty;
  return p[static_cast<size_t>(nr)].plan;
}

const CapturePlan& CapturePlans::of(long nr, const uint64_t* args) const {
  const auto& p = plans_;
  if (nr < 0 || static_cast<size_t>(nr) >= p.size()) return kEmpty;
  const Plans& ps = p[static_cast<size_t>(nr)];
  if (ps.selector >= 0) {
    const auto value = static_cast<uint32_t>(args[ps.selector]);
    for (const SelectedPlan& sp : ps.selected)
      if (sp.selector == value) return sp.plan;
  }
  return ps.plan;
}

int CapturePlans::selector(long nr) const {
  const auto& p = plans_;
  if (nr < 0 || static_cast<size_t>(nr) >= p.size()) return -1;
  return p[static_cast<size_t>(nr)].selector;
}

std::span<const SelectedPlan> CapturePlans::selected(long nr) const {
  const auto& p = plans_;
  if (nr < 0 || static_cast<size_t>(nr) >= p.size()) return {};
  return p[static_cast<size_t>(nr)].selected;
}

}  // namespace dtruss
