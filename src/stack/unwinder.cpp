#include "stack/unwinder.h"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_set>

namespace dtruss {

size_t StackCopyReader::read(uint64_t addr, void* out, size_t len) const {
  if (addr < base_ || addr - base_ >= len_) return 0;
  size_t n = std::min<size_t>(len, len_ - static_cast<size_t>(addr - base_));
  std::memcpy(out, bytes_ + (addr - base_), n);
  return n;
}

// One libdwfl session per process: its modules (from /proc/PID/maps) stay loaded between calls,
// and the unwind in progress (thread, registers, memory) is what the callbacks below serve.
struct StackUnwinder::Process {
  pid_t pid = 0;
  Dwfl* dwfl = nullptr;
  bool reported = false;  // the mappings were read at least once
  bool attached = false;  // dwfl_attach_state done
  bool dirty = false;     // the mappings changed since they were read
  // Pages of addresses that were in no module even after the mappings were read again (JIT or
  // anonymous code): no new read for them until the mappings change.
  std::unordered_set<uint64_t> anon_pages;
  // Mappings told by the backend (map_file): each file's first mapping (offset 0), by start.
  bool told = false;
  struct Mapping {
    uint64_t end;
    std::string path;
    uint64_t low = 0, high = 0;  // the module's range once reported (0, 0: not yet)
  };
  std::map<uint64_t, Mapping> maps;
  std::unordered_set<std::string> not_elf;  // told files that are no ELF (ld.so.cache, data)
  // Each frame address seen since the modules were last reported: its name and unwind rule.
  std::unordered_map<uint64_t, StackUnwinder::PcInfo> pcs;
  pid_t tid = 0;
  const UserRegs* regs = nullptr;
  const MemoryReader* mem = nullptr;
  const StackCopyReader* copy = nullptr;  // mem, when it is a copy: read in place
  // The last page of stack read: an unwind reads neighbouring words, one read serves them.
  uint64_t page = UINT64_MAX;
  size_t page_len = 0;
  uint8_t bytes[4096];

  ~Process() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }
};

namespace {

using Process = StackUnwinder::Process;
constexpr int kReturnAddress = 16;  // DWARF's register number of the x86-64 return address

char* g_debuginfo_path = nullptr;
// A process's session unwinds (from .eh_frame, else the module file's own DWARF); the sessions
// per module file name (namer()). Loading a separate debug file in the process's session too (the
// C library's: decompressed, 15 MiB and 45 ms) would only repeat the namer's.
int no_separate_debuginfo(Dwfl_Module*, void**, const char*, Dwarf_Addr, const char*, const char*,
                          GElf_Word, char**) {
  return -1;
}
const Dwfl_Callbacks kCallbacks = {dwfl_linux_proc_find_elf, no_separate_debuginfo, nullptr,
                                   &g_debuginfo_path};
const Dwfl_Callbacks kFileCallbacks = {dwfl_build_id_find_elf, dwfl_standard_find_debuginfo,
                                       dwfl_offline_section_address, &g_debuginfo_path};

pid_t next_thread(Dwfl*, void* arg, void** thread_arg) {
  if (*thread_arg != nullptr) return 0;  // one thread: the one being unwound
  auto* p = static_cast<Process*>(arg);
  *thread_arg = p;
  return p->tid;
}

bool get_thread(Dwfl*, pid_t tid, void* arg, void** thread_arg) {
  auto* p = static_cast<Process*>(arg);
  if (tid != p->tid) return false;
  *thread_arg = p;
  return true;
}

bool memory_read(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* arg) {
  auto* p = static_cast<Process*>(arg);
  if (p->copy != nullptr) return p->copy->read(addr, result, sizeof(*result)) == sizeof(*result);
  if (p->mem == nullptr) return false;
  uint64_t page = addr & ~uint64_t{4095};
  if (page != p->page) {
    p->page = page;
    p->page_len = p->mem->read(page, p->bytes, sizeof(p->bytes));
  }
  uint64_t off = addr - page;
  if (off + sizeof(*result) <= p->page_len) {
    std::memcpy(result, p->bytes + off, sizeof(*result));
    return true;
  }
  return p->mem->read(addr, result, sizeof(*result)) == sizeof(*result);  // across pages
}

bool set_initial_registers(Dwfl_Thread* thread, void* thread_arg) {
  auto* p = static_cast<Process*>(thread_arg);
  const UserRegs& r = *p->regs;
  static_assert(sizeof(Dwarf_Word) == sizeof(uint64_t));
  bool ok = r.all ? dwfl_thread_state_registers(thread, 0, 16, r.gp.data())
                  : dwfl_thread_state_registers(thread, UserRegs::kRbp, 2, &r.gp[UserRegs::kRbp]);
  dwfl_thread_state_register_pc(thread, r.ip);
  return ok;
}

const Dwfl_Thread_Callbacks kThreadCallbacks = {next_thread,           get_thread, memory_read,
                                                set_initial_registers, nullptr,    nullptr};

std::string base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash != nullptr ? slash + 1 : path;
}

