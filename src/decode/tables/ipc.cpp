// System V IPC tables: get flags, shmat flags, the ctl commands, msgrcv flags.
// Facts from glibc's <sys/ipc.h> (bits/ipc.h), <sys/shm.h> (bits/shm.h), <sys/sem.h>
// (bits/sem.h) and <sys/msg.h> (bits/msq.h). IPC_64 is only in the kernel's <linux/ipc.h>,
// whose struct ipc_perm conflicts with glibc's, so it is a number citing that header.
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "decode/tables/registry.h"

namespace dtruss::tables {
namespace {

// include/uapi/linux/ipc.h: the "new version" bit some C libraries add to a ctl command.
constexpr uint64_t kIpc64 = 0x0100;
constexpr FlagName kIpc64Bit[] = {N(kIpc64, "IPC_64")};

// <sys/ipc.h>. The low 9 bits are the permission mode; they show as a hex rest.
constexpr FlagName kIpcBits[] = {F(IPC_CREAT), F(IPC_EXCL), F(IPC_NOWAIT)};
constexpr FlagTable kIpcFlags = bits_table("ipc_flags", kIpcBits);

// <sys/ipc.h>, <sys/shm.h>: shmget's flags (SHM_HUGETLB has IPC_NOWAIT's value).
constexpr FlagName kShmgetBits[] = {F(IPC_CREAT), F(IPC_EXCL), F(SHM_HUGETLB), F(SHM_NORESERVE)};
constexpr FlagTable kShmgetFlags = bits_table("shmget_flags", kShmgetBits);

// <sys/shm.h>: shmat's flags.
constexpr FlagName kShmBits[] = {F(SHM_RDONLY), F(SHM_RND), F(SHM_REMAP), F(SHM_EXEC)};
constexpr FlagTable kShmFlags = bits_table("shm_flags", kShmBits);

// <sys/ipc.h>, <sys/msg.h>: msgrcv's flags.
constexpr FlagName kMsgrcvBits[] = {F(IPC_NOWAIT), F(MSG_NOERROR), F(MSG_EXCEPT), F(MSG_COPY)};
constexpr FlagTable kMsgrcvFlags = bits_table("msgrcv_flags", kMsgrcvBits);

// <sys/ipc.h>: the commands common to shmctl, semctl and msgctl. Their own commands share
// values (SHM_STAT, GETALL and MSG_STAT are all 13), so each has a table of its own below.
constexpr FlagName kIpcCmds[] = {F(IPC_RMID), F(IPC_SET), F(IPC_STAT), F(IPC_INFO)};
constexpr FlagTable kIpcCmd = mixed_table("ipc_cmd", ~kIpc64, kIpcCmds, kIpc64Bit);

// <sys/ipc.h>, <sys/shm.h>
constexpr FlagName kShmctlCmds[] = {F(IPC_RMID), F(IPC_SET),  F(IPC_STAT),
                                    F(IPC_INFO), F(SHM_LOCK), F(SHM_UNLOCK),
                                    F(SHM_STAT), F(SHM_INFO), F(SHM_STAT_ANY)};
constexpr FlagTable kShmctlCmd = mixed_table("shmctl_cmd", ~kIpc64, kShmctlCmds, kIpc64Bit);

// <sys/ipc.h>, <sys/sem.h>
constexpr FlagName kSemctlCmds[] = {
    F(IPC_RMID), F(IPC_SET), F(IPC_STAT), F(IPC_INFO), F(GETPID),   F(GETVAL),   F(GETALL),
    F(GETNCNT),  F(GETZCNT), F(SETVAL),   F(SETALL),   F(SEM_STAT), F(SEM_INFO), F(SEM_STAT_ANY)};
constexpr FlagTable kSemctlCmd = mixed_table("semctl_cmd", ~kIpc64, kSemctlCmds, kIpc64Bit);

// <sys/ipc.h>, <sys/msg.h>
constexpr FlagName kMsgctlCmds[] = {F(IPC_RMID), F(IPC_SET),  F(IPC_STAT),    F(IPC_INFO),
                                    F(MSG_STAT), F(MSG_INFO), F(MSG_STAT_ANY)};
constexpr FlagTable kMsgctlCmd = mixed_table("msgctl_cmd", ~kIpc64, kMsgctlCmds, kIpc64Bit);

constexpr const FlagTable* kTables[] = {&kIpcFlags, &kShmgetFlags, &kShmFlags,  &kMsgrcvFlags,
                                        &kIpcCmd,   &kShmctlCmd,   &kSemctlCmd, &kMsgctlCmd};

}  // namespace

TableList ipc_tables() {
  return kTables;
}

}  // namespace dtruss::tables
