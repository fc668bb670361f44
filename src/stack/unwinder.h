// -s: user stacks for both backends. The stack is unwound with elfutils' libdwfl, which follows
// the DWARF call-frame information (.eh_frame), so frames through code built without frame
// pointers (the C library) are found too; the frames are then named (module, symbol, file:line).
// The ptrace backend hands the live registers and live memory of the stopped thread; the eBPF
// backend the registers and the copy of the top of the stack taken in the kernel at entry.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/event.h"
#include "core/memory.h"

struct Dwfl;
struct Dwfl_Module;

namespace dtruss {

// The registers an unwind starts from, in DWARF numbering for x86-64 (0 rax, 1 rdx, 2 rcx,
// 3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15) and the instruction pointer.
struct UserRegs {
  static constexpr int kRbp = 6;
  static constexpr int kRsp = 7;
  std::array<uint64_t, 16> gp{};
  uint64_t ip = 0;
  bool all = false;  // every gp register is known (ptrace); else only rsp and rbp (eBPF)
};

// Reads a stack copy taken at `base` (the stack pointer at entry); nothing outside it.
class StackCopyReader final : public MemoryReader {
 public:
  StackCopyReader(uint64_t base, const uint8_t* bytes, size_t len)
      : base_(base), bytes_(bytes), len_(len) {}
  size_t read(uint64_t addr, void* out, size_t len) const override;

 private:
  uint64_t base_;
  const uint8_t* bytes_;
  size_t len_;
};

class StackUnwinder {
 public:
  explicit StackUnwinder(size_t max_depth);
  ~StackUnwinder();
  StackUnwinder(const StackUnwinder&) = delete;
  StackUnwinder& operator=(const StackUnwinder&) = delete;

  // Unwinds thread `tid` of process `pid` from `regs`, reading stack memory through `mem`, and
  // names the frames into `out` (innermost first, at most max_depth; what it held is replaced).
  // The process's mappings are read from /proc on first use and again when a frame falls outside
  // the known modules.
  void unwind(pid_t pid, pid_t tid, const UserRegs& regs, const MemoryReader& mem,
              std::vector<StackFrame>* out);
  // The process exec'd or ended: its mappings are stale.
  void forget(pid_t pid);
  // The process mapped or unmapped something (mmap, munmap, mremap seen by the backend): read its
  // mappings again before the next unwind. (An address that falls in no module, or in a file that
  // is no ELF, also makes them read again, once per page until the next change: this covers
  // changes the backend did not see, and keeps JIT code from costing a read every call.)
  void mappings_changed(pid_t pid);

  // The eBPF backend tells the mappings as they change (its events often arrive after the
  // process ended, when /proc no longer has them). A process told about is no longer read from
  // /proc, but for a first look at what it had mapped before (one not started under the trace).
  // `exec`: the first mapping of a new program, whose earlier mappings are gone.
  void map_file(pid_t pid, uint64_t start, uint64_t end, uint64_t pgoff, const std::string& path,
                bool exec);
  void unmap(pid_t pid, uint64_t start, uint64_t end);
  void inherit(pid_t parent, pid_t child);  // fork: the child has its parent's mappings

  size_t max_depth() const { return max_depth_; }
  // Waits for the warm-up (below) to end: before the tracer forks a command (a fork while
  // another thread runs is best avoided), and before any use of libdwfl here.
  void join_warm_up();
  // Whether the last unwind() reached a frame that the call-frame information marks as the
  // outermost (false: it stopped because it could not go on: memory or CFI missing).
  bool last_complete() const { return complete_; }

  // Frame-pointer frames from elsewhere (the kernel's walk): named the same way.
  void symbolize(pid_t pid, const std::vector<uint64_t>& pcs, std::vector<StackFrame>* out);

  struct Process;  // one libdwfl session per traced process (public for the C callbacks)

  struct Symbol {
    std::string module, symbol, file;
    uint64_t offset = 0;  // of the looked-up address from the symbol's start
    uint64_t sym_addr_rel = 0;
    bool has_symbol = false;
    int line = 0;
  };
  // How to find a register of the caller's frame: the call-frame information at one address,
  // when it is simple (as nearly all of it is): the CFA is rsp or rbp plus a constant, and the
  // return address, rbp and rsp are undefined, unchanged, at CFA + off or CFA + off itself.
  struct RegRule {
    enum Kind : uint8_t { kUndefined, kSame, kAt, kValue } kind = kUndefined;
    int64_t off = 0;
  };
  struct FrameRule {
    bool simple = false;  // false: libdwfl unwinds this stack (expressions, signal frames, ...)
    int cfa_reg = 0;
    int64_t cfa_off = 0;
    RegRule ra, rbp, rsp;
  };
  // What one process's address (a frame's lookup address) resolves to, while its mappings stay.
  struct PcInfo {
    const Symbol* sym = nullptr;  // anon_ outside any ELF module
    uint64_t low = 0;             // the module's start
    const FrameRule* rule = nullptr;
    std::unordered_map<uint64_t, FrameRule>* rules = nullptr;  // the module's, by relative addr
    Dwfl_Module* mod = nullptr;
  };

 private:
  Process& process(pid_t pid);
  bool report(Process& p);
  bool report_told(Process& p);
  void collect(Process& p, pid_t tid, const UserRegs& regs, const MemoryReader& mem);
  bool fast_collect(Process& p, const UserRegs& regs, const MemoryReader& mem);
  bool all_in_modules(Process& p, bool remember);
  void name_frames(Process& p, std::vector<StackFrame>* out);
  PcInfo& pc_info(Process& p, uint64_t addr);
  const FrameRule& frame_rule(PcInfo& info, uint64_t addr);
  void name_symbol(Dwfl_Module* m, const char* name, uint64_t low, uint64_t addr, Symbol* out);
  // One libdwfl session per module file (by build-id, else path), shared by every process that
  // maps it, names its addresses: its debug information (decompressed, tens of milliseconds for
  // the C library) is read once per trace, not once per process.
  struct Namer {
    Dwfl* dwfl = nullptr;
    Dwfl_Module* mod = nullptr;
    uint64_t low = 0;
  };
  Namer& namer(const std::string& key, const char* file);

  size_t max_depth_;
  std::unordered_map<pid_t, std::unique_ptr<Process>> procs_;
  // Names already looked up, per module (by build-id, else path) and module-relative address:
  // a long trace does not search the symbol tables and line programs again.
  std::unordered_map<std::string, std::unordered_map<uint64_t, Symbol>> names_;
  // The call-frame rules found, per module (the same key) and module-relative address.
  std::unordered_map<std::string, std::unordered_map<uint64_t, FrameRule>> rules_;
  std::unordered_map<std::string, Namer> namers_;  // by the same key
  // Reads the debug information of dtruss's own C library and dynamic loader, which nearly every
  // traced program maps too, while the trace is set up: the consumer's first stacks would
  // otherwise wait for it while the traced program runs on (and, on eBPF, fills the ring).
  std::thread warm_up_;
  Symbol anon_;
  Symbol unknown_;
  // The frames of the unwind in progress: pc and whether it is the interrupted instruction.
  std::vector<std::pair<uint64_t, bool>> pcs_;
  bool complete_ = false;
};

}  // namespace dtruss
