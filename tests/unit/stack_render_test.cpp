// -s output on crafted frames: the text lines, the JSON array, folded stacks and their counts.
#include "output/stack_render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "output/stack_counts.h"

namespace dtruss {
namespace {

StackFrame frame(uint64_t pc, const char* module, const char* symbol, uint64_t offset,
                 const char* file = "", int line = 0) {
  StackFrame f;
  f.pc = pc;
  f.module = module;
  f.symbol = symbol;
  f.offset = offset;
  f.file = file;
  f.line = line;
  return f;
}

SyscallEvent with_stack(std::vector<StackFrame> frames) {
  SyscallEvent ev;
  ev.stack = std::move(frames);
  return ev;
}

TEST(StackRender, TextOneFrameALine) {
  SyscallEvent ev = with_stack({frame(0x7f0000001011, "libc.so.6", "__open", 0x51),
                                frame(0x55000000129a, "app", "b", 0xa, "/src/app.c", 15),
                                frame(0x7f0000009000, "libx.so", "", 0x1234),
                                frame(0x7f00dead0000, "[anon]", "", 0)});
  std::string out;
  append_stack_text(out, ev);
  EXPECT_EQ(out,
            "    libc.so.6`__open+0x51 [0x7f0000001011]\n"
            "    app`b+0xa [0x55000000129a] /src/app.c:15\n"
            "    libx.so`+0x1234 [0x7f0000009000]\n"
            "    [anon] [0x7f00dead0000]\n");
  std::string none;
  append_stack_text(none, SyscallEvent{});
  EXPECT_EQ(none, "");
}

TEST(StackRender, JsonFrames) {
  SyscallEvent ev =
      with_stack({frame(4096, "libc.so.6", "__open", 81),
                  frame(8192, "app", "b", 10, "/src/app.c", 15), frame(12288, "[anon]", "", 0)});
  std::string out = "{\"x\":1";
  append_stack_json(out, ev);
  out += '}';
  auto j = nlohmann::json::parse(out);
  ASSERT_EQ(j["stack"].size(), 3u);
  EXPECT_EQ(j["stack"][0]["addr"], 4096);
  EXPECT_EQ(j["stack"][0]["module"], "libc.so.6");
  EXPECT_EQ(j["stack"][0]["symbol"], "__open");
  EXPECT_EQ(j["stack"][0]["offset"], 81);
  EXPECT_TRUE(j["stack"][0]["file"].is_null());
  EXPECT_TRUE(j["stack"][0]["line"].is_null());
  EXPECT_EQ(j["stack"][1]["file"], "/src/app.c");
  EXPECT_EQ(j["stack"][1]["line"], 15);
  EXPECT_TRUE(j["stack"][2]["symbol"].is_null());
  EXPECT_FALSE(j.contains("stack_kind"));
  std::string empty;
  append_stack_json(empty, SyscallEvent{});
  EXPECT_EQ(empty, "");
}

TEST(StackCounts, FoldedOutermostFirstWithCounts) {
  StackCounts c;
  std::vector<StackFrame> ab = {frame(1, "libc.so.6", "__open", 1), frame(2, "app", "b", 2),
                                frame(3, "app", "a", 3), frame(4, "app", "main", 4)};
  std::vector<StackFrame> odd = {frame(5, "app", "op;x", 1), frame(6, "[anon]", "", 0)};
  c.add("openat", ab);
  c.add("openat", ab);
  c.add("openat", odd);
  c.add("close", ab);
  // The lines, whatever their order among one syscall's stacks: each stack once, its count.
  std::string f = c.folded();
  EXPECT_NE(f.find("app`main;app`a;app`b;libc.so.6`__open;openat 2\n"), std::string::npos) << f;
  EXPECT_NE(f.find("[anon]`0x6;app`op:x;openat 1\n"), std::string::npos) << f;
  EXPECT_NE(f.find("app`main;app`a;app`b;libc.so.6`__open;close 1\n"), std::string::npos) << f;
  EXPECT_EQ(std::count(f.begin(), f.end(), '\n'), 3);
  // top(): per syscall, most frequent first, at most N.
  auto top = c.top(1);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(*top[0].syscall, "close");
  EXPECT_EQ(*top[1].syscall, "openat");
  EXPECT_EQ(top[1].count, 2u);
  EXPECT_EQ((*top[1].frames)[0], "libc.so.6`__open");
}

}  // namespace
}  // namespace dtruss
