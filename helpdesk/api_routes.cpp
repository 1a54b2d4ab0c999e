// The /api/v1 routes and /healthz (docs/helpdesk.md, "API"). Each handler: authenticate for
// its role, validate, call the library, answer JSON.
#include <charconv>
#include <functional>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "helpdesk/http_support.h"
#include "helpdesk/server.h"
#include "helpdesk/views.h"

namespace pintar::helpdesk {
namespace {

using nlohmann::json;
using http::body_object;
using http::guarded;
using http::member;
using http::reply;
using http::reply_error;
using http::reply_status;

Result<int64_t> integer_param(const httplib::Request& req, const char* name) {
  const std::string text = req.get_param_value(name);
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::invalid_argument(fmt::format("{}: a whole number (milliseconds since 1970 for times)", name));
  }
  return value;
}

Result<SearchRequest> search_request(const httplib::Request& req) {
  static constexpr const char* kKnown[] = {"meter", "idpel", "msisdn", "reference", "token",
                                           "state", "since", "until", "cursor", "limit"};
  for (const auto& [name, value] : req.params) {
    if (std::find_if(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return name == k; }) == std::end(kKnown)) {
      return Status::invalid_argument(fmt::format("{}: not a search parameter", name.substr(0, 32)));
    }
  }
  SearchRequest r;
  auto text = [&](const char* name) -> std::optional<std::string> {
    if (!req.has_param(name)) return std::nullopt;
    return req.get_param_value(name);
  };
  r.meter = text("meter");
  r.idpel = text("idpel");
  r.msisdn = text("msisdn");
  r.reference = text("reference");
  r.token = text("token");
  r.cursor = text("cursor");
  if (auto states = text("state")) r.states = split_commas(*states);
  for (auto [name, field] : {std::pair{"since", &r.since_ms}, std::pair{"until", &r.until_ms}}) {
    if (!req.has_param(name)) continue;
    auto value = integer_param(req, name);
    if (!value.ok()) return value.status();
    *field = *value;
  }
  if (req.has_param("limit")) {
    auto limit = integer_param(req, "limit");
    if (!limit.ok() || *limit < 1 || *limit > static_cast<int64_t>(kMaxPageSize)) {
      return Status::invalid_argument(fmt::format("limit: 1 to {}", kMaxPageSize));
    }
    r.limit = static_cast<size_t>(*limit);
  }
  return r;
}

}  // namespace

void add_api_routes(httplib::Server& http, ServerDeps deps) {
  Access& access = deps.access;
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { reply(res, 200, {{"ok", true}}); });

  http.Get("/api/v1/whoami", guarded(access, Role::kViewer, [](const auto&, auto& res, const Caller& c) {
             reply(res, 200, {{"name", c.name}, {"role", role_name(c.role)}});
           }));

  http.Get("/api/v1/purchases", guarded(access, Role::kViewer, [deps](const auto& req, auto& res, const Caller& c) {
             auto request = search_request(req);
             if (!request.ok()) return reply_status(res, request.status());
             auto page = deps.lookups.search(*request);
             if (!page.ok()) return reply_status(res, page.status());
             reply(res, 200, page_json(*page, c.role));
           }));

  http.Get(R"(/api/v1/purchases/([^/]+))",
           guarded(access, Role::kViewer, [deps](const auto& req, auto& res, const Caller& c) {
             auto timeline = deps.lookups.timeline(req.matches[1].str());
             if (!timeline.ok()) return reply_status(res, timeline.status());
             reply(res, 200, timeline_json(*timeline, c.role));
           }));

  http.Get(R"(/api/v1/records/([^/]+))",
           guarded(access, Role::kViewer, [deps](const auto& req, auto& res, const Caller& c) {
             auto records = deps.lookups.records(req.matches[1].str());
             if (!records.ok()) return reply_status(res, records.status());
             reply(res, 200, {{"meters", records_json(*records, c.role)}});
           }));

  http.Post("/api/v1/diagnose", guarded(access, Role::kViewer, [deps](const auto& req, auto& res, const Caller&) {
              auto body = body_object(req);
              if (!body.ok()) return reply_status(res, body.status());
              auto meter = member(*body, "meter");
              if (!meter.ok()) return reply_status(res, meter.status());
              auto token = member(*body, "token");
              if (!token.ok()) return reply_status(res, token.status());
              auto d = deps.diagnoser.diagnose(*meter, *token);
              if (!d.ok()) return reply_status(res, d.status());
              reply(res, 200, diagnosis_json(*d));
            }));

  http.Post(R"(/api/v1/purchases/([^/]+)/resend)",
            guarded(access, Role::kOperator, [deps](const auto& req, auto& res, const Caller& c) {
              auto body = body_object(req);
              if (!body.ok()) return reply_status(res, body.status());
              auto reason = member(*body, "reason");
              if (!reason.ok()) return reply_status(res, reason.status());
              auto id = deps.actions.resend(c, req.matches[1].str(), *reason);
              if (!id.ok()) return reply_status(res, id.status());
              reply(res, 202, {{"queued", *id}});
            }));

  http.Post(R"(/api/v1/purchases/([^/]+)/resolve)",
            guarded(access, Role::kOperator, [deps](const auto& req, auto& res, const Caller& c) {
              auto body = body_object(req);
              if (!body.ok()) return reply_status(res, body.status());
              auto outcome = member(*body, "outcome");
              if (!outcome.ok()) return reply_status(res, outcome.status());
              auto reason = member(*body, "reason");
              if (!reason.ok()) return reply_status(res, reason.status());
              auto next = deps.actions.resolve(c, req.matches[1].str(), *outcome, *reason);
              if (!next.ok()) return reply_status(res, next.status());
              reply(res, 200, purchase_json(*next, c.role));
            }));

  http.Post("/api/v1/subscriptions/unlock",
            guarded(access, Role::kOperator, [deps](const auto& req, auto& res, const Caller& c) {
              auto body = body_object(req);
              if (!body.ok()) return reply_status(res, body.status());
              auto msisdn = member(*body, "msisdn");
              if (!msisdn.ok()) return reply_status(res, msisdn.status());
              auto meter = member(*body, "meter");
              if (!meter.ok()) return reply_status(res, meter.status());
              auto reason = member(*body, "reason");
              if (!reason.ok()) return reply_status(res, reason.status());
              const Status s = deps.actions.unlock(c, *msisdn, *meter, *reason);
              if (!s.ok()) return reply_status(res, s);
              reply(res, 200, {{"unlocked", true}});
            }));

  add_registry_routes(http, deps);

  // Unknown API paths: 404 only after the key check, so probing learns nothing without one.
  auto unknown = guarded(access, Role::kViewer, [](const auto&, auto& res, const Caller&) {
    reply_error(res, 404, "no such endpoint");
  });
  http.Get(R"(/api/.*)", unknown);
  http.Post(R"(/api/.*)", unknown);
}

}  // namespace pintar::helpdesk
