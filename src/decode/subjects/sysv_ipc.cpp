// System V IPC: msg*, sem*, shm* commands, flags and structs.

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/rseq.h>

#include "core/event.h"
#include "decode/flags.h"
#include "decode/names.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

using namespace ::dtruss::tables;

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

// <sys/ipc.h>, <sys/sem.h>: sembuf.sem_flg.
constexpr FlagName kSemFlagBits[] = {F(IPC_NOWAIT), F(SEM_UNDO)};
constexpr FlagTable kSemFlags = tables::bits_table("sem_flg", kSemFlagBits);

Value one_sembuf(const ArgContext& c, uint64_t addr) {
  sembuf s{};
  if (!read_struct(c.mem, addr, &s)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, s, sem_num, Value::uinteger);
  FIELD(v, s, sem_op, Value::integer);
  v.add("sem_flg", flags_value(&kSemFlags, static_cast<uint16_t>(s.sem_flg)));
  return v;
}

Value decode_sembuf(const ArgContext& c) {
  return decode_array(c, element_count(c, 1), sizeof(sembuf), kMaxArrayElements, one_sembuf);
}

// struct msgbuf { long mtype; char mtext[]; }: msgsnd sends msgsz bytes of text, msgrcv received
// as many as it returned.
Value decode_msgbuf(const ArgContext& c) {
  int64_t mtype = 0;
  if (!read_struct(c.mem, c.raw, &mtype)) return Value::unreadable(c.raw);
  int sz = arg_named(c, "msgsz");
  uint64_t len = sz >= 0 ? c.other(sz) : 0;
  if (c.arg.dir != Dir::In)
    len = c.ev.returned() && c.ev.ret >= 0 ? std::min(len, static_cast<uint64_t>(c.ev.ret)) : 0;
  Value v = Value::structure();
  v.add("mtype", Value::integer(mtype));
  Value text = buffer_value(c.mem, c.raw + sizeof mtype, static_cast<size_t>(len), c.opt.strsize);
  if (text.type == Value::Type::Unreadable) text = Value::hex(c.raw + sizeof mtype);
  v.add("mtext", std::move(text));
  return v;
}

// msgbuf: a variable size; its type and the first 64 bytes of text are captured, the rest (with
// a larger --strsize) is read live.
constexpr uint32_t kMsgbufCapture = sizeof(int64_t) + 64;

static_assert(sizeof(struct ipc_perm) == 48);

static_assert(sizeof(struct msqid_ds) == 120);

static_assert(sizeof(struct shmid_ds) == 112);

Value ipc_perm_value(const struct ipc_perm& p) {
  Value v = Value::structure();
  v.add("key", p.__key == IPC_PRIVATE ? Value::symbol("IPC_PRIVATE", 0)
                                      : Value::hex(static_cast<uint32_t>(p.__key)));
  FIELD(v, p, uid, Value::uinteger);
  FIELD(v, p, gid, Value::uinteger);
  FIELD(v, p, cuid, Value::uinteger);
  FIELD(v, p, cgid, Value::uinteger);
  FIELD(v, p, mode, Value::octal);
  return v;
}

Value msqid_ds_value(const ArgContext& c, const struct msqid_ds& m) {
  Value v = Value::structure();
  FIELD(v, m, msg_perm, ipc_perm_value);
  if (c.opt.verbose) {
    FIELD(v, m, msg_stime, Value::integer);
    FIELD(v, m, msg_rtime, Value::integer);
    FIELD(v, m, msg_ctime, Value::integer);
    v.add("msg_cbytes", Value::uinteger(m.__msg_cbytes));
  }
  FIELD(v, m, msg_qnum, Value::uinteger);
  FIELD(v, m, msg_qbytes, Value::uinteger);
  if (!c.opt.verbose) {
    v.truncated = true;
    return v;
  }
  FIELD(v, m, msg_lspid, Value::integer);
  FIELD(v, m, msg_lrpid, Value::integer);
  return v;
}

Value msginfo_value(const struct msginfo& m) {
  Value v = Value::structure();
  FIELD(v, m, msgpool, Value::integer);
  FIELD(v, m, msgmap, Value::integer);
  FIELD(v, m, msgmax, Value::integer);
  FIELD(v, m, msgmnb, Value::integer);
  FIELD(v, m, msgmni, Value::integer);
  FIELD(v, m, msgssz, Value::integer);
  FIELD(v, m, msgtql, Value::integer);
  FIELD(v, m, msgseg, Value::uinteger);
  return v;
}

