#include "gateway/engine_auth.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>


namespace pintar::gateway {
namespace {

// How often the handler's thread looks at its stop flag while idle.
constexpr std::chrono::milliseconds kStopPoll{100};

// RFC 27 request frames, after the envelope.
enum ZapFrame : size_t { kVersion, kRequestId, kDomain, kAddress, kIdentity, kMechanism, kCredentials };

ZapVerdict refuse(std::string why) { return {.admitted = false, .status_code = "400", .status_text = std::move(why)}; }

// The uid in a ZAP address that libzmq gave the SO_PEERCRED suffix ":uid:gid:pid" (ipc only).
std::optional<uint32_t> peer_uid(std::string_view address) {
  size_t colons[3];
  size_t found = 0;
  for (size_t i = address.size(); i > 0 && found < 3; --i) {
    if (address[i - 1] == ':') colons[found++] = i - 1;
  }
  if (found < 3) return std::nullopt;
  const std::string_view uid = address.substr(colons[2] + 1, colons[1] - colons[2] - 1);
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(uid.data(), uid.data() + uid.size(), value);
  if (error != std::errc() || end != uid.data() + uid.size() || uid.empty()) return std::nullopt;
  return value;
}

}  // namespace

ZapVerdict decide(const ZapPolicy& policy, std::span<const std::string> frames) {
  if (frames.size() <= kMechanism || frames[kVersion] != "1.0") return refuse("not a ZAP 1.0 request");
  const std::string& mechanism = frames[kMechanism];
  std::string user_id;
  if (policy.ipc_uid) {
    const auto uid = peer_uid(frames[kAddress]);
    if (!uid) return refuse("the peer's credentials are unknown (no SO_PEERCRED in the ZAP address)");
    if (*uid != *policy.ipc_uid) return refuse(fmt::format("the peer runs as uid {}, not {}", *uid, *policy.ipc_uid));
    user_id = fmt::format("uid:{}", *uid);
  }
  if (policy.curve) {
    if (mechanism != "CURVE" || frames.size() <= kCredentials || frames[kCredentials].size() != 32) {
      return refuse(fmt::format("mechanism {} where CURVE is required", mechanism));
    }
    bridge::CurveKey key{};
    std::copy_n(frames[kCredentials].begin(), 32, key.begin());
    if (std::find(policy.engine_keys.begin(), policy.engine_keys.end(), key) == policy.engine_keys.end()) {
      return refuse(fmt::format("CURVE key {} is not in gateway.zmq_engine_keys", bridge::z85(key)));
    }
    user_id = "curve:" + bridge::z85(key);
  } else if (mechanism != "NULL") {
    return refuse(fmt::format("mechanism {} where NULL is configured", mechanism));
  }
  if (user_id.empty()) return refuse("no check configured for this endpoint");
  return {.admitted = true, .status_code = "200", .status_text = "OK", .user_id = std::move(user_id)};
}

Status prepare_ipc_directory(std::string_view socket_path) {
  const std::filesystem::path path(socket_path);
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::failed_precondition(fmt::format("cannot create the socket's directory {}: {}", dir.string(),
                                                   std::strerror(errno)));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::failed_precondition(fmt::format("{}: {}", dir.string(), std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) return Status::failed_precondition(fmt::format("{} is not a directory", dir.string()));
  if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    return Status::failed_precondition(
        fmt::format("the socket's directory {} is owned by uid {} with mode {:04o}; it must be this user's ({}) "
                    "and 0700, so that no other user can reach the socket",
                    dir.string(), st.st_uid, st.st_mode & 07777, ::geteuid()));
  }
  return Status();
}

ZapHandler::ZapHandler(zmq::context_t& context, ZapPolicy policy, std::function<void(bool)> count)
    : policy_(std::move(policy)),
      count_(std::move(count)),
      socket_(context, zmq::socket_type::rep) {}

Result<std::unique_ptr<ZapHandler>> ZapHandler::start(zmq::context_t& context, ZapPolicy policy,
                                                      std::function<void(bool admitted)> count) {
  std::unique_ptr<ZapHandler> handler(new ZapHandler(context, std::move(policy), std::move(count)));
  try {
    handler->socket_.set(zmq::sockopt::linger, 0);
    handler->socket_.bind("inproc://zeromq.zap.01");
  } catch (const zmq::error_t& e) {
    return Status::unavailable(fmt::format("ZAP handler inproc://zeromq.zap.01: {}", e.what()));
  }
  handler->thread_ = std::thread([h = handler.get()] { h->run(); });
  return handler;
}

ZapHandler::~ZapHandler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapHandler::run() {
  try {
    while (!stop_) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, kStopPoll) == 0) continue;
      std::vector<std::string> frames;
      for (;;) {
        zmq::message_t frame;
        if (!socket_.recv(frame, zmq::recv_flags::none)) break;
        frames.push_back(frame.to_string());
        if (!frame.more()) break;
      }
      const ZapVerdict verdict = decide(policy_, frames);
      count_(verdict.admitted);
      if (!verdict.admitted) {
        spdlog::warn("engine link: refused a connection from {}: {}",
                     frames.size() > kAddress ? frames[kAddress] : std::string("?"), verdict.status_text);
      }
      const std::string version = "1.0";
      const std::string request_id = frames.size() > kRequestId ? frames[kRequestId] : std::string();
      (void)socket_.send(zmq::buffer(version), zmq::send_flags::sndmore);
      (void)socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
      (void)socket_.send(zmq::buffer(verdict.status_code), zmq::send_flags::sndmore);
      (void)socket_.send(zmq::buffer(verdict.status_text), zmq::send_flags::sndmore);
      (void)socket_.send(zmq::buffer(verdict.user_id), zmq::send_flags::sndmore);
      (void)socket_.send(zmq::str_buffer(""), zmq::send_flags::none);  // no metadata
    }
  } catch (const zmq::error_t& e) {
    // Only a terminating context gets here; with no handler every handshake stalls (refused).
    spdlog::error("engine link: the ZAP handler stopped: {}", e.what());
  }
}

}  // namespace pintar::gateway
