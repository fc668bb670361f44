#include "fleet/clickhouse_client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <cstdlib>
#include <mutex>

namespace dtruss::fleet {
namespace {

size_t collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string url_encode(CURL* curl, const std::string& s) {
  char* e = curl_easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out = e != nullptr ? e : "";
  curl_free(e);
  return out;
}

// The connection's socket is close-on-exec: a command dtruss starts never inherits it.
curl_socket_t open_socket(void*, curlsocktype, struct curl_sockaddr* a) {
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

// The first line of a server's error text.
std::string first_line(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  if (line.size() > 300) line.resize(300);
  return line;
}

}  // namespace

unsigned version_number(const std::string& version) {
  char* end = nullptr;
  unsigned long major = strtoul(version.c_str(), &end, 10);
  if (end == version.c_str() || *end != '.') return 0;
  unsigned long minor = strtoul(end + 1, nullptr, 10);
  return static_cast<unsigned>(major * 1000 + minor);
}

ClickHouseClient::ClickHouseClient(ClickHouseUrl url, long timeout_s)
    : url_(std::move(url)), timeout_s_(timeout_s) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

ClickHouseClient::~ClickHouseClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Reply ClickHouseClient::post(const std::string& target, const std::string& body) {
  Reply r;
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) {
    r.error = "libcurl could not be set up";
    return r;
  }
  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, target.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s_);
  if (!url_.user.empty() || !url_.password.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, url_.user.empty() ? "default" : url_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, url_.password.c_str());
  }
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/plain");
  headers = curl_slist_append(headers, "Expect:");  // (no 100-continue round trip)
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    r.error = curl_easy_strerror(rc);
    return r;
  }
  r.answered = true;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  r.ok = r.status == 200;
  if (!r.ok) r.error = fmt::format("HTTP {}: {}", r.status, first_line(r.body));
  return r;
}

Reply ClickHouseClient::query(const std::string& sql, bool in_database) {
  return post(fmt::format("{}?{}database={}", url_.base, url_.settings,
                          in_database ? url_.database : "default"),
              sql);
}

Reply ClickHouseClient::insert(const std::string& table, const std::string& rows) {
  CURL* c = static_cast<CURL*>(curl_);
  std::string q = fmt::format("INSERT INTO {}.{} FORMAT JSONEachRow", url_.database, table);
  return post(fmt::format("{}?{}database={}&query={}", url_.base, url_.settings, url_.database,
                          c != nullptr ? url_encode(c, q) : q),
              rows);
}

}  // namespace dtruss::fleet
