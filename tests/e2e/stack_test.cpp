// -s: user stacks on both backends, unwound with DWARF CFI through code without frame pointers
// (the stack_chain fixture is built -O2 -fomit-frame-pointer -g, the C library has none), named
// with module, symbol and file:line.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

// The line of tests/fixtures/<file> that carries the comment `// STACK:<marker>`.
int marker_line(const std::string& file, const std::string& marker) {
  std::ifstream in(std::string(FIXTURE_SRC_DIR) + "/" + file);
  std::string line;
  std::string tag = "// STACK:" + marker;
  for (int n = 1; std::getline(in, line); ++n) {
    size_t at = line.find(tag);
    if (at != std::string::npos && at + tag.size() == line.size()) return n;
  }
  ADD_FAILURE() << "no marker " << tag << " in " << file;
  return -1;
}

std::string lib_path() {
  return fixture("libstack_lib.so");
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The openat of `path` (exactly one expected).
json open_of(const std::vector<json>& events, const std::string& path) {
  std::vector<json> found;
  for (const auto& e : syscalls(events, "openat"))
    if (e["args"].value("filename", "") == path) found.push_back(e);
  EXPECT_EQ(found.size(), 1u) << "openat(" << path << ") calls";
  return found.empty() ? json() : found[0];
}

std::string frames_text(const json& stack) {
  std::string out;
  for (const auto& f : stack) out += "\n  " + f.dump();
  return out;
}

struct Want {
  const char* symbol;
  const char* file;
  const char* marker;
};

// `stack` holds `want` as consecutive frames (innermost first), each with its file:line; returns
// the index of the first.
size_t expect_chain(const json& stack, const std::vector<Want>& want) {
  size_t at = 0;
  while (at < stack.size() && stack[at]["symbol"] != want[0].symbol) ++at;
  EXPECT_LT(at, stack.size()) << "no frame " << want[0].symbol << frames_text(stack);
  for (size_t i = 0; i < want.size() && at + i < stack.size(); ++i) {
    const json& f = stack[at + i];
    SCOPED_TRACE(f.dump());
    EXPECT_EQ(f["symbol"], want[i].symbol) << frames_text(stack);
    EXPECT_TRUE(f["file"].is_string()) << "no file:line for " << want[i].symbol;
    if (!f["file"].is_string()) continue;
    EXPECT_TRUE(ends_with(f["file"].get<std::string>(), std::string("/") + want[i].file));
    EXPECT_EQ(f["line"], marker_line(want[i].file, want[i].marker));
    EXPECT_TRUE(f["addr"].is_number_unsigned());
    EXPECT_TRUE(f["offset"].is_number_unsigned());
  }
  return at;
}

class Stacks : public e2e::BackendTest {};

TEST_P(Stacks, OwnCallChainWithFileAndLine) {
  auto r = run_traced({backend(), "-s", "--json", fixture("stack_chain"), lib_path()});
  ASSERT_EQ(r.status, 0) << r.err;
  json e = open_of(json_lines(r.trace), "/dev/null");
  ASSERT_TRUE(e.contains("stack")) << e.dump();
  const json& stack = e["stack"];
  // The innermost frame is in the C library (its open wrapper), the module named always.
  ASSERT_FALSE(stack.empty());
  EXPECT_NE(stack[0]["module"].get<std::string>().find("libc.so"), std::string::npos)
      << frames_text(stack);
  size_t at = expect_chain(stack, {{"b", "stack_chain.c", "b"},
                                   {"a", "stack_chain.c", "a"},
                                   {"main", "stack_chain.c", "main-a"}});
  EXPECT_EQ(stack[at]["module"], "stack_chain");
  // Below main: the C library's start-up code, still unwound (no frame pointers there either).
  ASSERT_GT(stack.size(), at + 3) << frames_text(stack);
  EXPECT_NE(stack[at + 3]["module"].get<std::string>().find("libc.so"), std::string::npos);
}

TEST_P(Stacks, ThroughTheCLibrary) {
  auto r = run_traced({backend(), "-s", "--json", fixture("stack_chain"), lib_path()});
  ASSERT_EQ(r.status, 0) << r.err;
  json e = open_of(json_lines(r.trace), "/dev/zero");
  ASSERT_TRUE(e.contains("stack")) << e.dump();
  const json& stack = e["stack"];
  size_t at =
      expect_chain(stack, {{"c", "stack_chain.c", "c"}, {"main", "stack_chain.c", "main-c"}});
  // fopen and what it calls, down to the syscall: C library frames, all of them named.
  ASSERT_GE(at, 2u) << "fopen's own frames are missing" << frames_text(stack);
  for (size_t i = 0; i < at; ++i) {
    EXPECT_NE(stack[i]["module"].get<std::string>().find("libc.so"), std::string::npos)
        << frames_text(stack);
    EXPECT_TRUE(stack[i]["symbol"].is_string()) << frames_text(stack);
  }
}

TEST_P(Stacks, ThroughADlopenedLibrary) {
  auto r = run_traced({backend(), "-s", "--json", fixture("stack_chain"), lib_path()});
  ASSERT_EQ(r.status, 0) << r.err;
  json e = open_of(json_lines(r.trace), "/dev/full");
  ASSERT_TRUE(e.contains("stack")) << e.dump();
  size_t at = expect_chain(e["stack"], {{"lib_open", "lib/stack_lib.c", "lib_open"},
                                        {"d", "stack_chain.c", "d"},
                                        {"main", "stack_chain.c", "main-d"}});
  EXPECT_EQ(e["stack"][at]["module"], "libstack_lib.so");
}

// A library unloaded and another loaded at the same address: the frame at the same address is
// named from the library there now (names are cached per process and address until the
// mappings change), on both backends.
TEST_P(Stacks, LibraryReplacedAtTheSameAddressIsNamedAnew) {
  auto r = run_traced({backend(), "-s", "--json", fixture("stack_swap"),
                       fixture("libstack_swap_a.so"), fixture("libstack_swap_b.so")});
  ASSERT_EQ(r.status, 0) << r.err;  // (3: the second library did not land where the first was)
  auto events = json_lines(r.trace);
  json first = open_of(events, "/dev/null");
  json second = open_of(events, "/dev/zero");
  ASSERT_TRUE(first.contains("stack") && second.contains("stack"));
  size_t at_a = expect_chain(first["stack"], {{"swap_a", "lib/stack_swap.h", "swap"}});
  size_t at_b = expect_chain(second["stack"], {{"swap_b", "lib/stack_swap.h", "swap"}});
  ASSERT_LT(at_a, first["stack"].size());
  ASSERT_LT(at_b, second["stack"].size());
  EXPECT_EQ(first["stack"][at_a]["module"], "libstack_swap_a.so");
  EXPECT_EQ(second["stack"][at_b]["module"], "libstack_swap_b.so");
  // The same code at the same address: only the mappings tell them apart.
  EXPECT_EQ(first["stack"][at_a]["addr"], second["stack"][at_b]["addr"]);
}

TEST_P(Stacks, DepthIsBounded) {
  auto r = run_traced({backend(), "-s", "--stack-depth", "2", "--json", fixture("stack_chain")});
  ASSERT_EQ(r.status, 0) << r.err;
  json e = open_of(json_lines(r.trace), "/dev/null");
  ASSERT_TRUE(e.contains("stack")) << e.dump();
  ASSERT_EQ(e["stack"].size(), 2u) << frames_text(e["stack"]);
  EXPECT_EQ(e["stack"][1]["symbol"], "b");  // the open wrapper, then b
}

TEST_P(Stacks, TextLinesFollowTheCall) {
  auto r = run_traced({backend(), "-s", fixture("stack_chain")});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<std::string> lines = e2e::lines(r.trace);
  size_t i = 0;
  while (i < lines.size() && lines[i].find("openat(AT_FDCWD, \"/dev/null\"") != 0) ++i;
  ASSERT_LT(i, lines.size()) << r.trace;
  // `    module`symbol+0xOFF [0xADDR] file:line`, innermost first: ..., b, a, main.
  std::vector<std::string> frames;
  for (size_t k = i + 1; k < lines.size() && lines[k].rfind("    ", 0) == 0; ++k)
    frames.push_back(lines[k]);
  ASSERT_GE(frames.size(), 4u) << r.trace;
  size_t b = 0;
  while (b < frames.size() && frames[b].find("    stack_chain`b+0x") != 0) ++b;
  ASSERT_LT(b + 2, frames.size()) << r.trace;
  EXPECT_NE(frames[b].find(" [0x"), std::string::npos) << frames[b];
  EXPECT_NE(frames[b].find("stack_chain.c:" + std::to_string(marker_line("stack_chain.c", "b"))),
            std::string::npos)
      << frames[b];
  EXPECT_EQ(frames[b + 1].find("    stack_chain`a+0x"), 0u) << frames[b + 1];
  EXPECT_EQ(frames[b + 2].find("    stack_chain`main+0x"), 0u) << frames[b + 2];
  EXPECT_EQ(frames[0].find("    libc.so.6`"), 0u) << frames[0];
}

TEST_P(Stacks, NoStacksWithoutDashS) {
  auto r = run_traced({backend(), "--json", fixture("stack_chain")});
  ASSERT_EQ(r.status, 0) << r.err;
  for (const auto& e : syscalls(json_lines(r.trace))) EXPECT_FALSE(e.contains("stack")) << e.dump();
}

// The only getppid of a trace, with its stack.
json getppid_of(const std::string& trace) {
  std::vector<json> calls = syscalls(json_lines(trace), "getppid");
  EXPECT_EQ(calls.size(), 1u) << trace;
  return calls.empty() ? json() : calls[0];
}

// Code in an anonymous mapping (as a JIT makes): shown as [anon] with its address, and unwound
// through by its frame pointer (it has no call-frame information).
TEST_P(Stacks, AnonymousCodeIsShownAndUnwoundThrough) {
  auto r = run_traced({backend(), "-s", "--json", "-t", "getppid", fixture("stack_jit")});
  ASSERT_EQ(r.status, 0) << r.err;
  json e = getppid_of(r.trace);
  ASSERT_TRUE(e.contains("stack")) << e.dump();
  const json& stack = e["stack"];
  ASSERT_FALSE(stack.empty());
  EXPECT_EQ(stack[0]["module"], "[anon]") << frames_text(stack);
  EXPECT_TRUE(stack[0]["symbol"].is_null());
  EXPECT_TRUE(stack[0]["file"].is_null());
  EXPECT_EQ(expect_chain(stack, {{"b", "stack_jit.c", "b"},
                                 {"a", "stack_jit.c", "a"},
                                 {"main", "stack_jit.c", "main"}}),
            1u);
  EXPECT_FALSE(e.contains("stack_kind")) << "unwound by libdwfl";
}

// -s at the default buffer: 3,000 calls from a recursion 12 deep, in the main thread and in a
// thread of its own. None is lost and each has its whole stack, down to the thread's first frame.
// (On eBPF each call's copy ends where the thread's stack begins, a few hundred bytes up: all of
// them fit in the ring even if dtruss read nothing before the end. A copy of 16 KiB each filled
// it in 500 calls, and lost most of them.)
TEST_P(Stacks, ManyCallsFromDeepStacksLoseNothing) {
  auto r =
      run_traced({backend(), "-s", "--json", "-t", "getppid", fixture("stack_many"), "1500", "12"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err.find("lost"), std::string::npos) << r.err;
  std::vector<json> events = json_lines(r.trace);
  for (const auto& e : events) ASSERT_NE(e["type"], "lost") << e.dump();
  std::vector<json> calls = syscalls(events, "getppid");
  EXPECT_EQ(calls.size(), 3000u);
  std::map<std::string, size_t> by_start;  // the function each stack starts from: how many
  for (const auto& e : calls) {
    ASSERT_TRUE(e.contains("stack")) << e.dump();
    const json& stack = e["stack"];
    size_t descend = 0;
    for (const auto& f : stack) descend += f["symbol"] == "descend";
    ASSERT_EQ(descend, 13u) << frames_text(stack);
    // The outermost frame: the program's _start (main thread) or the C library's clone3 (thread).
    ASSERT_GE(stack.size(), 16u) << frames_text(stack);
    std::string start = stack.back().value("symbol", "");
    std::string caller = stack[14].value("symbol", "");  // the frame below the recursion
    ++by_start[caller + " " + start];
  }
  EXPECT_EQ(by_start["main _start"], 1500u) << by_start.size();
  EXPECT_EQ(by_start["thread_main __clone3"], 1500u) << by_start.size();
}

// eBPF: a stack copy too small to unwind anything falls back on the kernel's frame-pointer walk
// (bpf_get_stack), which the output names as such.
TEST(BpfStacks, FramePointerFallback) {
  REQUIRE_BPF();
  auto r = run_traced({"--backend=bpf", "-s", "--stack-size", "8", "--json", "-t", "getppid",
                       fixture("stack_jit")});
  ASSERT_EQ(r.status, 0) << r.err;
  json e = getppid_of(r.trace);
  ASSERT_TRUE(e.contains("stack")) << e.dump();
  EXPECT_EQ(e.value("stack_kind", ""), "frame-pointer") << e.dump();
  const json& stack = e["stack"];
  ASSERT_FALSE(stack.empty());
  EXPECT_EQ(stack[0]["module"], "[anon]") << frames_text(stack);
  EXPECT_EQ(expect_chain(stack, {{"b", "stack_jit.c", "b"},
                                 {"a", "stack_jit.c", "a"},
                                 {"main", "stack_jit.c", "main"}}),
            1u);
  // In text, a line before the frames says which kind they are.
  auto t = run_traced(
      {"--backend=bpf", "-s", "--stack-size", "8", "-t", "getppid", fixture("stack_jit")});
  ASSERT_EQ(t.status, 0) << t.err;
  EXPECT_NE(t.trace.find("getppid()\t\t = "), std::string::npos) << t.trace;
  EXPECT_NE(t.trace.find("\n    (frame-pointer stack"), std::string::npos) << t.trace;
}

// -f: a forked child's frames are named from the mappings it inherited (the eBPF backend was
// told them for the parent only).
TEST_P(Stacks, ForkedChildFramesAreNamed) {
  auto r = run_traced({backend(), "-f", "-s", "--json", fixture("forker")});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<json> writes;
  for (const auto& e : syscalls(json_lines(r.trace), "write"))
    if (e["args"].value("buf", "") == "child\n") writes.push_back(e);
  ASSERT_EQ(writes.size(), 1u) << r.trace;
  ASSERT_TRUE(writes[0].contains("stack")) << writes[0].dump();
  const json& stack = writes[0]["stack"];
  bool main_found = false;
  for (const auto& f : stack) {
    if (f["symbol"] != "main") continue;
    main_found = true;
    EXPECT_EQ(f["module"], "forker");
    EXPECT_TRUE(f["file"].is_string() && ends_with(f["file"].get<std::string>(), "/forker.c"))
        << f.dump();
  }
  EXPECT_TRUE(main_found) << frames_text(stack);
}

// --summary with -s: the calls by stack; --folded: every stack, counts adding up to the calls.
TEST_P(Stacks, FoldedStacksAddUpToTheSummary) {
  std::string folded = e2e::temp_dir() + "/stacks.folded";
  auto r = run_traced({backend(), "-s", "--summary", "--json", "--folded", folded,
                       fixture("stack_chain"), lib_path(), "3"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::vector<json> events = json_lines(r.trace);
  ASSERT_FALSE(events.empty());
  const json& summary = events.back();
  ASSERT_EQ(summary["type"], "summary") << r.trace;

  std::ifstream in(folded);
  ASSERT_TRUE(in.good()) << folded;
  std::map<std::string, uint64_t> per_call;  // the syscall (last frame) -> the counts' sum
  uint64_t chain_a = 0;
  std::string line;
  while (std::getline(in, line)) {
    size_t space = line.rfind(' ');
    ASSERT_NE(space, std::string::npos) << line;
    uint64_t n = std::stoull(line.substr(space + 1));
    std::string stack = line.substr(0, space);
    size_t semi = stack.rfind(';');
    ASSERT_NE(semi, std::string::npos) << "no frames: " << line;
    per_call[stack.substr(semi + 1)] += n;
    // Outermost first: main, a, b, then the C library's open, then the syscall.
    if (stack.find("stack_chain`main;stack_chain`a;stack_chain`b;libc.so.6`") !=
            std::string::npos &&
        stack.substr(semi + 1) == "openat")
      chain_a += n;
  }
  EXPECT_EQ(chain_a, 3u) << "main -> a -> b -> openat, three times";
  ASSERT_FALSE(summary["calls"].empty());
  for (const auto& row : summary["calls"]) {
    std::string name = row["syscall"].get<std::string>();
    EXPECT_EQ(per_call[name], row["count"].get<uint64_t>()) << name;
  }
  // The summary's own grouping: openat's stacks, the chain through a among them (3 calls).
  bool found = false;
  for (const auto& s : summary["stacks"]) {
    if (s["syscall"] != "openat" || s["count"] != 3) continue;
    std::vector<std::string> frames = s["frames"].get<std::vector<std::string>>();
    for (size_t i = 0; i + 2 < frames.size(); ++i)
      found |= frames[i] == "stack_chain`b" && frames[i + 1] == "stack_chain`a" &&
               frames[i + 2] == "stack_chain`main";
  }
  EXPECT_TRUE(found) << summary["stacks"].dump();
}

INSTANTIATE_BACKENDS(Stacks);

}  // namespace
}  // namespace e2e
