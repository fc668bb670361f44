// Decoder fuzz: a random syscall number, random arguments and random "captured" bytes behind
// them, decoded with every option combination and rendered by the text (decoded, raw, verbose)
// and JSON sinks. Input layout (all little-endian, missing bytes read as zero):
//   u16 nr (modulo a range a little wider than the table), u8 flags, 6 x u64 args, i64 ret,
//   then regions: u8 arg index (which argument's address the bytes sit at), u16 offset into the
//   arg's memory, u16 length, and that many bytes; repeated until the input ends.
// With flag 0x80 the syscall's capture plan is also run (as the ptrace backend runs it) on
// "live" memory made of the input's bytes: pointer chains (argv, iovecs, msghdrs) go anywhere.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "decode/choices.h"
#include "decode/decoder.h"
#include "decode/structs.h"
#include "output/json_sink.h"
#include "output/summary_sink.h"
#include "output/text_sink.h"
#include "syscalls/capture_run.h"
#include "util/writer.h"

namespace {

using namespace dtruss;

struct Input {
  const uint8_t* p;
  size_t left;
  template <typename T>
  T take() {
    T v{};
    size_t n = left < sizeof(T) ? left : sizeof(T);
    std::memcpy(&v, p, n);
    p += n;
    left -= n;
    return v;
  }
};

// Live memory of a make-believe tracee (as ptrace reads it): every address holds bytes of the
// input, repeated; pages whose number is a multiple of 5 fault, so pointer chains (argv, iovecs,
// msghdr) go anywhere and reads are cut short at page ends.
class FuzzMemory final : public MemoryReader {
 public:
  FuzzMemory(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  size_t read(uint64_t addr, void* out, size_t len) const override {
    auto* o = static_cast<uint8_t*>(out);
    size_t done = 0;
    while (done < len) {
      uint64_t a = addr + done;
      if (a < addr || n_ == 0 || (a >> 12) % 5 == 0) break;
      size_t chunk = std::min<uint64_t>({len - done, 4096 - (a & 4095), n_ - a % n_});
      std::memcpy(o + done, p_ + a % n_, chunk);
      done += chunk;
    }
    return done;
  }

 private:
  const uint8_t* p_;
  size_t n_;
};

int dev_null() {
  static int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  return fd;
}

void render(const SyscallEvent& ev, const DecodeOptions& dopt, uint8_t flags) {
  DecodedCall call;
  Decoder(dopt).decode(ev, call);
  Writer out(dev_null(), false);
  TextOptions t;
  t.show_task = flags & 0x4;
  t.relative = t.elapsed = t.cpu = flags & 0x8;
  TextOptions raw = t, verbose = t;
  raw.raw = true;
  verbose.verbose = true;
  TextSink text(out, t), text_raw(out, raw), text_verbose(out, verbose);
  JsonSink json(out);
  SummarySink summary(out, flags & 0x10);
  Sink* sinks[] = {&text, &text_raw, &text_verbose, &json, &summary};
  for (Sink* s : sinks) {
    s->begin(1);
    s->syscall(call);
    s->finish();
  }
}

}  // namespace

// The capture plans flag 0x80 runs: -v's (the most memory each reads).
const CapturePlans& fuzz_plans() {
  static const CapturePlans plans = [] {
    CaptureLimits lim;
    lim.verbose = true;
    lim.struct_size = struct_size;
    lim.choice_captures = choice_captures;
    return CapturePlans(lim);
  }();
  return plans;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  SyscallEvent ev;
  ev.nr = static_cast<long>(in.take<uint16_t>() % 600) - 50;  // includes negative and unknown
  uint8_t flags = in.take<uint8_t>();
  for (auto& a : ev.args) a = in.take<uint64_t>();
  ev.ret = in.take<int64_t>();
  ev.end = static_cast<SyscallEvent::End>((flags & 0x3) % 3);
  ev.task.pid = ev.task.tid = 1234;
  std::memcpy(ev.task.comm.data(), "fuzz", 5);
  ev.enter_ns = 10;
  ev.exit_ns = (flags & 0x20) ? 5 : 20;  // also an exit before the entry
  ev.cpu_ns = (flags & 0x40) ? kUnknown : 3;
  // With flag 0x80, the plan run on "live" memory made of the input (after the regions below).
  FuzzMemory live(data, size);
  while (in.left > 0) {
    uint8_t which = in.take<uint8_t>() % 6;
    uint16_t offset = in.take<uint16_t>();
    uint16_t len = in.take<uint16_t>();
    if (len > in.left) len = static_cast<uint16_t>(in.left);
    ev.captures.add(ev.args[which] + offset, in.p, len);
    in.p += len;
    in.left -= len;
  }
  if (flags & 0x80) {
    const CapturePlan& plan = fuzz_plans().of(ev.nr, ev.args.data());
    StepInputs si{ev.args.data(), ev.ret, ev.end == SyscallEvent::End::Returned};
    run_capture_steps(plan.entry, plan.n_entry, si, live, ev.captures);
    run_capture_steps(plan.before, plan.n_before, si, live, ev.before);
    run_capture_steps(plan.exit, plan.n_exit, si, live, ev.captures);
  }
  for (bool verbose : {false, true})
    for (size_t strsize : {size_t{0}, size_t{4}, size_t{64}}) render(ev, {strsize, verbose}, flags);
  return 0;
}
