#include "clickhouse_server.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "harness.h"

namespace e2e {
namespace {

// The server binary: Debian's /usr/sbin/clickhouse-server (or /usr/bin), else `clickhouse server`
// (the single binary of newer packages). Empty when none is installed.
std::vector<std::string> server_command() {
  for (const char* p : {"/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"})
    if (access(p, X_OK) == 0) return {p};
  for (const char* p : {"/usr/bin/clickhouse", "/usr/local/bin/clickhouse"})
    if (access(p, X_OK) == 0) return {p, "server"};
  return {};
}

size_t collect(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// POST `body` to `url`; the HTTP status (0: no answer) and the body.
long http_post(const std::string& url, const std::string& body, std::string* out) {
  CURL* c = curl_easy_init();
  if (c == nullptr) return 0;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  if (!body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  return status;
}

}  // namespace

uint16_t free_port() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  if (s >= 0) close(s);
  return port;
}

ClickHouseServer::ClickHouseServer(bool two_shards) : dir_(temp_dir()), two_shards_(two_shards) {
  write_config();
}

// Free ports and the config naming them.
void ClickHouseServer::write_config() {
  http_port_ = free_port();
  do tcp_port_ = free_port();
  while (tcp_port_ == http_port_);
  std::ofstream(dir_ + "/config.xml") << fmt::format(
      R"(<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{0}/server.log</log><errorlog>{0}/error.log</errorlog></logger>
  <http_port>{1}</http_port>
  <tcp_port>{2}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{0}/data/</path>
  <tmp_path>{0}/tmp/</tmp_path>
  <user_files_path>{0}/user_files/</user_files_path>
  <format_schema_path>{0}/format_schemas/</format_schema_path>
  <users_config>{0}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
{3}</yandex>
)",
      dir_, http_port_, tcp_port_,
      two_shards_ ? fmt::format(R"(  <remote_servers><traces>
    <shard><replica><host>127.0.0.1</host><port>{0}</port><default_database>shard1</default_database></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>{0}</port><default_database>shard2</default_database></replica></shard>
  </traces></remote_servers>
)",
                                tcp_port_)
                  : std::string());
}

void ClickHouseServer::write_users() {
  std::ofstream(dir_ + "/users.xml") << fmt::format(
      R"(<?xml version="1.0"?>
<yandex>
  <profiles><default><max_threads>2</max_threads></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></default>
    <tracer><password>{}</password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></tracer>
  </users>
  <quotas><default></default></quotas>
</yandex>
)",
      kPassword);
}

ClickHouseServer::~ClickHouseServer() {
  stop();
}

std::string ClickHouseServer::start() {
  if (pid_ > 0) return {};
  if (!users_written_) {
    write_users();
    users_written_ = true;
  }
  return start_once();
}

std::string ClickHouseServer::start_once() {
  std::vector<std::string> argv = server_command();
  if (argv.empty())
    return "clickhouse-server is not installed: run scripts/install-test-deps.sh (Debian's "
           "clickhouse-server package)";
  argv.push_back("--config-file=" + dir_ + "/config.xml");
  pid_ = spawn(argv, dir_ + "/stdout.log", dir_ + "/stderr.log");
  if (pid_ < 0) return "clickhouse-server could not be started";
  std::string body;
  bool up = wait_until(
      [&] {
        int w = waitpid(pid_, nullptr, WNOHANG);
        if (w != 0) {  // (died, reaped: said below)
          pid_ = -1;
          return true;
        }
        body.clear();
        return http_post(fmt::format("http://127.0.0.1:{}/ping", http_port_), "", &body) == 200;
      },
      60000);
  // (ours answered, not another's on a port taken meanwhile: ours is still alive)
  if (pid_ > 0 && up && waitpid(pid_, nullptr, WNOHANG) != 0) pid_ = -1;
  if (pid_ < 0 || !up) {
    std::string log = read_file(dir_ + "/error.log") + read_file(dir_ + "/stderr.log");
    if (log.size() > 2000) log = log.substr(log.size() - 2000);
    stop();
    return fmt::format("clickhouse-server did not answer /ping on port {}: {}", http_port_, log);
  }
  return {};
}

void ClickHouseServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  wait_for(pid_, 30000);
  pid_ = -1;
}

std::string ClickHouseServer::query(const std::string& sql, const std::string& database) const {
  std::string out;
  long status = http_post(fmt::format("http://127.0.0.1:{}/{}", http_port_,
                                      database.empty() ? "" : "?database=" + database),
                          sql, &out);
  if (status != 200) return "ERROR: " + std::to_string(status) + " " + out;
  return out;
}

long ClickHouseServer::number(const std::string& sql) const {
  std::string r = query(sql);
  if (r.rfind("ERROR", 0) == 0 || r.empty()) return -1;
  return std::stol(r);
}

std::string ClickHouseServer::url(const std::string& database) const {
  return fmt::format("http://127.0.0.1:{}/?database={}", http_port_, database);
}

}  // namespace e2e
