#include "common/log.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pintar::log {
namespace {

// One JSON object per line: {"ts":"...Z","level":"info","logger":"gateway","msg":"..."}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    nlohmann::json line = {
        {"ts", fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                           utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000)},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size())},
        {"logger", std::string(msg.logger_name.data(), msg.logger_name.size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

Options options_from(const config::Config& config) {
  return Options{.level = config.string("log.level"), .format = config.string("log.format")};
}

Status init(const Options& options) {
  const auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Status::invalid_argument(fmt::format("unknown log level '{}'", options.level));
  }
  auto logger = std::make_shared<spdlog::logger>("pintar", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (options.format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else if (options.format == "text") {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  } else {
    return Status::invalid_argument(fmt::format("unknown log format '{}'", options.format));
  }
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::ok_status();
}

std::string mask_token(std::string_view token) {
  const bool twenty_digits =
      token.size() == 20 && std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!twenty_digits) return fmt::format("<{} chars>", token.size());
  return fmt::format("{}-****-****-****-{}", token.substr(0, 4), token.substr(16));
}

std::string mask_msisdn(std::string_view msisdn) {
  const size_t head = 5;
  const size_t tail = 3;
  // Short numbers (7-8 digits) would otherwise underflow or show every digit.
  if (msisdn.size() <= head + tail) return std::string(msisdn.size(), '*');
  return fmt::format("{}{}{}", msisdn.substr(0, head), std::string(msisdn.size() - head - tail, '*'),
                     msisdn.substr(msisdn.size() - tail));
}

}  // namespace pintar::log
