// The Prometheus text exposition format, version 0.0.4, of a Registry: what GET /metrics
// answers (Content-Type kContentType).
//
//   counter "gateway.mo_stored"      -> pintar_gateway_mo_stored_total (type counter)
//   histogram "p2apst.round_trip"    -> pintar_p2apst_round_trip_seconds (type histogram):
//                                       _bucket{le="0.001"} .. {le="+Inf"} (cumulative), _sum, _count
//
// Each family (one name) is written once with its # HELP and # TYPE, followed by every series
// of it (one per label set), in the order the registry lists them, so a counter table that
// several binds export appears as one family with a label per bind. Label values and help
// texts are escaped as the format requires (\\, \", \n).
#ifndef PINTAR_METRICS_EXPOSITION_H_
#define PINTAR_METRICS_EXPOSITION_H_

#include <string>
#include <string_view>

#include "metrics/registry.h"

namespace pintar::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// "pintar_" + name with '.' -> '_' + suffix ("_total", "_seconds").
std::string family_name(std::string_view name, std::string_view suffix);

// Label values: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);

std::string expose(const Registry& registry);

}  // namespace pintar::metrics

#endif  // PINTAR_METRICS_EXPOSITION_H_
