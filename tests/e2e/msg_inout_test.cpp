// Message headers that the kernel reads and writes back (fixture msg_inout, over UDP on
// 127.0.0.1): recvmsg's and recvmmsg's msg_namelen and msg_controllen shown as passed and as left
// (`128 => 16`, JSON {"in":128,"out":16}), each message of an mmsghdr array with its name and
// data, and sendmmsg's msg_len as the kernel wrote it. Both backends (registered twice).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

std::vector<json> trace_json() {
  auto r = run_traced({"--json", "-t", "sendmmsg,recvmsg,recvmmsg", fixture("msg_inout")});
  EXPECT_EQ(r.status, 0) << r.err;
  return json_lines(r.trace);
}

const json kChangedName = json::parse(R"({"in":128,"out":16})");

TEST(MsgInOut, RecvmsgShowsTheLengthsAsPassedAndAsLeft) {
  auto events = trace_json();
  SCOPED_TRACE(dump(events));
  json rcv = only(events, "recvmsg");
  EXPECT_EQ(rcv["ret"], 5);
  const json& m = rcv["args"]["msg"];
  ASSERT_TRUE(m.is_object()) << m;
  EXPECT_EQ(m["msg_namelen"], kChangedName);
  EXPECT_EQ(m["msg_controllen"], json::parse(R"({"in":64,"out":0})"));
  EXPECT_EQ(m["msg_name"]["sa_family"], "AF_INET");
  EXPECT_EQ(m["msg_name"]["sin_addr"], "127.0.0.1");
  EXPECT_EQ(m["msg_iov"], json::parse(R"([{"iov_base":"first","iov_len":32}])"));
}

TEST(MsgInOut, RecvmmsgShowsEachMessageReceived) {
  auto events = trace_json();
  SCOPED_TRACE(dump(events));
  json rcv = only(events, "recvmmsg");
  EXPECT_EQ(rcv["ret"], 2);
  const json& arr = rcv["args"]["mmsg"];
  ASSERT_TRUE(arr.is_array()) << arr;
  ASSERT_EQ(arr.size(), 2u);  // the two received, not the three it had room for
  const char* data[] = {"second", "third"};
  for (size_t i = 0; i < 2; ++i) {
    const json& h = arr[i]["msg_hdr"];
    EXPECT_EQ(h["msg_namelen"], kChangedName) << i;
    EXPECT_EQ(h["msg_name"]["sin_addr"], "127.0.0.1") << i;
    EXPECT_EQ(h["msg_iov"][0]["iov_base"], data[i]) << i;
    EXPECT_EQ(arr[i]["msg_len"], std::string(data[i]).size()) << i;
  }
}

TEST(MsgInOut, SendmmsgShowsEachMessageAndWhatWasSent) {
  auto events = trace_json();
  SCOPED_TRACE(dump(events));
  json snd = only(events, "sendmmsg");
  EXPECT_EQ(snd["ret"], 3);
  const json& arr = snd["args"]["mmsg"];
  ASSERT_TRUE(arr.is_array()) << arr;
  ASSERT_EQ(arr.size(), 3u);
  const char* data[] = {"first", "second", "third"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(arr[i]["msg_hdr"]["msg_iov"][0]["iov_base"], data[i]) << i;
    EXPECT_EQ(arr[i]["msg_len"], std::string(data[i]).size()) << i;  // written by the kernel
  }
}

TEST(MsgInOut, TextShowsTheChangedLengthsAsStraceDoes) {
  auto r = run_traced({"-t", "recvmsg", fixture("msg_inout")});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.trace.find("msg_namelen=128 => 16,"), std::string::npos) << r.trace;
  EXPECT_NE(r.trace.find("msg_controllen=64 => 0,"), std::string::npos) << r.trace;
}

}  // namespace
}  // namespace e2e
