// keyctl(2)'s commands.

#include <sys/uio.h>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/keyctl.h>
#include <linux/perf_event.h>

#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

// <linux/keyctl.h>
constexpr FlagName kKeyctlCmds[] = {
    F(KEYCTL_GET_KEYRING_ID),
    F(KEYCTL_JOIN_SESSION_KEYRING),
    F(KEYCTL_UPDATE),
    F(KEYCTL_REVOKE),
    F(KEYCTL_CHOWN),
    F(KEYCTL_SETPERM),
    F(KEYCTL_DESCRIBE),
    F(KEYCTL_CLEAR),
    F(KEYCTL_LINK),
    F(KEYCTL_UNLINK),
    F(KEYCTL_SEARCH),
    F(KEYCTL_READ),
    F(KEYCTL_INSTANTIATE),
    F(KEYCTL_NEGATE),
    F(KEYCTL_SET_REQKEY_KEYRING),
    F(KEYCTL_SET_TIMEOUT),
    F(KEYCTL_ASSUME_AUTHORITY),
    F(KEYCTL_GET_SECURITY),
    F(KEYCTL_SESSION_TO_PARENT),
    F(KEYCTL_REJECT),
    F(KEYCTL_INSTANTIATE_IOV),
    F(KEYCTL_INVALIDATE),
    F(KEYCTL_GET_PERSISTENT),
    F(KEYCTL_DH_COMPUTE),
    F(KEYCTL_PKEY_QUERY),
    F(KEYCTL_PKEY_ENCRYPT),
    F(KEYCTL_PKEY_DECRYPT),
    F(KEYCTL_PKEY_SIGN),
    F(KEYCTL_PKEY_VERIFY),
    F(KEYCTL_RESTRICT_KEYRING),
    F(KEYCTL_MOVE),
    F(KEYCTL_CAPABILITIES),
    F(KEYCTL_WATCH_KEY),
};
constexpr FlagTable kKeyctlCmd = enum_table("keyctl_cmd", kKeyctlCmds);

constexpr const FlagTable* kTables[] = {&kKeyctlCmd};

}  // namespace

Subject subject_keys() {
  return {"keys", kTables, {}, {}};
}

}  // namespace dtruss::structs
