#include "cli/schema.h"

namespace pintar::cli {

config::Schema full_schema() {
  config::Schema schema;
  schema.add(config::common_keys());
  return schema;
}

}  // namespace pintar::cli
