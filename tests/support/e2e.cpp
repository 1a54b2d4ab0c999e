#include "tests/support/e2e.h"

#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sqlite/connection.h"
#include "tests/support/process.h"

namespace pintar::testing {

using std::chrono::milliseconds;

cli::WorldOptions world_options(std::vector<cli::WorldCustomer> customers, std::string vending_extra) {
  cli::WorldOptions o;
  o.work_dir = make_temp_dir("e2e");
  o.source_dir = source_path("");
  o.build_dir = std::getenv("PINTAR_BUILD_DIR") ? std::getenv("PINTAR_BUILD_DIR") : ".";
  o.pintar = pintar_binary();
  o.customers = std::move(customers);
  o.vending_extra = std::move(vending_extra);
  return o;
}

void buy(const cli::World& world, const cli::WorldCustomer& customer, int64_t amount) {
  world.send_sms(customer.phone, fmt::format("TOKEN {} {} {}", customer.meter, amount, customer.pin));
}

bool reaches(const cli::World& world, const std::string& phone, const std::string& state, milliseconds timeout) {
  // state_of runs `pintar purchases show`: a process per look, so not too often.
  return eventually([&] { return state_of(world, phone) == state; }, timeout, milliseconds(100));
}

size_t receipts_in(const nlohmann::json& inbox) {
  size_t n = 0;
  for (const auto& sms : inbox) {
    if (sms.value("text", "").starts_with("TOKEN ")) ++n;
  }
  return n;
}

std::vector<std::string> texts_of(const nlohmann::json& inbox) {
  std::vector<std::string> out;
  for (const auto& sms : inbox) out.push_back(sms.value("text", ""));
  return out;
}

nlohmann::json inbox_of_at_least(const cli::World& world, const std::string& phone, size_t count,
                                 milliseconds timeout) {
  nlohmann::json box;
  eventually(
      [&] {
        box = world.inbox(phone);
        return box.size() >= count;
      },
      timeout);
  return box;
}

nlohmann::json settled_inbox(const cli::World& world, const std::string& phone, size_t count, milliseconds timeout) {
  inbox_of_at_least(world, phone, count, timeout);
  std::this_thread::sleep_for(kSettle);
  return world.inbox(phone);
}

std::string all_texts(const nlohmann::json& inbox) { return fmt::format("{}", fmt::join(texts_of(inbox), " | ")); }

std::string dashed_token(const std::string& d) {
  if (d.size() != 20) return d;
  return fmt::format("{}-{}-{}-{}-{}", d.substr(0, 4), d.substr(4, 4), d.substr(8, 4), d.substr(12, 4), d.substr(16, 4));
}

nlohmann::json last_purchase(const cli::World& world, const std::string& phone) {
  const CommandResult shown = world.pintar({"purchases", "show", "--msisdn", phone, "--last", "--format", "json"});
  if (shown.exit_status != 0) return nullptr;
  return nlohmann::json::parse(shown.out);
}

std::string state_of(const cli::World& world, const std::string& phone) {
  const nlohmann::json p = last_purchase(world, phone);
  return p.is_null() ? "" : p.value("state", "");
}

size_t sales(const cli::World& world) { return world.p2apst("GET", "/stats")["sales"].get<size_t>(); }

nlohmann::json sales_of(const cli::World& world, const std::string& meter) {
  return world.p2apst("GET", "/sales?meter=" + meter)["sales"];
}

nlohmann::json account_of(const cli::World& world, const std::string& meter) {
  const nlohmann::json accounts = world.p2apst("GET", "/accounts")["accounts"];
  for (const auto& a : accounts) {
    if (a["meter"] == meter) return a;
  }
  return nullptr;
}

int64_t audit_count(const cli::World& world, const std::string& action, const std::string& detail_prefix) {
  auto db = sqlite::Connection::open(world.options().work_dir + "/ledger.db", {.read_only = true});
  if (!db.ok()) return -1;
  auto select = db->prepare("SELECT count(*) FROM audit WHERE action = ?1 AND substr(detail, 1, length(?2)) = ?2");
  if (!select.ok()) return -1;
  sqlite::Cursor row(select->bind(action, detail_prefix));
  auto found = row.step();
  return found.ok() && *found ? row.integer(0) : -1;
}

nlohmann::json sent_to(const cli::World& world, const std::string& msisdn) {
  auto db = sqlite::Connection::open(world.options().work_dir + "/ledger.db", {.read_only = true});
  if (!db.ok()) return nullptr;
  auto select = db->prepare(
      "SELECT message_id, txn_id, delivery_state FROM messages WHERE direction = 'out' AND msisdn = ?1 "
      "ORDER BY created_ms, message_id");
  if (!select.ok()) return nullptr;
  sqlite::Cursor row(select->bind(msisdn));
  nlohmann::json rows = nlohmann::json::array();
  for (;;) {
    auto found = row.step();
    if (!found.ok()) return nullptr;
    if (!*found) break;
    const nlohmann::json txn = row.is_null(1) ? nlohmann::json(nullptr) : nlohmann::json(row.text(1));
    rows.push_back(nlohmann::json{{"id", row.text(0)}, {"txn_id", txn}, {"delivery_state", row.text(2)}});
  }
  return rows;
}

std::string rupiah_text(int64_t rupiah) {
  std::string digits = std::to_string(rupiah);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return "Rp" + out;
}

}  // namespace pintar::testing
