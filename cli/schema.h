// The full configuration schema: the common keys plus every module's table.
#ifndef PINTAR_CLI_SCHEMA_H_
#define PINTAR_CLI_SCHEMA_H_

#include "common/config.h"

namespace pintar::cli {

config::Schema full_schema();

}  // namespace pintar::cli

#endif  // PINTAR_CLI_SCHEMA_H_
