// Finds the choice tables that the subject files (src/decode/subjects) define, and what their
// choices make a backend copy.
#include "decode/choices.h"

#include <algorithm>
#include <array>
#include <vector>

#include "decode/structs.h"
#include "decode/subjects/subject.h"

namespace dtruss {

std::span<const ChoiceTable* const> all_choice_tables() {
  static const auto all = [] {
    std::vector<const ChoiceTable*> v;
    for (const structs::Subject& s : structs::all_subjects())
      v.insert(v.end(), s.choices.begin(), s.choices.end());
    return v;
  }();
  return all;
}

const ChoiceTable* choice_table(TableId id) {
  // Resolved once per id: a name compare per table, paid once.
  static const auto by_id = [] {
    std::array<const ChoiceTable*, kTableIdCount> a{};
    for (size_t i = 1; i < kTableIdCount; ++i) {
      const std::string_view name = table_name(static_cast<TableId>(i));
      for (const ChoiceTable* t : all_choice_tables())
        if (name == t->name) a[i] = t;
    }
    return a;
  }();
  const auto i = static_cast<size_t>(id);
  return i < by_id.size() ? by_id[i] : nullptr;
}

bool reads_memory(ArgKind kind) {
  return kind == ArgKind::Struct || kind == ArgKind::String || kind == ArgKind::Path ||
         kind == ArgKind::Buffer;
}

std::span<const ChoiceCapture> choice_captures(TableId id) {
  // Built once: per choice table, its choices that read memory, with their structs' sizes.
  static const auto by_id = [] {
    std::array<std::vector<ChoiceCapture>, kTableIdCount> a;
    for (size_t i = 1; i < kTableIdCount; ++i) {
      const ChoiceTable* t = choice_table(static_cast<TableId>(i));
      if (t == nullptr) continue;
      for (const ArgChoice& c : t->choices) {
        if (!reads_memory(c.kind)) continue;
        uint32_t size =
            c.kind == ArgKind::Struct && c.strct != nullptr ? struct_type_size(c.strct) : 0;
        if (t->capture_always) {
          a[i].push_back({static_cast<uint32_t>(c.selector), c.kind, c.dir, c.len, size, true});
          break;  // one copy serves every choice
        }
        // The selector's value, with each combination of the free bits (submasks of `free`).
        const uint32_t free = t->capture_bits & ~t->selector_mask;
        for (uint32_t extra = free;; extra = (extra - 1) & free) {
          a[i].push_back({static_cast<uint32_t>(c.selector) | extra, c.kind, c.dir, c.len, size});
          if (extra == 0) break;
        }
      }
    }
    return a;
  }();
  const auto i = static_cast<size_t>(id);
  return i < by_id.size() ? std::span<const ChoiceCapture>(by_id[i])
                          : std::span<const ChoiceCapture>();
}

const ArgChoice* find_choice(const ChoiceTable& t, uint64_t selector) {
  auto it = std::find_if(t.choices.begin(), t.choices.end(), [&](const ArgChoice& c) {
    return static_cast<uint32_t>(c.selector) == (static_cast<uint32_t>(selector) & t.selector_mask);
  });
  return it == t.choices.end() ? nullptr : &*it;
}

}  // namespace dtruss
