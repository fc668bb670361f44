#include "output/dump.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace dtruss {
namespace {

constexpr size_t kPerLine = 16;

// The data buffer of a call on an fd (its first argument): read (an out-buffer) or written (an
// in-buffer). -1 when the call has none.
int buffer_arg(const SyscallInfo& info, Dir* dir) {
  if (info.nargs < 2 || info.args[0].kind != ArgKind::Fd) return -1;
  for (int i = 1; i < info.nargs; ++i)
    if (info.args[i].kind == ArgKind::Buffer) {
      *dir = info.args[i].dir;
      return i;
    }
  return -1;
}

}  // namespace

std::string dump_data(const DecodedCall& call, const DumpFds& fds, size_t* moved) {
  *moved = 0;
  const SyscallEvent& ev = *call.ev;
  Dir dir = Dir::In;
  int arg = call.info != nullptr && ev.returned() ? buffer_arg(*call.info, &dir) : -1;
  if (arg < 0 || ev.ret <= 0) return {};
  const NumberSet& set = dir == Dir::In ? fds.write : fds.read;
  if (!set.contains(static_cast<long>(static_cast<int>(ev.args[0])))) return {};
  *moved = static_cast<size_t>(ev.ret);
  std::string data(std::min<size_t>(*moved, kDumpCaptureBytes), '\0');
  data.resize(ev.captures.read(ev.args[static_cast<size_t>(arg)], data.data(), data.size()));
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
