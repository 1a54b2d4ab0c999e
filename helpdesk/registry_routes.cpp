// The /api/v1/registry routes (docs/helpdesk.md, "Registry"): admin only. Each handler
// reads its JSON body, calls RegistryActions (which validates every field), and answers.
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "helpdesk/http_support.h"
#include "helpdesk/server.h"

namespace pintar::helpdesk {
namespace {

using nlohmann::json;
using namespace http;

// A field given as a string or a whole number (power_va: 1300 or "1300").
Result<std::string> field_text(const json& body, const char* name) {
  auto it = body.find(name);
  if (it != body.end() && it->is_number_unsigned()) return std::to_string(it->get<uint64_t>());
  return member(body, name);
}

// The named string members of a body, in order; the first missing one is the error.
template <size_t N>
Result<std::array<std::string, N>> members(const json& body, const char* const (&names)[N]) {
  std::array<std::string, N> out;
  for (size_t i = 0; i < N; ++i) {
    auto value = field_text(body, names[i]);
    if (!value.ok()) return value.status();
    out[i] = std::move(value).value();
  }
  return out;
}

// A POST route for the admin: `run` gets the body's members `names` (all required).
template <size_t N, typename Run>
void post(httplib::Server& http, Access& access, const char* path, const char* const (&names)[N], Run run) {
  http.Post(path, guarded(access, Role::kAdmin, [&names, run](const auto& req, auto& res, const Caller& c) {
              auto body = body_object(req);
              if (!body.ok()) return reply_status(res, body.status());
              auto values = members(*body, names);
              if (!values.ok()) return reply_status(res, values.status());
              run(res, c, *values);
            }));
}

constexpr const char* kPowerFields[] = {"idpel", "tariff", "power_va", "reason"};
constexpr const char* kModemFields[] = {"meter", "modem_msisdn", "key_id", "reason"};
constexpr const char* kAddPhoneFields[] = {"meter", "msisdn", "language", "reason"};
constexpr const char* kPhoneFields[] = {"meter", "msisdn", "reason"};

}  // namespace

void add_registry_routes(httplib::Server& http, ServerDeps deps) {
  Access& access = deps.access;
  RegistryActions* registry = &deps.registry;

  // A new connection, and a migration to two-way: the same body, the latter with the
  // one-way meter it replaces.
  for (const bool migration : {false, true}) {
    http.Post(migration ? "/api/v1/registry/migrations" : "/api/v1/registry/connections",
              guarded(access, Role::kAdmin, [registry, migration](const auto& req, auto& res, const Caller& c) {
                auto body = body_object(req);
                if (!body.ok()) return reply_status(res, body.status());
                auto reason = member(*body, "reason");
                if (!reason.ok()) return reply_status(res, reason.status());
                std::string one_way;
                if (migration) {
                  auto text = field_text(*body, "one_way_meter");
                  if (!text.ok()) return reply_status(res, text.status());
                  one_way = std::move(text).value();
                }
                RegistryFields fields;
                for (const auto& [name, value] : body->items()) {
                  if (name == "reason" || (migration && name == "one_way_meter")) continue;
                  auto text = field_text(*body, name.c_str());
                  if (!text.ok()) return reply_status(res, text.status());
                  fields.emplace(name, std::move(text).value());
                }
                auto sms = migration ? registry->two_way_migration(c, fields, one_way, *reason)
                                     : registry->new_connection(c, fields, *reason);
                if (!sms.ok()) return reply_status(res, sms.status());
                reply(res, 201, {{"meter", fields["meter_no"]}, {"pin_sms", *sms}});
              }));
  }

  post(http, access, "/api/v1/registry/power", kPowerFields, [registry](auto& res, const Caller& c, const auto& v) {
    const Status s = registry->power_change(c, v[0], v[1], v[2], v[3]);
    if (!s.ok()) return reply_status(res, s);
    reply(res, 200, {{"idpel", v[0]}, {"tariff", v[1]}, {"power_va", std::stoll(v[2])}});
  });

  post(http, access, "/api/v1/registry/modem", kModemFields, [registry](auto& res, const Caller& c, const auto& v) {
    const Status s = registry->modem_swap(c, v[0], v[1], v[2], v[3]);
    if (!s.ok()) return reply_status(res, s);
    reply(res, 200, {{"meter", v[0]}, {"modem_msisdn", v[1]}, {"key_id", v[2]}});
  });

  post(http, access, "/api/v1/registry/phones/add", kAddPhoneFields,
       [registry](auto& res, const Caller& c, const auto& v) {
         auto sms = registry->add_phone(c, v[0], v[1], v[2], v[3]);
         if (!sms.ok()) return reply_status(res, sms.status());
         reply(res, 201, {{"meter", v[0]}, {"pin_sms", *sms}});
       });

  post(http, access, "/api/v1/registry/phones/remove", kPhoneFields,
       [registry](auto& res, const Caller& c, const auto& v) {
         const Status s = registry->remove_phone(c, v[0], v[1], v[2]);
         if (!s.ok()) return reply_status(res, s);
         reply(res, 200, {{"meter", v[0]}, {"removed", true}});
       });

  post(http, access, "/api/v1/registry/pin-reset", kPhoneFields, [registry](auto& res, const Caller& c, const auto& v) {
    auto sms = registry->reset_pin(c, v[0], v[1], v[2]);
    if (!sms.ok()) return reply_status(res, sms.status());
    reply(res, 202, {{"meter", v[0]}, {"pin_sms", *sms}});
  });

  // The import file as the body (text/csv), the reason as a parameter.
  http.Post("/api/v1/registry/import",
            guarded(access, Role::kAdmin, [registry](const auto& req, auto& res, const Caller& c) {
              if (!req.has_param("reason")) return reply_error(res, 400, "reason: required (?reason=...)");
              auto report = registry->import_csv(c, req.body, req.get_param_value("reason"));
              if (!report.ok()) return reply_status(res, report.status());
              json out = {{"records", report->records},
                          {"customers_added", report->customers_added},
                          {"meters_added", report->meters_added},
                          {"modems_added", report->modems_added},
                          {"subscriptions_added", report->subscriptions_added}};
              if (report->errors.empty()) return reply(res, 200, out);
              // The first 100: enough to fix a file; the count says how many more.
              json errors = json::array();
              for (const auto& e : report->errors) {
                if (errors.size() == 100) break;
                errors.push_back({{"line", e.line}, {"reason", e.reason}});
              }
              reply(res, 400, {{"error", fmt::format("{} bad line{}; nothing imported", report->errors.size(),
                                                     report->errors.size() == 1 ? "" : "s")},
                               {"errors", errors}});
            }));
}

}  // namespace pintar::helpdesk