std::string demangle(const char* name) {
  if (std::strncmp(name, "_Z", 2) != 0) return name;
  int status = 0;
  char* out = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string s = status == 0 && out != nullptr ? out : name;
  std::free(out);
  return s;
}

std::string module_key(Dwfl_Module* m, const char* name) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  int n = dwfl_module_build_id(m, &bits, &vaddr);
  if (n <= 0) return std::string("path:") + name;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (int i = 0; i < n; ++i) {
    key += kHex[bits[i] >> 4];
    key += kHex[bits[i] & 15];
  }
  return key;
}

struct FrameSink {
  std::vector<std::pair<uint64_t, bool>>* pcs;
  size_t max;
};

int on_frame(Dwfl_Frame* frame, void* arg) {
  auto* sink = static_cast<FrameSink*>(arg);
  Dwarf_Addr pc = 0;
  bool activation = false;
  if (!dwfl_frame_pc(frame, &pc, &activation) || pc == 0) return DWARF_CB_ABORT;
  sink->pcs->emplace_back(pc, activation);
  return sink->pcs->size() < sink->max ? DWARF_CB_OK : DWARF_CB_ABORT;  // the depth asked for
}

}  // namespace

namespace {

// The files of dtruss's own C library and dynamic loader.
std::vector<std::string> own_runtime_files() {
  struct Found {
    uintptr_t libc_code;
    uintptr_t loader_base;
    std::vector<std::string> files;
  } found{reinterpret_cast<uintptr_t>(&getpid), getauxval(AT_BASE), {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* arg) {
        auto* f = static_cast<Found*>(arg);
        if (info->dlpi_name == nullptr || info->dlpi_name[0] != '/') return 0;
        bool libc = false;
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          uintptr_t start = info->dlpi_addr + ph.p_vaddr;
          libc |=
              ph.p_type == PT_LOAD && f->libc_code >= start && f->libc_code < start + ph.p_memsz;
        }
        if (libc || (f->loader_base != 0 && info->dlpi_addr == f->loader_base))
          f->files.emplace_back(info->dlpi_name);
        return 0;
      },
      &found);
  return found.files;
}

// A module file reported alone (at its own addresses), for naming; nullptr if it cannot be.
Dwfl_Module* report_file(Dwfl* d, const char* file) {
  dwfl_report_begin(d);
  Dwfl_Module* m = dwfl_report_offline(d, file, file, -1);
  dwfl_report_end(d, nullptr, nullptr);
  return m;
}

}  // namespace

