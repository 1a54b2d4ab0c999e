#include "helpdesk/http_support.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "helpdesk/roles.h"

namespace pintar::helpdesk::http {
namespace {

using nlohmann::json;

int http_status(const Status& s) {
  switch (s.code()) {
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAlreadyExists: return 409;
    default: return 503;
  }
}

std::string bearer(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) return "";
  return header.substr(kBearer.size());
}

}  // namespace

void reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply(res, status, {{"error", message}});
}

void reply_status(httplib::Response& res, const Status& s) {
  const int code = http_status(s);
  // Our own words for 4xx; ledger trouble is logged, not shown.
  if (code == 503) spdlog::error("helpdesk: {}", s.to_string());
  reply_error(res, code, code == 503 ? "the ledger is not available; try again" : s.message());
}

httplib::Server::Handler guarded(Access& access, Role need, Handler handler) {
  return [&access, need, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    const AccessResult who = access.check(bearer(req), need);
    switch (who.verdict) {
      case Verdict::kAllowed: return handler(req, res, *who.caller);
      case Verdict::kRateLimited:
        res.set_header("Retry-After", "1");
        return reply_error(res, 429, "rate limit: slow down");
      case Verdict::kError: return reply_error(res, 503, "the ledger is not available; try again");
      case Verdict::kUnauthorized:
      case Verdict::kForbidden:
        // One body for both: which part was wrong is not told.
        if (who.caller) spdlog::info("helpdesk: {} ({}) refused {} {}", who.caller->name, role_name(who.caller->role),
                                     req.method, req.path);
        return reply_error(res, who.verdict == Verdict::kForbidden ? 403 : 401, "not allowed");
    }
  };
}

Result<json> body_object(const httplib::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return Status::invalid_argument("body: a JSON object");
  return body;
}

Result<std::string> member(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return Status::invalid_argument(fmt::format("{}: required, a string", name));
  return it->get<std::string>();
}

}  // namespace pintar::helpdesk::http
