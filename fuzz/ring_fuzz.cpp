// eBPF ring-record fuzz: the input is one record as the kernel side writes it into the ring
// buffer (src/backends/bpf/events.h), read as the tracer reads it (src/backends/bpf/records.h).
// A DT_SYSCALL record, with its captures, is then decoded and rendered as text and JSON, as the
// tracer's pipeline would: every length in a record comes from the kernel side and is checked.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "backends/bpf/records.h"
#include "decode/decoder.h"
#include "output/json_sink.h"
#include "output/text_sink.h"
#include "util/writer.h"

namespace {

using namespace dtruss;

int dev_null() {
  static int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return fd;
}

void syscall_record(const uint8_t* data, size_t size) {
  SyscallEvent ev;
  std::vector<uint64_t> counted;
  std::vector<LateCapture> late;
  read_syscall_record(data, size, true, ev, counted, late);
  // What the captures hold, read back at each argument's address.
  for (uint64_t arg : ev.args) {
    uint64_t word = 0;
    ev.captures.read_u64(arg, &word);
    char buf[64];
    ev.captures.read(arg, buf, sizeof buf);
  }
  DecodedCall call;
  Decoder(DecodeOptions{64, false}).decode(ev, call);
  Writer out(dev_null(), false);
  TextSink text(out, TextOptions{});
  JsonSink json(out);
  text.syscall(call);
  json.syscall(call);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  switch (record_type(data, size)) {
    case DT_SYSCALL:
      syscall_record(data, size);
      break;
    case DT_MAP:
      map_record_path(data, size);
      break;
    case DT_CHUNK: {
      dt_chunk rec;
      const uint8_t* bytes = chunk_record_bytes(data, size, &rec);
      volatile uint8_t sum = 0;  // every byte of the piece is inside the record
      for (size_t i = 0; i < rec.len; ++i) sum = sum + bytes[i];
      break;
    }
    case DT_STACK: {
      dt_stack rec;
      std::memcpy(&rec, data, sizeof rec);
      StackRecordParts parts = stack_record_parts(rec, data, size);
      volatile uint8_t sum = 0;  // every byte the unwinder may read is inside the record
      for (size_t i = 0; i < parts.nfp * 8; ++i) sum = sum + parts.fp[i];
      for (size_t i = 0; i < parts.len; ++i) sum = sum + parts.bytes[i];
      break;
    }
    default:
      break;
  }
  return 0;
}