StackUnwinder::StackUnwinder(size_t max_depth) : max_depth_(max_depth) {
  anon_.module = "[anon]";
  unknown_.module = "[unknown]";
  warm_up_ = std::thread([this] {
    for (const std::string& file : own_runtime_files()) {
      Namer n;
      n.dwfl = dwfl_begin(&kFileCallbacks);
      n.mod = n.dwfl != nullptr ? report_file(n.dwfl, file.c_str()) : nullptr;
      if (n.mod == nullptr) {
        if (n.dwfl != nullptr) dwfl_end(n.dwfl);
        continue;
      }
      dwfl_module_info(n.mod, nullptr, &n.low, nullptr, nullptr, nullptr, nullptr, nullptr);
      Dwarf_Addr bias = 0;
      dwfl_module_getdwarf(n.mod, &bias);  // (decompresses the debug sections)
      dwfl_module_getsymtab(n.mod);
      auto [it, fresh] = namers_.try_emplace(module_key(n.mod, file.c_str()), n);
      if (!fresh) dwfl_end(n.dwfl);
    }
  });
}

StackUnwinder::~StackUnwinder() {
  join_warm_up();
  for (auto& [key, n] : namers_)
    if (n.dwfl != nullptr) dwfl_end(n.dwfl);
}

// (Before the first use of libdwfl here: the warm-up's sessions are its own, but libdw is not
// known to be safe to use from two threads at once.)
void StackUnwinder::join_warm_up() {
  if (warm_up_.joinable()) warm_up_.join();
}

// The naming session of a module (by its key), made on first use from its file; one whose file
// is not (or no longer) the module the key names has none: the process's own module names it.
StackUnwinder::Namer& StackUnwinder::namer(const std::string& key, const char* file) {
  auto [it, fresh] = namers_.try_emplace(key);
  Namer& n = it->second;
  if (!fresh || file == nullptr) return n;
  n.dwfl = dwfl_begin(&kFileCallbacks);
  if (n.dwfl == nullptr) return n;
  n.mod = report_file(n.dwfl, file);
  if (n.mod != nullptr && module_key(n.mod, file) == key) {
    dwfl_module_info(n.mod, nullptr, &n.low, nullptr, nullptr, nullptr, nullptr, nullptr);
  } else {
    n.mod = nullptr;
    dwfl_end(n.dwfl);
    n.dwfl = nullptr;
  }
  return n;
}

void StackUnwinder::forget(pid_t pid) {
  procs_.erase(pid);
}

void StackUnwinder::mappings_changed(pid_t pid) {
  auto it = procs_.find(pid);
  if (it != procs_.end()) it->second->dirty = true;
}

StackUnwinder::Process& StackUnwinder::process(pid_t pid) {
  join_warm_up();
  auto& slot = procs_[pid];
  if (!slot) {
    slot = std::make_unique<Process>();
    slot->pid = pid;
    slot->dwfl = dwfl_begin(&kCallbacks);
    slot->dirty = true;  // read at the first unwind
  }
  return *slot;
}

namespace {

// The file mappings at offset 0 of /proc/PID/maps (`start-end perms offset dev inode path`).
void read_proc_maps(pid_t pid, std::map<uint64_t, StackUnwinder::Process::Mapping>* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode, path;
    if (!(fields >> range >> perms >> offset >> dev >> inode >> path) || path[0] != '/') continue;
    if (std::strtoull(offset.c_str(), nullptr, 16) != 0) continue;
    size_t dash = range.find('-');
    if (dash == std::string::npos) continue;
    uint64_t start = std::strtoull(range.c_str(), nullptr, 16);
    uint64_t end = std::strtoull(range.c_str() + dash + 1, nullptr, 16);
    (*out)[start] = {end, path};
  }
}

// Whether `path` starts as an ELF file does (a mapped data file, such as ld.so.cache, does not).
bool is_elf_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, sizeof(magic)) && std::memcmp(magic,
                                                      "\x7f"
                                                      "ELF",
                                                      4) == 0;
}

}  // namespace

