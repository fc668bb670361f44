#include "syscalls/capture.h"

#include <vector>

namespace dtruss {
namespace {

std::vector<CapturePlan>& plans() {
  static std::vector<CapturePlan> p;
  return p;
}

const CapturePlan kEmpty{};

void add(CaptureStep* steps, uint8_t* n, CaptureStep s) { steps[(*n)++] = s; }

}  // namespace

void build_capture_plans(const CaptureLimits& lim) {
  auto all = all_syscalls();
  auto& p = plans();
  p.assign(static_cast<size_t>(all.back().nr) + 1, CapturePlan{});
  for (const SyscallInfo& s : all) {
    CapturePlan& plan = p[static_cast<size_t>(s.nr)];
    for (int i = 0; i < s.nargs; ++i) {
      const ArgInfo& a = s.args[i];
      auto idx = static_cast<uint8_t>(i);
      switch (a.kind) {
        case ArgKind::Path:
          add(plan.entry, &plan.n_entry, {idx, CaptureShape::CString, kNoLen, 0, lim.path_max, 0});
          break;
        case ArgKind::String:
          add(plan.entry, &plan.n_entry,
              {idx, CaptureShape::CString, kNoLen, 0, lim.strsize + 1, 0});
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
        case ArgKind::Buffer:
          if (a.dir == Dir::In)
            add(plan.entry, &plan.n_entry, {idx, CaptureShape::Bytes, a.len, 0, lim.strsize, 0});
          else
            add(plan.exit, &plan.n_exit, {idx, CaptureShape::Bytes, a.len, 0, lim.strsize, 0});
          break;
        case ArgKind::Struct: {
          // A struct (or an array of them, counted by another argument or the return value):
          // in-structs at entry, out- and in-out structs at exit, when it is written.
          uint32_t size = lim.struct_size != nullptr ? lim.struct_size(a.strct) : 0;
          if (size > 255 * 16) break;
          CaptureStep step{idx, CaptureShape::Bytes, kNoLen, 0, size, 0};
          if (size == 0) {
            // Records of varying size (dirents): the length rule counts bytes, not elements.
            if (a.len == kNoLen) break;  // the decoder reads a variable amount live only
            step.len = a.len;
            step.max = lim.struct_max;
          } else if (a.len != kNoLen && size <= 255) {
            step.len = a.len;
            step.elem = static_cast<uint8_t>(size);
            step.max = lim.struct_max;
          }
          if (a.strct == StructId::s_iovec) step.nested = CaptureStep::Nested::IovecData;
          if (a.strct == StructId::s_msghdr) step.nested = CaptureStep::Nested::Msghdr;
          if (a.dir == Dir::In) add(plan.entry, &plan.n_entry, step);
          else add(plan.exit, &plan.n_exit, step);
          break;
        }
        default:
          break;
      }
    }
  }
}

const CapturePlan& capture_plan(long nr) {
  const auto& p = plans();
  if (nr < 0 || static_cast<size_t>(nr) >= p.size()) return kEmpty;
  return p[static_cast<size_t>(nr)];
}

}  // namespace dtruss
