// A real ClickHouse server for the --clickhouse tests: Debian's clickhouse-server (installed by
// scripts/install-test-deps.sh) in a temporary directory, on free loopback ports, with a minimal
// config written here; ready once /ping answers (a condition, never a time); stopped by stop()
// or the destructor. Queries go over its HTTP interface.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <memory>
#include <string>

namespace e2e {

class ClickHouseServer {
 public:
  // A user "tracer" with password `kPassword` exists besides "default" (no password).
  static constexpr const char* kPassword = "s3cret-pw";
  // `two_shards`: a cluster "traces" of two shards, both this server, whose default databases
  // are shard1 and shard2 (docs/clickhouse.md's recipe, tried on one server).
  explicit ClickHouseServer(bool two_shards = false);
  ~ClickHouseServer();
  ClickHouseServer(const ClickHouseServer&) = delete;
  ClickHouseServer& operator=(const ClickHouseServer&) = delete;

  // Starts it (again: the same ports and data), waits for /ping. "" when it answers, else why not
  // (no clickhouse-server installed, it died: its log's end).
  std::string start();
  // Stops it as a crash would (SIGKILL: a graceful stop waits ~15 s for open connections; what
  // it acknowledged is on disk either way) and reaps it.
  void stop();
  // The result of `sql` (TSV), or "ERROR: ..." when the server refused it; in `database` when
  // given.
  std::string query(const std::string& sql, const std::string& database = "") const;
  // One number (a count), -1 on error.
  long number(const std::string& sql) const;
  // http://127.0.0.1:PORT/?database=DB
  std::string url(const std::string& database = "dtruss_test") const;
  uint16_t http_port() const { return http_port_; }
  uint16_t tcp_port() const { return tcp_port_; }  // (clickhouse-client's)
  bool running() const { return pid_ > 0; }

 private:
  void write_config();
  void write_users();
  std::string start_once();
  std::string dir_;
  bool users_written_ = false;
  bool two_shards_ = false;
  uint16_t http_port_ = 0;
  uint16_t tcp_port_ = 0;
  pid_t pid_ = -1;
};

// A test suite (Base: ::testing::Test or e2e::BackendTest) with a server of its own: started once
// for the suite's tests (each ctest test is a process of its own: one server a test), stopped
// after them.
template <class Base>
class WithClickHouse : public Base {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ClickHouseServer>();
    start_error_ = server_->start();
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    Base::SetUp();
    ASSERT_EQ(start_error_, "") << "a real ClickHouse server is needed";
  }
  static ClickHouseServer& ch() { return *server_; }
  inline static std::unique_ptr<ClickHouseServer> server_;
  inline static std::string start_error_;
};

// A loopback TCP port nobody listens on now (bound, read, closed).
uint16_t free_port();

}  // namespace e2e