void StackUnwinder::map_file(pid_t pid, uint64_t start, uint64_t end, uint64_t pgoff,
                             const std::string& path, bool exec) {
  if (exec) procs_.erase(pid);
  Process& p = process(pid);
  if (!p.told && !exec) read_proc_maps(pid, &p.maps);  // what it had before we were told
  p.told = true;
  p.dirty = true;
  // A new mapping replaces whatever was in its range.
  auto it = p.maps.lower_bound(start);
  while (it != p.maps.end() && it->first < end) it = p.maps.erase(it);
  if (pgoff == 0) p.maps[start] = {end, path};
}

void StackUnwinder::unmap(pid_t pid, uint64_t start, uint64_t end) {
  auto found = procs_.find(pid);
  if (found == procs_.end() || !found->second->told) return;
  Process& p = *found->second;
  auto it = p.maps.lower_bound(start);
  while (it != p.maps.end() && it->first < end) it = p.maps.erase(it);
  p.dirty = true;
}

void StackUnwinder::inherit(pid_t parent, pid_t child) {
  auto found = procs_.find(parent);
  if (found == procs_.end() || !found->second->told) return;
  procs_.erase(child);
  Process& c = process(child);
  c.told = true;
  c.maps = found->second->maps;
  c.not_elf = found->second->not_elf;
}

// The told mappings as modules: each ELF file at the start of its first mapping.
bool StackUnwinder::report_told(Process& p) {
  dwfl_report_begin(p.dwfl);
  for (auto& [start, m] : p.maps) {
    if (p.not_elf.count(m.path) != 0) continue;
    // A module reported before is kept by reporting its name and range again (its ELF file and
    // what libdwfl read of it stay loaded); a new one is read from its file.
    if (m.high != 0) {
      dwfl_report_module(p.dwfl, m.path.c_str(), m.low, m.high);
      continue;
    }
    Dwfl_Module* mod = dwfl_report_elf(p.dwfl, m.path.c_str(), m.path.c_str(), -1, start, false);
    if (mod == nullptr) {
      if (!is_elf_file(m.path)) p.not_elf.insert(m.path);  // else: maybe later (a range conflict)
      continue;
    }
    Dwarf_Addr low = 0, high = 0;
    dwfl_module_info(mod, nullptr, &low, &high, nullptr, nullptr, nullptr, nullptr);
    m.low = low;
    m.high = high;
  }
  dwfl_report_end(p.dwfl, nullptr, nullptr);
  return true;
}

// (Re-)reads the process's file mappings. Modules reported again as they were are kept, with
// whatever libdwfl loaded for them; those no longer mapped (dlclose) are dropped.
bool StackUnwinder::report(Process& p) {
  if (p.dwfl == nullptr) return false;
  if (p.told) {
    report_told(p);
  } else {
    dwfl_report_begin(p.dwfl);
    int err = dwfl_linux_proc_report(p.dwfl, p.pid);
    dwfl_report_end(p.dwfl, nullptr, nullptr);
    if (err != 0) return false;
  }
  p.reported = true;
  p.dirty = false;
  p.anon_pages.clear();
  p.pcs.clear();  // the modules may have changed: addresses are looked up again
  if (!p.attached) p.attached = dwfl_attach_state(p.dwfl, nullptr, p.pid, &kThreadCallbacks, &p);
  return true;
}

void StackUnwinder::collect(Process& p, pid_t tid, const UserRegs& regs, const MemoryReader& mem) {
  pcs_.clear();
  complete_ = false;
  if (p.attached && max_depth_ > 0 && fast_collect(p, regs, mem)) return;  // (else it left none)
  if (p.attached && max_depth_ > 0) {
    p.tid = tid;
    p.regs = &regs;
    p.mem = &mem;
    p.copy = dynamic_cast<const StackCopyReader*>(&mem);
    p.page = UINT64_MAX;
    FrameSink sink{&pcs_, max_depth_};
    // 0: it reached the outermost frame; -1: it could not go on; else the depth cut it short.
    complete_ = dwfl_getthread_frames(p.dwfl, tid, on_frame, &sink) == 0;
    p.regs = nullptr;
    p.mem = nullptr;
    p.copy = nullptr;
  }
  if (pcs_.empty() && max_depth_ > 0) pcs_.emplace_back(regs.ip, true);  // no unwind: where it is
}

