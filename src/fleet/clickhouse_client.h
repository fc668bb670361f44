// ClickHouse's HTTP interface through libcurl: a statement POSTed to the server's root, the
// user and password as HTTP basic authentication (never in the URL), one connection kept.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "fleet/clickhouse_url.h"

namespace dtruss::fleet {

struct Reply {
  bool ok = false;        // HTTP 200
  bool answered = false;  // the server answered (else: unreachable, `error` says why)
  long status = 0;        // the HTTP status
  std::string body;       // the result, or the server's error text
  std::string error;      // one line: why it failed
};

class ClickHouseClient {
 public:
  // `timeout_s`: the most a request may take (a slow server is waited for that long, no more).
  ClickHouseClient(ClickHouseUrl url, long timeout_s);
  ~ClickHouseClient();
  ClickHouseClient(const ClickHouseClient&) = delete;
  ClickHouseClient& operator=(const ClickHouseClient&) = delete;

  // A statement alone (`sql` as the body), in the URL's database (else in "default": to make
  // that database).
  Reply query(const std::string& sql, bool in_database = true);
  // `INSERT ... FORMAT JSONEachRow` with `rows` as the body.
  Reply insert(const std::string& table, const std::string& rows);
  const ClickHouseUrl& url() const { return url_; }
  // From now on, a request under way (or made later) ends at once, unanswered: dtruss's exit
  // does not wait for a server that does not answer. (From any thread.)
  void abort() { aborted_ = true; }
  // How many requests the server answered so far (from any thread).
  uint64_t answers() const { return answers_; }

 private:
  Reply post(const std::string& url, const std::string& body);
  ClickHouseUrl url_;
  long timeout_s_;
  std::atomic<bool> aborted_{false};
  std::atomic<uint64_t> answers_{0};
  void* curl_ = nullptr;  // CURL*
};

// "" when libcurl can be loaded (it is, when --clickhouse asks: dlopen), else why not.
std::string curl_missing();

// "18.16.1" -> 18016 (major * 1000 + minor); 0 when unreadable.
unsigned version_number(const std::string& version);

}  // namespace dtruss::fleet
