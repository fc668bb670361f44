// The list of subjects (DTRUSS_SUBJECTS of subject.h).
#include "decode/subjects/subject.h"

namespace dtruss::structs {

std::span<const Subject> all_subjects() {
  static const Subject kAll[] = {
#define X(name) subject_##name(),
      DTRUSS_SUBJECTS(X)
#undef X
  };
  return kAll;
}

}  // namespace dtruss::structs
