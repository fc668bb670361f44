#include "output/dump.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace dtruss {
namespace {

constexpr size_t kPerLine = 16;

// The data of a call on an fd (its first argument): a buffer, or an iovec array (readv, writev
// and their p- forms), read (out) or written (in). -1 when the call has none.
int data_arg(const SyscallInfo& info, Dir* dir) {
  if (info.nargs < 2 || info.args[0].kind != ArgKind::Fd) return -1;
  for (int i = 1; i < info.nargs; ++i) {
    const ArgInfo& a = info.args[i];
    if (a.kind == ArgKind::Buffer || (a.kind == ArgKind::Struct && a.strct == StructId::s_iovec)) {
      *dir = a.dir;
      return i;
    }
  }
  return -1;
}

// The first `moved` bytes of the buffers of an iovec array, as far as they were captured.
std::string iovec_data(const SyscallEvent& ev, uint64_t iov, uint64_t count, size_t moved) {
  std::string data;
  for (uint64_t i = 0; i < count && data.size() < moved; ++i) {
    uint64_t v[2];  // iov_base, iov_len
    if (ev.captures.read(iov + 16 * i, v, sizeof(v)) != sizeof(v)) break;
    std::string part(std::min<uint64_t>(v[1], moved - data.size()), '\0');
    size_t got = ev.captures.read(v[0], part.data(), part.size());
    data.append(part, 0, got);
    if (got < part.size()) break;  // the rest was not captured
  }
  return data;
}

}  // namespace

std::string dump_data(const DecodedCall& call, const DumpFds& fds, size_t* moved) {
  *moved = 0;
  const SyscallEvent& ev = *call.ev;
  Dir dir = Dir::In;
  int arg = call.info != nullptr && ev.returned() ? data_arg(*call.info, &dir) : -1;
  if (arg < 0 || ev.ret <= 0) return {};
  const NumberSet& set = dir == Dir::In ? fds.write : fds.read;
  if (!set.contains(static_cast<long>(static_cast<int>(ev.args[0])))) return {};
  *moved = static_cast<size_t>(ev.ret);
  const ArgInfo& a = call.info->args[arg];
  uint64_t addr = ev.args[static_cast<size_t>(arg)];
  if (a.kind == ArgKind::Struct && (a.len < 0 || a.len >= call.nargs)) return {};
  if (a.kind == ArgKind::Struct)
    return iovec_data(ev, addr, ev.args[static_cast<size_t>(a.len)],
                      std::min<size_t>(*moved, kDumpCaptureBytes));
  std::string data(std::min<size_t>(*moved, kDumpCaptureBytes), '\0');
  data.resize(ev.captures.read(addr, data.data(), data.size()));
  return data;
}

void append_dump_text(std::string& out, const DecodedCall& call, const DumpFds& fds) {
  size_t moved = 0;
  std::string data = dump_data(call, fds, &moved);
  if (moved == 0) return;
  auto it = std::back_inserter(out);
  for (size_t at = 0; at < data.size(); at += kPerLine) {
    fmt::format_to(it, " | {:05x}  ", at);
    std::string ascii;
    for (size_t i = at; i < at + kPerLine; ++i) {
      if (i == at + kPerLine / 2) out += ' ';
      if (i < data.size()) {
        auto byte = static_cast<unsigned char>(data[i]);
        fmt::format_to(it, "{:02x} ", byte);
        ascii += byte >= 0x20 && byte < 0x7f ? static_cast<char>(byte) : '.';
      } else {
        out += "   ";
        ascii += ' ';
      }
    }
    fmt::format_to(it, " {} |\n", ascii);
  }
  if (data.size() < moved)
    fmt::format_to(it, " | ({} of {} bytes not captured)\n", moved - data.size(), moved);
}

void append_dump_json(std::string& out, const DecodedCall& call, const DumpFds& fds) {
  size_t moved = 0;
  std::string data = dump_data(call, fds, &moved);
  if (moved == 0) return;
  out += ",\"dump\":\"";
  for (char c : data)
    fmt::format_to(std::back_inserter(out), "{:02x}", static_cast<unsigned char>(c));
  out += '"';
  if (data.size() < moved) fmt::format_to(std::back_inserter(out), ",\"dump_len\":{}", moved);
}

}  // namespace dtruss
