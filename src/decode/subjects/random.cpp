// getrandom's flags.

#include <sys/random.h>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/perf_event.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <sys/random.h>
constexpr FlagName kGrndBits[] = {F(GRND_NONBLOCK), F(GRND_RANDOM), F(GRND_INSECURE)};
constexpr FlagTable kGetrandomFlags = bits_table("getrandom_flags", kGrndBits);

constexpr const FlagTable* kTables[] = {&kGetrandomFlags};

}  // namespace

Subject subject_random() {
  return {"random", kTables, {}, {}};
}

}  // namespace dtruss::structs
