// --clickhouse URL: http[s]://[USER[:PASSWORD]@]HOST[:PORT][/][?database=DB&SETTING=VALUE...],
// read into its parts, the credentials apart (never sent in the URL, never shown).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dtruss::fleet {

struct ClickHouseUrl {
  std::string base;      // "http://host:8123/": what requests go to (no credentials)
  std::string settings;  // the query parameters other than database, user and password ("a=1&")
  std::string host;      // "ch.example"
  std::string database = "default";
  std::string user;  // "" : ClickHouse's default user
  std::string password;
  // Where passwords are in the URL as given (user:PASSWORD@, password=PASSWORD: offset and
  // length of the percent-encoded form), to hide them: argv.
  std::vector<std::pair<size_t, size_t>> secrets;
  std::string shown;  // "http://host:8123/ (database traces)": for messages
};

// Parses `text`; "" on success, else the one-line reason (for "--clickhouse: REASON").
std::string parse_clickhouse_url(const std::string& text, ClickHouseUrl* url);

// Overwrites the passwords of `url` (as given in `text`) in every argv string that holds `text`
// with 'x's, so that /proc/PID/cmdline and ps no longer show it (mysql's client does the same).
void hide_password(int argc, char** argv, const std::string& text, const ClickHouseUrl& url);

}  // namespace dtruss::fleet
