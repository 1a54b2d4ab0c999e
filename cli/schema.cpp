#include "cli/schema.h"

#include "gateway/gateway_config.h"
#include "helpdesk/helpdesk_config.h"
#include "metrics/metrics_config.h"
#include "report/feed_config.h"
#include "report/report_config.h"
#include "vending/p2apst/p2apst_config.h"
#include "store/ledger_config.h"
#include "vending/engine/vending_config.h"

namespace pintar::cli {

config::Schema full_schema() {
  config::Schema schema;
  schema.add(config::common_keys());
  schema.add(gateway::config_keys());
  schema.add(p2apst::config_keys());
  schema.add(store::config_keys());
  schema.add(engine::config_keys());
  schema.add(helpdesk::config_keys());
  schema.add(metrics::config_keys());
  schema.add(report::feed_config_keys());
  schema.add(report::config_keys());
  return schema;
}

}  // namespace pintar::cli