namespace {

// A register rule of the call-frame information as libdw gives it (dwarf_frame_register), when
// it is one of the simple forms: undefined, same value, or [CFA + off] / CFA + off.
bool simple_rule(Dwarf_Frame* frame, int regno, StackUnwinder::RegRule* out) {
  Dwarf_Op mem[3];
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_frame_register(frame, regno, mem, &ops, &n) != 0) return false;
  if (n == 0) {
    out->kind = ops == mem ? StackUnwinder::RegRule::kUndefined : StackUnwinder::RegRule::kSame;
    return ops == mem || ops == nullptr;
  }
  if (ops[0].atom != DW_OP_call_frame_cfa) return false;
  size_t i = 1;
  uint64_t off = 0;
  if (i < n && ops[i].atom == DW_OP_plus_uconst) {
    off = ops[i].number;
    ++i;
  } else if (i + 1 < n && (ops[i].atom == DW_OP_consts || ops[i].atom == DW_OP_constu) &&
             ops[i + 1].atom == DW_OP_plus) {
    off = ops[i].number;
    i += 2;
  }
  out->kind = StackUnwinder::RegRule::kAt;
  if (i < n && ops[i].atom == DW_OP_stack_value) {
    out->kind = StackUnwinder::RegRule::kValue;
    ++i;
  }
  out->off = static_cast<int64_t>(off);
  return i == n;
}

}  // namespace

// The rule that unwinds from `addr` (a frame's lookup address), found once per module and
// address. Simple only when libdwfl would unwind it from the module's .eh_frame as below.
const StackUnwinder::FrameRule& StackUnwinder::frame_rule(PcInfo& info, uint64_t addr) {
  if (info.rule != nullptr) return *info.rule;
  auto [it, fresh] = info.rules->try_emplace(addr - info.low);
  FrameRule& r = it->second;
  info.rule = &r;
  if (!fresh) return r;
  Dwarf_Addr bias = 0;
  Dwarf_CFI* cfi = dwfl_module_eh_cfi(info.mod, &bias);
  Dwarf_Frame* frame = nullptr;
  if (cfi == nullptr || dwarf_cfi_addrframe(cfi, addr - bias, &frame) != 0) return r;
  bool signal = false;
  int ra = dwarf_frame_info(frame, nullptr, nullptr, &signal);
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  bool ok = ra == kReturnAddress && !signal && dwarf_frame_cfa(frame, &ops, &n) == 0 && n == 1;
  if (ok && ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
    r.cfa_reg = ops[0].atom - DW_OP_breg0;
    r.cfa_off = static_cast<int64_t>(ops[0].number);
  } else if (ok && ops[0].atom == DW_OP_bregx) {
    r.cfa_reg = static_cast<int>(ops[0].number);
    r.cfa_off = static_cast<int64_t>(ops[0].number2);
  } else {
    ok = false;
  }
  ok = ok && (r.cfa_reg == UserRegs::kRsp || r.cfa_reg == UserRegs::kRbp) &&
       simple_rule(frame, kReturnAddress, &r.ra) && simple_rule(frame, UserRegs::kRbp, &r.rbp) &&
       simple_rule(frame, UserRegs::kRsp, &r.rsp);
  r.simple = ok;
  std::free(frame);
  return r;
}

