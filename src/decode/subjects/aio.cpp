// Linux AIO (io_setup, io_submit, io_getevents, io_cancel): struct iocb, struct io_event.

#include <sys/socket.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// The kernel's UAPI headers: after glibc's, whose declarations some of them clash with.
#include <linux/aio_abi.h>

#include "decode/flags.h"
#include "decode/subjects/common.h"
#include "decode/subjects/subject.h"  // F() and N(): last, it defines short macros

namespace dtruss::structs {
namespace {

// <linux/aio_abi.h>
constexpr FlagName kIocbCmds[] = {F(IOCB_CMD_PREAD),  F(IOCB_CMD_PWRITE), F(IOCB_CMD_FSYNC),
                                  F(IOCB_CMD_FDSYNC), F(IOCB_CMD_POLL),   F(IOCB_CMD_NOOP),
                                  F(IOCB_CMD_PREADV), F(IOCB_CMD_PWRITEV)};
constexpr FlagTable kIocbCmd = tables::enum_table("iocb_cmd", kIocbCmds);
constexpr FlagName kIocbFlagBits[] = {F(IOCB_FLAG_RESFD), F(IOCB_FLAG_IOPRIO)};
constexpr FlagTable kIocbFlags = tables::bits_table("iocb_flags", kIocbFlagBits);

Value one_io_event(const ArgContext& c, uint64_t addr) {
  io_event e{};
  if (!read_struct(c.mem, addr, &e)) return Value::unreadable(addr);
  Value v = Value::structure();
  FIELD(v, e, data, Value::hex);
  FIELD(v, e, obj, ptr_value);
  FIELD(v, e, res, Value::integer);
  FIELD(v, e, res2, Value::integer);
  return v;
}

Value decode_io_event(const ArgContext& c) {
  return one_or_array(c, sizeof(io_event), one_io_event);
}

Value iocb_value(const ArgContext& c, uint64_t addr) {
  iocb cb{};
  if (!read_struct(c.mem, addr, &cb)) return Value::unreadable(addr);
  Value v = Value::structure();
  if (cb.aio_data != 0 || c.opt.verbose) FIELD(v, cb, aio_data, Value::hex);
  v.add("aio_lio_opcode", enum_value(&kIocbCmd, cb.aio_lio_opcode));
  if (cb.aio_rw_flags != 0)
    v.add("aio_rw_flags",
          flags_value(flag_table(TableId::rwf_flags), static_cast<uint32_t>(cb.aio_rw_flags)));
  if ((cb.aio_flags & IOCB_FLAG_IOPRIO) != 0) FIELD(v, cb, aio_reqprio, Value::integer);
  v.add("aio_fildes", fd_value(static_cast<int32_t>(cb.aio_fildes)));
  switch (cb.aio_lio_opcode) {
    case IOCB_CMD_PWRITE:  // the data is the caller's: show it
      v.add("aio_buf",
            buffer_value(c.mem, cb.aio_buf, static_cast<size_t>(cb.aio_nbytes), c.opt.strsize));
      break;
    case IOCB_CMD_PWRITEV:
      v.add("aio_buf", cb.aio_buf == 0
                           ? Value::null()
                           : iovec_array(c, cb.aio_buf, cb.aio_nbytes, true, UINT64_MAX));
      break;
    case IOCB_CMD_FSYNC:
    case IOCB_CMD_FDSYNC:
    case IOCB_CMD_NOOP:
      break;
    case IOCB_CMD_POLL:
      v.add("aio_buf",
            flags_value(flag_table(TableId::poll_events), static_cast<uint16_t>(cb.aio_buf)));
      break;
    default:
      FIELD(v, cb, aio_buf, ptr_value);
      break;
  }
  if (cb.aio_lio_opcode != IOCB_CMD_POLL && cb.aio_lio_opcode != IOCB_CMD_FSYNC &&
      cb.aio_lio_opcode != IOCB_CMD_FDSYNC && cb.aio_lio_opcode != IOCB_CMD_NOOP) {
    FIELD(v, cb, aio_nbytes, Value::uinteger);
    FIELD(v, cb, aio_offset, Value::integer);
  }
  if (cb.aio_flags != 0) v.add("aio_flags", flags_value(&kIocbFlags, cb.aio_flags));
  if ((cb.aio_flags & IOCB_FLAG_RESFD) != 0)
    v.add("aio_resfd", fd_value(static_cast<int32_t>(cb.aio_resfd)));
  return v;
}

Value decode_iocb(const ArgContext& c) {
  return iocb_value(c, c.raw);
}

// io_submit: an array of pointers to iocbs; an iocb that cannot be read shows as its address.
Value decode_iocb_ptr(const ArgContext& c) {
  size_t n = element_count(c, 1);
  Value arr = Value::array();
  for (size_t i = 0; i < n; ++i) {
    uint64_t p = 0;
    if (!c.mem.read_u64(c.raw + i * sizeof(uint64_t), &p)) {
      if (i == 0) return Value::unreadable(c.raw);
      arr.truncated = true;
      break;
    }
    arr.add({}, p == 0 ? Value::null() : iocb_value(c, p));
  }
  return arr;
}

constexpr Entry kStructs[] = {
    {"io_event", sizeof(io_event), decode_io_event},
    {"iocb", sizeof(iocb), decode_iocb},
    {"iocb_ptr", sizeof(uint64_t), decode_iocb_ptr},
};

constexpr const FlagTable* kTables[] = {&kIocbCmd, &kIocbFlags};

}  // namespace

Subject subject_aio() {
  return {"aio", kTables, kStructs, {}};
}

}  // namespace dtruss::structs
