// The feed's two sinks (docs/pln-feed.md):
//
// HttpFeedSink: PLN's receiver. One POST per batch to the configured URL (http or https,
// through cpp-httplib; https verifies the server's certificate against the system's CA
// store or `ca_file`), body feed_json.h's batch, Content-Type application/json, signed
// (X-Pintar-Signature). Any 2xx means the receiver took every record of the batch; anything
// else, a timeout or a refused connection is Unavailable (the pump retries). The connection
// is kept alive between batches.
//
// ZmqFeedSink: the same records on a local ZeroMQ PUB socket, for local consumers, one
// message of two frames per record: "purchase" and the record's JSON. PUB drops what a
// subscriber is too slow for, and a subscriber sees only what is published after it joined,
// so it is a live view, not a delivery: its cursor only keeps a restart from publishing
// everything again. The socket is bound where the configuration says: an ipc:// path (its
// directory's permissions decide who may read) or a loopback tcp:// address.
//
// Threads: each is called by its pump's thread only.
#ifndef PINTAR_REPORT_FEED_SINKS_H_
#define PINTAR_REPORT_FEED_SINKS_H_

#include <chrono>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "common/secret.h"
#include "report/feed.h"

namespace httplib {
class Client;
}

namespace pintar::report {

inline constexpr const char* kHttpConsumer = "pln_http";
inline constexpr const char* kZmqConsumer = "zmq_pub";

// "http[s]://host[:port][/path]": InvalidArgument naming what is wrong.
struct HttpTarget {
  std::string scheme, host;
  int port = 0;
  std::string path;
};
Result<HttpTarget> parse_http_url(std::string_view url);

class HttpFeedSink final : public FeedSink {
 public:
  struct Options {
    std::string url;
    std::string ca_file{};  // empty: the system's CA store
    std::chrono::milliseconds timeout{10'000};
  };
  static Result<std::unique_ptr<HttpFeedSink>> create(Options options, Secret secret);
  ~HttpFeedSink() override;

  std::string consumer() const override { return kHttpConsumer; }
  Status deliver(std::span<const store::FeedRecord> batch) override;

 private:
  HttpFeedSink(HttpTarget target, std::unique_ptr<httplib::Client> client, Secret secret);
  HttpTarget target_;
  std::unique_ptr<httplib::Client> client_;
  Secret secret_;
};

class ZmqFeedSink final : public FeedSink {
 public:
  // Binds `endpoint`; IoError when it cannot. InvalidArgument for a tcp:// address that is
  // not loopback.
  static Result<std::unique_ptr<ZmqFeedSink>> bind(zmq::context_t& context, const std::string& endpoint);

  std::string consumer() const override { return kZmqConsumer; }
  Status deliver(std::span<const store::FeedRecord> batch) override;

 private:
  explicit ZmqFeedSink(zmq::socket_t socket) : socket_(std::move(socket)) {}
  zmq::socket_t socket_;
};

}  // namespace pintar::report

#endif  // PINTAR_REPORT_FEED_SINKS_H_