// The unwind with the cached rules, reading rsp, rbp and the return address only; the frames it
// finds are those libdwfl finds (which follows the same rules) for as long as every rule met is
// simple and every read succeeds. Anything else (a frame outside the modules, one that needs
// another register, a signal frame, memory not there): false, and libdwfl unwinds it all.
bool StackUnwinder::fast_collect(Process& p, const UserRegs& regs, const MemoryReader& mem) {
  p.mem = &mem;
  p.copy = dynamic_cast<const StackCopyReader*>(&mem);
  p.page = UINT64_MAX;
  auto read = [&p](uint64_t addr, uint64_t* out) {
    Dwarf_Word w = 0;
    if (!memory_read(p.dwfl, addr, &w, &p)) return false;
    *out = w;
    return true;
  };
  uint64_t pc = regs.ip;
  uint64_t rsp = regs.gp[UserRegs::kRsp];
  uint64_t rbp = regs.gp[UserRegs::kRbp];
  bool rbp_known = true;
  bool rsp_known = true;
  bool ok = pc != 0;
  for (bool first = true; ok; first = false) {
    pcs_.emplace_back(pc, first);
    uint64_t addr = first ? pc : pc - 1;
    PcInfo& info = pc_info(p, addr);
    // (Checked before the depth: a frame whose rule is a signal frame's is named differently.)
    const FrameRule* r = info.mod != nullptr ? &frame_rule(info, addr) : nullptr;
    if (r == nullptr || !r->simple) {
      ok = false;
      break;
    }
    if (pcs_.size() >= max_depth_) break;  // the depth asked for
    bool on_rsp = r->cfa_reg == UserRegs::kRsp;
    if (!(on_rsp ? rsp_known : rbp_known)) {
      ok = false;
      break;
    }
    uint64_t cfa = (on_rsp ? rsp : rbp) + static_cast<uint64_t>(r->cfa_off);
    if (r->ra.kind == RegRule::kUndefined) {
      complete_ = true;  // the outermost frame
      break;
    }
    uint64_t ra = 0;
    if (r->ra.kind != RegRule::kAt || !read(cfa + static_cast<uint64_t>(r->ra.off), &ra) ||
        ra == 0) {
      ok = false;
      break;
    }
    auto step = [&](const RegRule& rule, uint64_t* value, bool* known) {
      switch (rule.kind) {
        case RegRule::kUndefined:
          *known = false;
          return true;
        case RegRule::kSame:
          return true;
        case RegRule::kAt:
          return *known = read(cfa + static_cast<uint64_t>(rule.off), value);
        case RegRule::kValue:
          *value = cfa + static_cast<uint64_t>(rule.off);
          *known = true;
          return true;
      }
      return false;
    };
    if (!step(r->rbp, &rbp, &rbp_known) || !step(r->rsp, &rsp, &rsp_known)) {
      ok = false;
      break;
    }
    pc = ra;
  }
  p.mem = nullptr;
  p.copy = nullptr;
  if (!ok) {
    pcs_.clear();
    complete_ = false;
  }
  return ok;
}

// Whether every frame is in a module that is an ELF file. `remember`: the pages of those that
// are not are taken as anonymous code (after a fresh read of the mappings).
bool StackUnwinder::all_in_modules(Process& p, bool remember) {
  if (p.dwfl == nullptr || !p.reported) return false;
  bool all = true;
  for (const auto& [pc, activation] : pcs_) {
    uint64_t addr = activation ? pc : pc - 1;
    if (pc_info(p, addr).mod != nullptr) continue;
    uint64_t page = addr & ~uint64_t{4095};
    if (remember)
      p.anon_pages.insert(page);
    else if (p.anon_pages.count(page) == 0)
      all = false;
  }
  return all;
}

void StackUnwinder::unwind(pid_t pid, pid_t tid, const UserRegs& regs, const MemoryReader& mem,
                           std::vector<StackFrame>* out) {
  Process& p = process(pid);
  if (p.dirty) report(p);
  collect(p, tid, regs, mem);
  // A frame outside the known modules: something was mapped since (dlopen), or the code is
  // anonymous (JIT). Read the mappings again and unwind again. (Told mappings are up to date.)
  if (!p.told && !all_in_modules(p, false) && report(p)) {
    collect(p, tid, regs, mem);
    all_in_modules(p, true);
  }
  name_frames(p, out);
}

