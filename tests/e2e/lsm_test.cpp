// The LSM attribute calls decoded (fixture lsm_attrs): lsm_list_modules' ids by name,
// lsm_set_self_attr's struct lsm_ctx as passed, lsm_get_self_attr's contexts or its error. Both
// backends (registered twice).
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace e2e {
namespace {

using nlohmann::json;

TEST(Lsm, ModuleIdsAndContextsAreDecoded) {
  auto r = run_traced({"--json", "-t", "lsm_list_modules,lsm_set_self_attr,lsm_get_self_attr",
                       fixture("lsm_attrs")});
  ASSERT_EQ(r.status, 0) << r.err;
  auto events = json_lines(r.trace);
  SCOPED_TRACE(dump(events));

  json list = only(events, "lsm_list_modules");
  ASSERT_TRUE(list["args"]["ids"].is_array()) << list;
  EXPECT_EQ(list["args"]["ids"].size(), list["ret"].get<size_t>());
  // Every kernel has the capability module; each id is named.
  bool capability = false;
  for (const json& id : list["args"]["ids"]) {
    ASSERT_TRUE(id.is_string()) << id;
    EXPECT_EQ(id.get<std::string>().rfind("LSM_ID_", 0), 0u) << id;
    capability |= id == "LSM_ID_CAPABILITY";
  }
  EXPECT_TRUE(capability);

  json set = only(events, "lsm_set_self_attr");
  EXPECT_EQ(set["args"]["attr"], "LSM_ATTR_CURRENT");
  EXPECT_EQ(set["args"]["ctx"], json::parse(R"({"id":999,"flags":0,"len":48,"ctx_len":7,
                                                "ctx":"dtruss\u0000"})"));

  json get = only(events, "lsm_get_self_attr");
  if (get["ret"].get<int>() < 0) {  // no module of this kernel has a current context
    EXPECT_TRUE(get["args"]["ctx"].is_string()) << get;  // (its address)
  } else {
    ASSERT_TRUE(get["args"]["ctx"].is_array()) << get;
    EXPECT_EQ(get["args"]["ctx"].size(), get["ret"].get<size_t>());
    for (const json& c : get["args"]["ctx"]) EXPECT_TRUE(c["ctx"].is_string()) << c;
  }
}

}  // namespace
}  // namespace e2e