Value decode_msqid_ds(const ArgContext& c) {
  auto cmd = static_cast<int>(static_cast<uint32_t>(c.other(1)) & ~kIpc64);
  if (c.failed() && cmd != IPC_SET) return ptr_value(c.raw);  // nothing was written
  if (cmd == IPC_STAT || cmd == IPC_SET || cmd == MSG_STAT || cmd == MSG_STAT_ANY) {
    struct msqid_ds m {};
    if (!read_struct(c.mem, c.raw, &m)) return Value::unreadable(c.raw);
    return msqid_ds_value(c, m);
  }
  if (cmd == IPC_INFO || cmd == MSG_INFO) {
    struct msginfo m {};
    if (!read_struct(c.mem, c.raw, &m)) return Value::unreadable(c.raw);
    return msginfo_value(m);
  }
  return ptr_value(c.raw);
}

Value shmid_ds_value(const ArgContext& c, const struct shmid_ds& s) {
  Value v = Value::structure();
  FIELD(v, s, shm_perm, ipc_perm_value);
  FIELD(v, s, shm_segsz, Value::uinteger);
  if (c.opt.verbose) {
    FIELD(v, s, shm_atime, Value::integer);
    FIELD(v, s, shm_dtime, Value::integer);
    FIELD(v, s, shm_ctime, Value::integer);
    FIELD(v, s, shm_cpid, Value::integer);
    FIELD(v, s, shm_lpid, Value::integer);
  }
  FIELD(v, s, shm_nattch, Value::uinteger);
  if (!c.opt.verbose) v.truncated = true;
  return v;
}

Value decode_shmid_ds(const ArgContext& c) {
  auto cmd = static_cast<int>(static_cast<uint32_t>(c.other(1)) & ~kIpc64);
  if (c.failed() && cmd != IPC_SET) return ptr_value(c.raw);  // nothing was written
  if (cmd == IPC_STAT || cmd == IPC_SET || cmd == SHM_STAT || cmd == SHM_STAT_ANY) {
    struct shmid_ds s {};
    if (!read_struct(c.mem, c.raw, &s)) return Value::unreadable(c.raw);
    return shmid_ds_value(c, s);
  }
  if (cmd == IPC_INFO) {
    struct shminfo i {};
    if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
    Value v = Value::structure();
    FIELD(v, i, shmmax, Value::uinteger);
    FIELD(v, i, shmmin, Value::uinteger);
    FIELD(v, i, shmmni, Value::uinteger);
    FIELD(v, i, shmseg, Value::uinteger);
    FIELD(v, i, shmall, Value::uinteger);
    return v;
  }
  if (cmd == SHM_INFO) {
    struct shm_info i {};
    if (!read_struct(c.mem, c.raw, &i)) return Value::unreadable(c.raw);
    Value v = Value::structure();
    FIELD(v, i, used_ids, Value::integer);
    FIELD(v, i, shm_tot, Value::uinteger);
    FIELD(v, i, shm_rss, Value::uinteger);
    FIELD(v, i, shm_swp, Value::uinteger);
    FIELD(v, i, swap_attempts, Value::uinteger);
    FIELD(v, i, swap_successes, Value::uinteger);
    return v;
  }
  return ptr_value(c.raw);
}

constexpr Entry kStructs[] = {
    {"sembuf", sizeof(sembuf), decode_sembuf},
    {"msgbuf", kMsgbufCapture, decode_msgbuf},
    // Large enough for each command's struct: msqid_ds (120 bytes) holds a msginfo (32),
    // shmid_ds (112) a shminfo (72) or a shm_info (48).
    {"msqid_ds", sizeof(struct msqid_ds), decode_msqid_ds},
    {"shmid_ds", sizeof(struct shmid_ds), decode_shmid_ds},
};

constexpr const FlagTable* kTables[] = {&kIpcFlags,    &kShmgetFlags, &kShmFlags,
                                        &kMsgrcvFlags, &kIpcCmd,      &kShmctlCmd,
                                        &kSemctlCmd,   &kMsgctlCmd,   &kSemFlags};

// Each fallback above (a value written by hand because an older header lacks its name),
// checked against the installed headers wherever they define it.
#ifdef IPC_64
static_assert(value_named(kIpc64Bit, "IPC_64") == value_of(IPC_64));
#endif

}  // namespace

Subject subject_sysv_ipc() {
  return {"sysv_ipc", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
