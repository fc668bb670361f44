// Capture-file fuzz: the input is the decompressed stream of a capture's records (what follows
// the header, once zstd has decompressed it: docs/capture-format.md). Each record is read as
// -R reads it (src/capture/codec.h); a syscall read back is decoded and rendered as text and
// JSON, as the replay's pipeline would: every length in a file comes from the file, untrusted.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <string_view>

#include "capture/codec.h"
#include "decode/decoder.h"
#include "output/json_sink.h"
#include "output/text_sink.h"
#include "util/writer.h"

namespace {

using namespace dtruss;
using namespace dtruss::capture;

int dev_null() {
  static int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return fd;
}

// `cx`: what Syscall records refer back to, since the last Sync (as the reader keeps it).
void one(Record type, std::string_view p, SyscallContext& cx) {
  switch (type) {
    case Record::Sync:
      cx.reset();
      return;
    case Record::Syscall: {
      SyscallEvent ev;
      if (!get_syscall(p, &ev, cx)) return;
      DecodedCall call;
      Decoder(DecodeOptions{64, false}).decode(ev, call);
      Writer out(dev_null(), false);
      TextSink text(out, TextOptions{});
      JsonSink json(out);
      text.syscall(call);
      json.syscall(call);
      return;
    }
    case Record::Info: {
      CaptureInfo i;
      get_info(p, &i);
      return;
    }
    case Record::Signal: {
      SignalEvent e;
      get_signal(p, &e);
      return;
    }
    case Record::Exit: {
      ExitEvent e;
      get_exit(p, &e);
      return;
    }
    case Record::Aggregate: {
      SyscallAggregate a;
      get_aggregate(p, &a);
      return;
    }
    case Record::Notice: {
      NoticeEvent e;
      get_notice(p, &e);
      return;
    }
    default:
      return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  SyscallContext cx;
  while (true) {
    Frame f = next_frame(rest);
    if (f.state != Framing::Complete) break;
    one(f.type, f.payload, cx);
    rest.remove_prefix(f.size);
  }
  return 0;
}
