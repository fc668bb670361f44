#include "stack/unwinder.h"

#include <cxxabi.h>
#include <elfutils/libdwfl.h>

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
  pid_t tid = 0;
  const UserRegs* regs = nullptr;
  const MemoryReader* mem = nullptr;
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

char* g_debuginfo_path = nullptr;
const Dwfl_Callbacks kCallbacks = {dwfl_linux_proc_find_elf, dwfl_standard_find_debuginfo, nullptr,
                                   &g_debuginfo_path};

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

StackUnwinder::StackUnwinder(size_t max_depth) : max_depth_(max_depth) {
  anon_.module = "[anon]";
  unknown_.module = "[unknown]";
}

StackUnwinder::~StackUnwinder() = default;

void StackUnwinder::forget(pid_t pid) {
  procs_.erase(pid);
}

void StackUnwinder::mappings_changed(pid_t pid) {
  auto it = procs_.find(pid);
  if (it != procs_.end()) it->second->dirty = true;
}

StackUnwinder::Process& StackUnwinder::process(pid_t pid) {
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
  if (!p.attached) p.attached = dwfl_attach_state(p.dwfl, nullptr, p.pid, &kThreadCallbacks, &p);
  return true;
}

void StackUnwinder::collect(Process& p, pid_t tid, const UserRegs& regs, const MemoryReader& mem) {
  pcs_.clear();
  complete_ = false;
  if (p.attached && max_depth_ > 0) {
    p.tid = tid;
    p.regs = &regs;
    p.mem = &mem;
    p.page = UINT64_MAX;
    FrameSink sink{&pcs_, max_depth_};
    // 0: it reached the outermost frame; -1: it could not go on; else the depth cut it short.
    complete_ = dwfl_getthread_frames(p.dwfl, tid, on_frame, &sink) == 0;
    p.regs = nullptr;
    p.mem = nullptr;
  }
  if (pcs_.empty() && max_depth_ > 0) pcs_.emplace_back(regs.ip, true);  // no unwind: where it is
}

// Whether every frame is in a module that is an ELF file. `remember`: the pages of those that
// are not are taken as anonymous code (after a fresh read of the mappings).
bool StackUnwinder::all_in_modules(Process& p, bool remember) {
  if (p.dwfl == nullptr || !p.reported) return false;
  bool all = true;
  for (const auto& [pc, activation] : pcs_) {
    uint64_t addr = activation ? pc : pc - 1;
    Dwfl_Module* m = dwfl_addrmodule(p.dwfl, addr);
    Dwarf_Addr bias = 0;
    if (m != nullptr && dwfl_module_getelf(m, &bias) != nullptr) continue;
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
  out->clear();
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
  out->clear();
  Process& p = process(pid);
  pcs_.clear();
  for (size_t i = 0; i < pcs.size() && i < max_depth_; ++i) pcs_.emplace_back(pcs[i], i == 0);
  if (p.dirty || !all_in_modules(p, false)) {
    report(p);
    all_in_modules(p, true);
  }
  name_frames(p, out);
}

void StackUnwinder::name_frames(Process& p, std::vector<StackFrame>* out) {
  for (const auto& [pc, activation] : pcs_) {
    // A return address points after its call: look up the call itself.
    const Symbol& s = lookup(p, activation ? pc : pc - 1);
    StackFrame f;
    f.pc = pc;
    f.module = s.module;
    f.symbol = s.symbol;
    f.file = s.file;
    f.line = s.line;
    Dwfl_Module* m = &s != &anon_ && &s != &unknown_
                         ? dwfl_addrmodule(p.dwfl, activation ? pc : pc - 1)
                         : nullptr;
    Dwarf_Addr low = 0;
    if (m != nullptr)
      dwfl_module_info(m, nullptr, &low, nullptr, nullptr, nullptr, nullptr, nullptr);
    f.offset = m != nullptr ? pc - (low + s.sym_addr_rel) : 0;
    out->push_back(std::move(f));
  }
}

const StackUnwinder::Symbol& StackUnwinder::lookup(Process& p, uint64_t addr) {
  if (!p.reported) return unknown_;
  Dwfl_Module* m = dwfl_addrmodule(p.dwfl, addr);
  Dwarf_Addr bias = 0;
  if (m == nullptr || dwfl_module_getelf(m, &bias) == nullptr) return anon_;
  Dwarf_Addr low = 0;
  const char* name =
      dwfl_module_info(m, nullptr, &low, nullptr, nullptr, nullptr, nullptr, nullptr);
  if (name == nullptr) name = "?";
  auto& table = names_[module_key(m, name)];
  auto [it, fresh] = table.try_emplace(addr - low);
  Symbol& s = it->second;
  if (!fresh) return s;
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
  return s;
}

}  // namespace dtruss
