// What every route handler of the helpdesk's HTTP API shares (private to helpdesk/): JSON
// answers, the Status -> HTTP code map of docs/helpdesk.md, the key check in front of each
// handler, and reading a JSON body.
#ifndef PINTAR_HELPDESK_HTTP_SUPPORT_H_
#define PINTAR_HELPDESK_HTTP_SUPPORT_H_

#include <functional>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "common/status.h"
#include "helpdesk/access.h"

namespace pintar::helpdesk::http {

void reply(httplib::Response& res, int status, const nlohmann::json& body);
void reply_error(httplib::Response& res, int status, const std::string& message);
// 400 InvalidArgument, 404 NotFound, 409 FailedPrecondition/AlreadyExists, 503 otherwise
// (logged, not shown).
void reply_status(httplib::Response& res, const Status& s);

using Handler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;
// `handler` behind the key check for `need`: 401/403 with one body, 429 past the rate limit.
httplib::Server::Handler guarded(Access& access, Role need, Handler handler);

// The JSON object of a POST body; InvalidArgument for anything else.
Result<nlohmann::json> body_object(const httplib::Request& req);
// A required string member; InvalidArgument naming it otherwise.
Result<std::string> member(const nlohmann::json& body, const char* name);

}  // namespace pintar::helpdesk::http

#endif  // PINTAR_HELPDESK_HTTP_SUPPORT_H_
