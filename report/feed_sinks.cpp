#include "report/feed_sinks.h"

#include <charconv>

#include <fmt/format.h>
#include <httplib.h>

#include "report/feed_json.h"

namespace pintar::report {

Result<HttpTarget> parse_http_url(std::string_view url) {
  HttpTarget t;
  const size_t colon = url.find("://");
  if (colon == std::string_view::npos) return Status::invalid_argument(fmt::format("feed URL {}: no scheme", url));
  t.scheme = std::string(url.substr(0, colon));
  if (t.scheme != "http" && t.scheme != "https") {
    return Status::invalid_argument(fmt::format("feed URL {}: the scheme must be http or https", url));
  }
  std::string_view rest = url.substr(colon + 3);
  const size_t slash = rest.find('/');
  t.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view authority = rest.substr(0, slash);
  t.port = t.scheme == "https" ? 443 : 80;
  // [v6]:port, host:port or host.
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::invalid_argument(fmt::format("feed URL {}: no ']'", url));
    t.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status::invalid_argument(fmt::format("feed URL {}: bad port", url));
      port_text = authority.substr(close + 2);
    }
  } else if (const size_t p = authority.rfind(':'); p != std::string_view::npos) {
    t.host = std::string(authority.substr(0, p));
    port_text = authority.substr(p + 1);
  } else {
    t.host = std::string(authority);
  }
  if (t.host.empty()) return Status::invalid_argument(fmt::format("feed URL {}: no host", url));
  if (!port_text.empty() || authority.ends_with(':')) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return Status::invalid_argument(fmt::format("feed URL {}: the port must be 1..65535", url));
    }
    t.port = port;
  }
  return t;
}

HttpFeedSink::HttpFeedSink(HttpTarget target, std::unique_ptr<httplib::Client> client, Secret secret)
    : target_(std::move(target)), client_(std::move(client)), secret_(std::move(secret)) {}
HttpFeedSink::~HttpFeedSink() = default;

Result<std::unique_ptr<HttpFeedSink>> HttpFeedSink::create(Options options, Secret secret) {
  auto target = parse_http_url(options.url);
  if (!target.ok()) return target.status();
  if (secret.size() < 16) return Status::invalid_argument("feed.secret: at least 16 bytes");
  const std::string host = target->host.find(':') == std::string::npos ? target->host : "[" + target->host + "]";
  auto client = std::make_unique<httplib::Client>(fmt::format("{}://{}:{}", target->scheme, host, target->port));
  if (!client->is_valid()) return Status::invalid_argument(fmt::format("feed URL {}: not usable", options.url));
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.timeout);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(options.timeout - seconds);
  client->set_connection_timeout(seconds.count(), micros.count());
  client->set_read_timeout(seconds.count(), micros.count());
  client->set_write_timeout(seconds.count(), micros.count());
  if (target->scheme == "https") {
    client->enable_server_certificate_verification(true);
    if (!options.ca_file.empty()) client->set_ca_cert_path(options.ca_file.c_str());
  }
  return std::unique_ptr<HttpFeedSink>(new HttpFeedSink(std::move(*target), std::move(client), std::move(secret)));
}

Status HttpFeedSink::deliver(std::span<const store::FeedRecord> batch) {
  const std::string body = batch_body(batch);
  const httplib::Headers headers{{kSignatureHeader, signature(secret_, body)}};
  auto answer = client_->Post(target_.path, headers, body, "application/json");
  if (!answer) {
    return Status::unavailable(
        fmt::format("POST {}:{}{}: {}", target_.host, target_.port, target_.path, httplib::to_string(answer.error())));
  }
  if (answer->status < 200 || answer->status > 299) {
    return Status::unavailable(fmt::format("POST {}:{}{}: HTTP {} for records {}..{}", target_.host, target_.port,
                                           target_.path, answer->status, batch.front().seq, batch.back().seq));
  }
  return Status::ok_status();
}

Result<std::unique_ptr<ZmqFeedSink>> ZmqFeedSink::bind(zmq::context_t& context, const std::string& endpoint) {
  if (endpoint.starts_with("tcp://") && !endpoint.starts_with("tcp://127.0.0.1:") &&
      !endpoint.starts_with("tcp://[::1]:") && !endpoint.starts_with("tcp://localhost:")) {
    return Status::invalid_argument(fmt::format(
        "feed.pub_endpoint {}: a tcp:// endpoint must be loopback (the PUB socket has no authentication)", endpoint));
  }
  if (!endpoint.starts_with("tcp://") && !endpoint.starts_with("ipc://")) {
    return Status::invalid_argument(fmt::format("feed.pub_endpoint {}: ipc://PATH or tcp://127.0.0.1:PORT", endpoint));
  }
  try {
    zmq::socket_t socket(context, zmq::socket_type::pub);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind(endpoint);
    return std::unique_ptr<ZmqFeedSink>(new ZmqFeedSink(std::move(socket)));
  } catch (const zmq::error_t& e) {
    return Status::io_error(fmt::format("feed.pub_endpoint {}: {}", endpoint, e.what()));
  }
}

Status ZmqFeedSink::deliver(std::span<const store::FeedRecord> batch) {
  try {
    for (const store::FeedRecord& r : batch) {
      const std::string json = record_json(r).dump();
      socket_.send(zmq::buffer(std::string_view("purchase")), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(json), zmq::send_flags::none);
    }
  } catch (const zmq::error_t& e) {
    return Status::unavailable(fmt::format("feed PUB: {}", e.what()));
  }
  return Status::ok_status();
}

}  // namespace pintar::report
