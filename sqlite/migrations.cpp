#include "sqlite/migrations.h"

#include <fmt/format.h>

namespace pintar::sqlite {
namespace {

Result<int> read_user_version(Connection& db) {
  auto pragma = db.prepare("PRAGMA user_version");
  if (!pragma.ok()) return pragma.status();
  Cursor row(*pragma);
  auto found = row.step();
  if (!found.ok()) return found.status();
  return *found ? static_cast<int>(row.integer(0)) : 0;
}

Status write_user_version(Connection& db, int revision) {
  // A pragma takes no bound parameters; the text is an integer this build chose.
  return db.exec(fmt::format("PRAGMA user_version={}", revision));
}

}  // namespace

const RevisionSlot kUserVersion{.read = read_user_version, .write = write_user_version};

Status migrate(Connection& db, const Schema& schema, std::string_view file_name, int target) {
  for (size_t i = 0; i < schema.steps.size(); ++i) {
    if (schema.steps[i].revision != static_cast<int>(i) + 1) {
      return Status::invalid_argument(fmt::format("{} migration {} is numbered {}", schema.name, i + 1,
                                                  schema.steps[i].revision));
    }
  }
  const int latest = schema.latest();
  if (target < 0) target = latest;
  PINTAR_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  auto fail = [&db](Status status) {
    (void)db.exec("ROLLBACK");
    return status;
  };
  auto current = schema.slot.read(db);
  if (!current.ok()) return fail(current.status().with_context(file_name));
  if (*current > latest) {
    return fail(Status::failed_precondition(
        fmt::format("{} has schema revision {} but this pintar knows up to {}; upgrade pintar", file_name, *current,
                    latest)));
  }
  for (const Migration& step : schema.steps) {
    if (step.revision <= *current || step.revision > target) continue;
    const auto context = [&] { return fmt::format("{}: migration to revision {}", file_name, step.revision); };
    for (std::string_view sql : step.statements) {
      Status status = db.exec(sql);
      if (!status.ok()) return fail(status.with_context(context()));
    }
    if (step.after != nullptr) {
      Status status = step.after(db);
      if (!status.ok()) return fail(status.with_context(context()));
    }
    Status status = schema.slot.write(db, step.revision);
    if (!status.ok()) return fail(status.with_context(context()));
  }
  return db.exec("COMMIT");
}

}  // namespace pintar::sqlite
