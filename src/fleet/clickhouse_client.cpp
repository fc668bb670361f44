#include "fleet/clickhouse_client.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/socket.h>

#include <cstdlib>
#include <mutex>
#include <type_traits>

namespace dtruss::fleet {
namespace {

// libcurl, loaded when --clickhouse asks for it (dlopen): a dtruss without it neither loads it nor
// the thirty libraries it brings (TLS, Kerberos, LDAP...: ~3 ms of every start).
struct Curl {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_reset) easy_reset;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_easy_escape) easy_escape;
  decltype(&curl_free) free;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

const Curl* curl_api(std::string* error) {
  static Curl api;
  static std::string failure;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      failure = fmt::format("--clickhouse needs libcurl (Debian's libcurl4): {}", dlerror());
      return;
    }
    auto get = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      if (fn == nullptr && failure.empty()) failure = fmt::format("libcurl lacks {}", name);
    };
    get(api.global_init, "curl_global_init");
    get(api.easy_init, "curl_easy_init");
    get(api.easy_cleanup, "curl_easy_cleanup");
    get(api.easy_reset, "curl_easy_reset");
    get(api.easy_setopt, "curl_easy_setopt");
    get(api.easy_perform, "curl_easy_perform");
    get(api.easy_getinfo, "curl_easy_getinfo");
    get(api.easy_strerror, "curl_easy_strerror");
    get(api.easy_escape, "curl_easy_escape");
    get(api.free, "curl_free");
    get(api.slist_append, "curl_slist_append");
    get(api.slist_free_all, "curl_slist_free_all");
    if (failure.empty()) api.global_init(CURL_GLOBAL_DEFAULT);
  });
  if (!failure.empty()) {
    if (error != nullptr) *error = failure;
    return nullptr;
  }
  return &api;
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::string url_encode(const Curl& api, CURL* curl, const std::string& s) {
  char* e = api.easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out = e != nullptr ? e : "";
  api.free(e);
  return out;
}

// The connection's socket is close-on-exec: a command dtruss starts never inherits it.
curl_socket_t open_socket(void*, curlsocktype, struct curl_sockaddr* a) {
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

// libcurl asks, about once a second and at each transfer, whether to go on: not once aborted.
int go_on(void* aborted, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(aborted)->load() ? 1 : 0;
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

std::string curl_missing() {
  std::string error;
  curl_api(&error);
  return error;
}

ClickHouseClient::ClickHouseClient(ClickHouseUrl url, long timeout_s)
    : url_(std::move(url)), timeout_s_(timeout_s) {
  if (const Curl* api = curl_api(nullptr)) curl_ = api->easy_init();
}

ClickHouseClient::~ClickHouseClient() {
  if (curl_ != nullptr) curl_api(nullptr)->easy_cleanup(static_cast<CURL*>(curl_));
}

Reply ClickHouseClient::post(const std::string& target, const std::string& body) {
  Reply r;
  CURL* c = static_cast<CURL*>(curl_);
  const Curl* api = curl_api(&r.error);
  if (c == nullptr || api == nullptr) {
    if (r.error.empty()) r.error = "libcurl could not be set up";
    return r;
  }
  api->easy_reset(c);
  api->easy_setopt(c, CURLOPT_URL, target.c_str());
  api->easy_setopt(c, CURLOPT_POST, 1L);
  api->easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  api->easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  api->easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  api->easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  api->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  api->easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  api->easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
  api->easy_setopt(c, CURLOPT_TIMEOUT, timeout_s_);
  api->easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  api->easy_setopt(c, CURLOPT_XFERINFOFUNCTION, go_on);
  api->easy_setopt(c, CURLOPT_XFERINFODATA, &aborted_);
  if (!url_.user.empty() || !url_.password.empty()) {
    api->easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    api->easy_setopt(c, CURLOPT_USERNAME, url_.user.empty() ? "default" : url_.user.c_str());
    api->easy_setopt(c, CURLOPT_PASSWORD, url_.password.c_str());
  }
  struct curl_slist* headers = api->slist_append(nullptr, "Content-Type: text/plain");
  headers = api->slist_append(headers, "Expect:");  // (no 100-continue round trip)
  api->easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = api->easy_perform(c);
  api->slist_free_all(headers);
  if (rc != CURLE_OK) {
    r.error =
        rc == CURLE_ABORTED_BY_CALLBACK ? "no answer before dtruss ended" : api->easy_strerror(rc);
    return r;
  }
  r.answered = true;
  ++answers_;
  api->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
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
  const Curl* api = curl_api(nullptr);
  std::string q = fmt::format("INSERT INTO {}.{} FORMAT JSONEachRow", url_.database, table);
  return post(fmt::format("{}?{}database={}&query={}", url_.base, url_.settings, url_.database,
                          c != nullptr && api != nullptr ? url_encode(*api, c, q) : q),
              rows);
}

}  // namespace dtruss::fleet
