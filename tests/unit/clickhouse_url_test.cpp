// --clickhouse's URL: its parts, the credentials apart, the password hidden in argv and in the
// messages.
#include "fleet/clickhouse_url.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace dtruss::fleet {
namespace {

TEST(ClickHouseUrl, PartsAndDefaults) {
  ClickHouseUrl u;
  ASSERT_EQ(parse_clickhouse_url("http://ch.example", &u), "");
  EXPECT_EQ(u.base, "http://ch.example:8123/");
  EXPECT_EQ(u.database, "default");
  EXPECT_EQ(u.user, "");
  ASSERT_EQ(parse_clickhouse_url("HTTPS://w%40x:p%3Aw@10.0.0.1:9443/?database=traces&"
                                 "max_insert_block_size=1000&password=ignored-not",
                                 &u),
            "");
  EXPECT_EQ(u.base, "https://10.0.0.1:9443/");
  EXPECT_EQ(u.database, "traces");
  EXPECT_EQ(u.user, "w@x");
  EXPECT_EQ(u.password, "ignored-not");  // (the last one given: the parameter)
  EXPECT_EQ(u.settings, "max_insert_block_size=1000&");
  ASSERT_EQ(parse_clickhouse_url("http://u:p%3Aw@h/", &u), "");
  EXPECT_EQ(u.password, "p:w");
  EXPECT_EQ(u.base, "http://h:8123/");
}

TEST(ClickHouseUrl, RefusedInOneLineWithoutThePassword) {
  ClickHouseUrl u;
  for (const char* bad :
       {"ftp://h/", "h:8123", "http://", "http://u:secret@:1/", "http://u:secret@h:70000/",
        "http://u:secret@h/x", "http://h/?database=a;drop", "http://h/?novalue",
        "http://u:secret@h/?a b=1", "http://u:sec%zzret@h/"}) {
    std::string e = parse_clickhouse_url(bad, &u);
    EXPECT_NE(e, "") << bad;
    EXPECT_EQ(e.find('\n'), std::string::npos) << e;
    EXPECT_EQ(e.find("secret"), std::string::npos) << e;
  }
}

TEST(ClickHouseUrl, ThePasswordIsOverwrittenInArgv) {
  std::string url = "http://tracer:pa55@h:8123/?database=t&password=two";
  ClickHouseUrl u;
  ASSERT_EQ(parse_clickhouse_url(url, &u), "");
  std::string joined = "--clickhouse=" + url;
  char a0[] = "dtruss";
  std::vector<char> a1(joined.begin(), joined.end());
  a1.push_back('\0');
  char* argv[] = {a0, a1.data(), nullptr};
  hide_password(2, argv, url, u);
  // (both hidden: the parameter, given last, is the one used)
  EXPECT_EQ(std::string(argv[1]).find("two"), std::string::npos) << argv[1];
  EXPECT_EQ(std::string(argv[1]).find("pa55"), std::string::npos) << argv[1];
  EXPECT_NE(std::string(argv[1]).find("tracer:xxxx@"), std::string::npos) << argv[1];
  EXPECT_NE(std::string(argv[1]).find("password=xxx"), std::string::npos) << argv[1];
  EXPECT_EQ(std::strlen(argv[1]), joined.size());
}

}  // namespace
}  // namespace dtruss::fleet
