#include "fleet/clickhouse_url.h"

#include <fmt/format.h>

#include <cstring>
#include <string_view>

#include "util/text.h"

namespace dtruss::fleet {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoded ('+' kept: it is a plus in a URL's user part and in ClickHouse's settings).
bool percent_decode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hex_digit(in[i + 1]);
    int lo = hex_digit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

bool valid_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// The URL as messages show it: a password (user:PASSWORD@ or password=) as ***.
std::string masked(const std::string& text) {
  std::string out = text;
  size_t start = out.find("://");
  if (start != std::string::npos) {
    start += 3;
    size_t end = out.find_first_of("/?#", start);
    size_t at = out.rfind('@', end == std::string::npos ? out.size() : end);
    if (at != std::string::npos && at >= start) {
      size_t sep = out.find(':', start);
      if (sep != std::string::npos && sep < at) out.replace(sep + 1, at - sep - 1, "***");
    }
  }
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    size_t v = p + 9;
    size_t e = out.find('&', v);
    out.replace(v, (e == std::string::npos ? out.size() : e) - v, "***");
  }
  return out;
}

}  // namespace

std::string parse_clickhouse_url(const std::string& given, ClickHouseUrl* url) {
  *url = ClickHouseUrl{};
  const std::string& text = given;
  const std::string safe = masked(given);
  size_t colon = text.find("://");
  if (colon == std::string::npos)
    return fmt::format("'{}' is not a URL: give http://HOST:PORT/?database=NAME", escaped(safe));
  std::string scheme = text.substr(0, colon);
  for (char& c : scheme) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https")
    return fmt::format("unknown scheme '{}': ClickHouse's HTTP interface is http:// or https://",
                       escaped(text.substr(0, colon)));
  size_t auth_start = colon + 3;
  size_t path_at = text.find_first_of("/?#", auth_start);
  if (path_at == std::string::npos) path_at = text.size();
  if (path_at < text.size() && text[path_at] == '#')
    return fmt::format("'{}': a URL fragment (#) means nothing to ClickHouse", escaped(safe));
  std::string_view authority(text.data() + auth_start, path_at - auth_start);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view cred = authority.substr(0, at);
    size_t sep = cred.find(':');
    if (!percent_decode(cred.substr(0, sep), &url->user))
      return fmt::format("'{}': a bad %-escape in the user name", escaped(safe));
    if (sep != std::string_view::npos) {
      if (!percent_decode(cred.substr(sep + 1), &url->password))
        return "a bad %-escape in the URL's password";
      url->secrets.emplace_back(auth_start + sep + 1, cred.size() - sep - 1);
    }
    authority = authority.substr(at + 1);
  }
  std::string host(authority);
  std::string port = scheme == "https" ? "8443" : "8123";
  if (size_t pc = host.rfind(':');
      pc != std::string::npos && host.find(']', pc) == std::string::npos) {
    port = host.substr(pc + 1);
    host = host.substr(0, pc);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) == 0 ||
        std::stoul(port) > 65535)
      return fmt::format("'{}': the port must be a number from 1 to 65535", escaped(safe));
  }
  if (host.empty()) return fmt::format("'{}' names no host", escaped(safe));
  for (char c : host)
    if (!(isalnum(static_cast<unsigned char>(c)) || strchr(".-_[]:", c) != nullptr))
      return fmt::format("'{}': '{}' is not a host name", escaped(safe), escaped(host));
  // The path: "/" or nothing (ClickHouse's HTTP interface answers at its root).
  size_t query_at = text.find('?', path_at);
  std::string_view path(text.data() + path_at,
                        (query_at == std::string::npos ? text.size() : query_at) - path_at);
  if (!path.empty() && path != "/")
    return fmt::format("'{}': ClickHouse answers at '/', not '{}' (the database is ?database=NAME)",
                       escaped(safe), escaped(std::string(path)));
  if (query_at != std::string::npos) {
    std::string_view q(text.data() + query_at + 1, text.size() - query_at - 1);
    size_t pos = query_at + 1;
    while (!q.empty()) {
      size_t amp = q.find('&');
      std::string_view pair = q.substr(0, amp);
      size_t eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      std::string value;
      if (eq == std::string_view::npos || !percent_decode(pair.substr(eq + 1), &value))
        return fmt::format("'{}': '{}' is not KEY=VALUE", escaped(safe),
                           escaped(std::string(pair)));
      if (key == "database") {
        if (!valid_name(value))
          return fmt::format("'{}': a database name is letters, digits and _", escaped(safe));
        url->database = value;
      } else if (key == "user") {
        url->user = value;
      } else if (key == "password") {
        url->password = value;
        url->secrets.emplace_back(pos + eq + 1, pair.size() - eq - 1);
      } else if (valid_name(key)) {
        url->settings += std::string(pair) + "&";  // a ClickHouse setting, passed on
      } else {
        return fmt::format("'{}': '{}' is not a setting name", escaped(safe),
                           escaped(std::string(key)));
      }
      if (amp == std::string_view::npos) break;
      q = q.substr(amp + 1);
      pos += amp + 1;
    }
  }
  url->host = host;
  url->base = fmt::format("{}://{}:{}/", scheme, host, port);
  url->shown = fmt::format("{} (database {})", url->base, url->database);
  return {};
}

void hide_password(int argc, char** argv, const std::string& text, const ClickHouseUrl& url) {
  if (url.secrets.empty()) return;
  for (int i = 1; i < argc; ++i) {
    char* found = strstr(argv[i], text.c_str());
    if (found == nullptr) continue;
    for (const auto& [at, len] : url.secrets) memset(found + at, 'x', len);
  }
}

}  // namespace dtruss::fleet