void StackUnwinder::symbolize(pid_t pid, const std::vector<uint64_t>& pcs,
                              std::vector<StackFrame>* out) {
  Process& p = process(pid);
  pcs_.clear();
  for (size_t i = 0; i < pcs.size() && i < max_depth_; ++i) pcs_.emplace_back(pcs[i], i == 0);
  if (p.dirty || !all_in_modules(p, false)) {
    report(p);
    all_in_modules(p, true);
  }
  name_frames(p, out);
}

// (Into the frames `out` holds: those of an earlier stack keep their strings' room, which the
// names of the next are copied into without allocating.)
void StackUnwinder::name_frames(Process& p, std::vector<StackFrame>* out) {
  out->resize(pcs_.size());
  for (size_t i = 0; i < pcs_.size(); ++i) {
    const auto& [pc, activation] = pcs_[i];
    // A return address points after its call: look up the call itself.
    uint64_t addr = activation ? pc : pc - 1;
    const Symbol* s = &unknown_;
    uint64_t offset = 0;
    if (p.reported) {
      const PcInfo& info = pc_info(p, addr);
      s = info.sym;
      if (info.mod != nullptr) offset = pc - (info.low + s->sym_addr_rel);
    }
    StackFrame& f = (*out)[i];
    f.pc = pc;
    f.module = s->module;
    f.symbol = s->symbol;
    f.file = s->file;
    f.line = s->line;
    f.offset = offset;
  }
}

// The name and module of a (reported) process's address, looked up once while its modules stay:
// a frame seen again costs one hash lookup.
StackUnwinder::PcInfo& StackUnwinder::pc_info(Process& p, uint64_t addr) {
  auto [it, fresh] = p.pcs.try_emplace(addr);
  PcInfo& info = it->second;
  if (!fresh) return info;
  info.sym = &anon_;
  Dwfl_Module* m = dwfl_addrmodule(p.dwfl, addr);
  Dwarf_Addr bias = 0;
  if (m == nullptr || dwfl_module_getelf(m, &bias) == nullptr) return info;
  Dwarf_Addr low = 0;
  const char* name =
      dwfl_module_info(m, nullptr, &low, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (name == nullptr) name = "?";
  std::string key = module_key(m, name);
  info.mod = m;
  info.low = low;
  info.rules = &rules_[key];
  auto [sit, sfresh] = names_[key].try_emplace(addr - low);
  info.sym = &sit->second;
  if (!sfresh) return info;
  const char* file = nullptr;
  dwfl_module_info(m, nullptr, nullptr, nullptr, nullptr, nullptr, &file, nullptr);
  const Namer& n = namer(key, file);
  if (n.mod != nullptr)
    name_symbol(n.mod, name, n.low, n.low + (addr - low), &sit->second);
  else
    name_symbol(m, name, low, addr, &sit->second);
  return info;
}

void StackUnwinder::name_symbol(Dwfl_Module* m, const char* name, uint64_t low, uint64_t addr,
                                Symbol* out) {
  Symbol& s = *out;
  s.module = base_name(name);
  GElf_Off off = 0;
  GElf_Sym sym{};
  if (const char* sn = dwfl_module_addrinfo(m, addr, &off, &sym, nullptr, nullptr, nullptr)) {
    s.symbol = demangle(sn);
    s.has_symbol = true;
    s.sym_addr_rel = addr - off - low;
  }
  if (Dwfl_Line* line = dwfl_module_getsrc(m, addr)) {
    int lineno = 0;
    if (const char* file = dwfl_lineinfo(line, nullptr, &lineno, nullptr, nullptr, nullptr)) {
      s.file = file;
      s.line = lineno;
    }
  }
}

}  // namespace dtruss
