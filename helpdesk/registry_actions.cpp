#include "helpdesk/registry_actions.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/hex.h"
#include "helpdesk/actions.h"
#include "helpdesk/lookups.h"
#include "helpdesk/roles.h"
#include "store/subscriber_csv.h"

namespace pintar::helpdesk {
namespace {

// The new PIN's hash and the SMS that tells the customer the PIN.
struct PinSms {
  crypto::Sha256Digest hash{};
  store::MessageRecord message;
};

// Six uniformly random digits: 4,294,000,000 is a multiple of 10^6, so values below it map
// evenly and the rare ones above are drawn again.
Result<std::string> one_time_pin() {
  for (;;) {
    std::array<uint8_t, 4> random{};
    PINTAR_RETURN_IF_ERROR(crypto::random_bytes(random));
    uint32_t value = 0;
    std::memcpy(&value, random.data(), sizeof value);
    if (value < 4'294'000'000U) return fmt::format("{:06}", value % 1'000'000);
  }
}

std::string pin_text(std::string_view language, std::string_view meter_no, std::string_view pin) {
  if (language == "en") {
    return fmt::format("PLN: your new PIN for meter {} is {}. Change it: PIN {} <new>. Tell no one, not even PLN staff.",
                       meter_no, pin, pin);
  }
  return fmt::format("PLN: PIN baru meter {}: {}. Ganti: PIN {} <baru>. Jangan beritahu siapa pun, termasuk petugas PLN.",
                     meter_no, pin, pin);
}

Result<PinSms> make_pin_sms(const store::PinHasher& pins, std::string_view msisdn, std::string_view meter_no,
                            std::string_view language, int64_t now) {
  auto pin = one_time_pin();
  if (!pin.ok()) return pin.status();
  auto hash = pins.hash(msisdn, meter_no, *pin);
  std::string body = pin_text(language, meter_no, *pin);
  crypto::cleanse({reinterpret_cast<uint8_t*>(pin->data()), pin->size()});
  if (!hash.ok()) return hash.status();
  auto message = requested_sms(std::string(msisdn), std::move(body), std::nullopt, now);
  if (!message.ok()) return message.status();
  return PinSms{.hash = *hash, .message = std::move(message).value()};
}

Status check_language(std::string_view language) {
  return store::check_import_field("language", language);
}

// The import file's lines from text in memory (the API's request body).
class TextSource final : public store::ImportSource {
 public:
  TextSource(std::istringstream in, store::SubscriberCsvParser parser) : in_(std::move(in)), parser_(parser) {}
  bool next(store::ImportLine& line) override {
    while (std::getline(in_, text_)) {
      ++line_no_;
      if (text_.empty() || text_ == "\r") continue;
      line = parser_.parse(line_no_, text_);
      return true;
    }
    return false;
  }

 private:
  std::istringstream in_;
  store::SubscriberCsvParser parser_;
  uint64_t line_no_ = 1;
  std::string text_;
};

// RFC 4180 quoting for one field of the line new_connection hands the import parser.
std::string csv_field(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

}  // namespace

int64_t RegistryActions::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.wall_now().time_since_epoch()).count();
}

Status RegistryActions::check_pins() const {
  if (pins_ == nullptr) {
    return Status::failed_precondition("no PIN key configured (ledger.pin_key_secret): changes that make a PIN refuse");
  }
  return Status::ok_status();
}

Result<std::string> RegistryActions::new_connection(const Caller& caller, const RegistryFields& fields,
                                                    std::string_view reason) {
  return connect(caller, fields, std::nullopt, reason);
}

Result<std::string> RegistryActions::two_way_migration(const Caller& caller, const RegistryFields& fields,
                                                       std::string_view one_way_meter_no, std::string_view reason) {
  if (one_way_meter_no.size() != 11 || one_way_meter_no.find_first_not_of("0123456789") != std::string_view::npos) {
    return Status::invalid_argument("one_way_meter: the replaced one-way meter's number, 11 digits");
  }
  return connect(caller, fields, one_way_meter_no, reason);
}

Result<std::string> RegistryActions::connect(const Caller& caller, const RegistryFields& fields,
                                             std::optional<std::string_view> one_way_meter_no, std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_pins());
  // The import's parser checks every field with the import's rules and names each bad one;
  // it is handed one line with a placeholder PIN, replaced by the one-time PIN's hash.
  std::vector<std::string> header, line, missing;
  for (std::string_view column : store::SubscriberCsvParser::column_names()) {
    header.emplace_back(column);
    if (column == "pin") {
      line.emplace_back("000000");
      continue;
    }
    auto it = fields.find(column);
    if (it == fields.end()) {
      missing.emplace_back(column);
    } else {
      line.push_back(csv_field(it->second));
    }
  }
  for (const auto& [name, value] : fields) {
    if (name == "pin" || std::ranges::find(header, name) == header.end()) {
      return Status::invalid_argument(fmt::format("{}: not a field of a new connection", name.substr(0, 32)));
    }
  }
  if (!missing.empty()) return Status::invalid_argument(fmt::format("{}: required", fmt::join(missing, ", ")));
  auto parser = store::SubscriberCsvParser::from_header(fmt::format("{}", fmt::join(header, ",")), *pins_);
  if (!parser.ok()) return parser.status();
  store::ImportLine parsed = parser->parse(2, fmt::format("{}", fmt::join(line, ",")));
  if (!parsed.record) return Status::invalid_argument(parsed.error);
  store::SubscriberRecord record = std::move(*parsed.record);
  const int64_t now = now_ms();
  auto sms = make_pin_sms(*pins_, record.subscription.msisdn, record.meter.meter_no, record.subscription.language, now);
  if (!sms.ok()) return sms.status();
  record.subscription.pin_hash = sms->hash;
  store::WriteSet also;
  also.record_message(sms->message);
  const std::string replaces =
      one_way_meter_no ? fmt::format(", replacing one-way meter {}", *one_way_meter_no) : std::string();
  const std::string detail = fmt::format(
      "meter {}{} for customer {} ({}, {} VA), modem {} key {}, first phone {} (one-time PIN by SMS {}); why: {}",
      record.meter.meter_no, replaces, record.customer.idpel, record.customer.tariff, record.customer.power_va,
      record.modem.msisdn, record.modem.key_id, mask_msisdn(record.subscription.msisdn), sms->message.message_id,
      reason);
  const std::string meter_no = record.meter.meter_no;
  store::AuditEntry audit{.at_ms = now, .actor = caller.actor(), .action = "registry.new_connection",
                          .subject = meter_no, .detail = detail};
  store::RegistryChange change = store::NewConnection{std::move(record)};
  if (one_way_meter_no) {
    audit.action = "registry.two_way_migration";
    change = store::TwoWayMigration{.record = std::move(std::get<store::NewConnection>(change).record),
                                    .one_way_meter_no = std::string(*one_way_meter_no)};
  }
  PINTAR_RETURN_IF_ERROR(ledger_.change_registry(std::move(change), std::move(audit), std::move(also)));
  return sms->message.message_id;
}

Status RegistryActions::power_change(const Caller& caller, std::string_view idpel, std::string_view tariff,
                                     std::string_view power_va, std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_idpel(idpel));
  PINTAR_RETURN_IF_ERROR(store::check_import_field("tariff", tariff));
  PINTAR_RETURN_IF_ERROR(store::check_import_field("power_va", power_va));
  const int64_t va = std::stoll(std::string(power_va));  // digits only, checked above
  return ledger_.change_registry(
      store::PowerChange{.idpel = std::string(idpel), .tariff = std::string(tariff), .power_va = va},
      {.at_ms = now_ms(), .actor = caller.actor(), .action = "registry.power_change", .subject = std::string(idpel),
       .detail = fmt::format("to tariff {}, {} VA; why: {}", tariff, va, reason)},
      {});
}

Status RegistryActions::modem_swap(const Caller& caller, std::string_view meter_no, std::string_view modem_msisdn,
                                   std::string_view key_id, std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_meter(meter_no));
  PINTAR_RETURN_IF_ERROR(store::check_import_field("modem_msisdn", modem_msisdn));
  PINTAR_RETURN_IF_ERROR(store::check_import_field("modem_key_id", key_id));
  return ledger_.change_registry(
      store::ModemSwap{.meter_no = std::string(meter_no),
                       .modem = {.msisdn = std::string(modem_msisdn), .key_id = std::string(key_id)}},
      {.at_ms = now_ms(), .actor = caller.actor(), .action = "registry.modem_swap", .subject = std::string(meter_no),
       .detail = fmt::format("to modem {} key {}; why: {}", modem_msisdn, key_id, reason)},
      {});
}

Result<std::string> RegistryActions::add_phone(const Caller& caller, std::string_view meter_no, std::string_view msisdn,
                                               std::string_view language, std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_meter(meter_no));
  PINTAR_RETURN_IF_ERROR(check_msisdn(msisdn));
  PINTAR_RETURN_IF_ERROR(check_language(language));
  PINTAR_RETURN_IF_ERROR(check_pins());
  const int64_t now = now_ms();
  auto sms = make_pin_sms(*pins_, msisdn, meter_no, language, now);
  if (!sms.ok()) return sms.status();
  store::WriteSet also;
  also.record_message(sms->message);
  PINTAR_RETURN_IF_ERROR(ledger_.change_registry(
      store::AddPhone{{.msisdn = std::string(msisdn), .meter_no = std::string(meter_no),
                       .language = std::string(language), .pin_hash = sms->hash}},
      {.at_ms = now, .actor = caller.actor(), .action = "registry.phone_add", .subject = std::string(meter_no),
       .detail = fmt::format("phone {} ({}), one-time PIN by SMS {}; why: {}", mask_msisdn(msisdn), language,
                             sms->message.message_id, reason)},
      std::move(also)));
  return sms->message.message_id;
}

Status RegistryActions::remove_phone(const Caller& caller, std::string_view meter_no, std::string_view msisdn,
                                     std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_meter(meter_no));
  PINTAR_RETURN_IF_ERROR(check_msisdn(msisdn));
  return ledger_.change_registry(
      store::RemovePhone{.msisdn = std::string(msisdn), .meter_no = std::string(meter_no)},
      {.at_ms = now_ms(), .actor = caller.actor(), .action = "registry.phone_remove", .subject = std::string(meter_no),
       .detail = fmt::format("phone {}; why: {}", mask_msisdn(msisdn), reason)},
      {});
}

Result<std::string> RegistryActions::reset_pin(const Caller& caller, std::string_view meter_no, std::string_view msisdn,
                                               std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_meter(meter_no));
  PINTAR_RETURN_IF_ERROR(check_msisdn(msisdn));
  PINTAR_RETURN_IF_ERROR(check_pins());
  auto sub = ledger_.find_subscription(msisdn, meter_no);
  if (!sub.ok()) return sub.status();
  if (!*sub) return Status::not_found(fmt::format("{} is not subscribed to meter {}", mask_msisdn(msisdn), meter_no));
  const int64_t now = now_ms();
  auto sms = make_pin_sms(*pins_, msisdn, meter_no, (*sub)->language, now);
  if (!sms.ok()) return sms.status();
  store::WriteSet w;
  // A removal racing this reset makes the update NotFound: the whole write set fails.
  w.update_subscription({.msisdn = std::string(msisdn), .meter_no = std::string(meter_no), .pin_hash = sms->hash,
                         .failed_pin_attempts = 0, .locked_until_ms = 0});
  w.record_message(sms->message);
  w.append_audit({.at_ms = now, .actor = caller.actor(), .action = "subscription.pin_reset",
                  .subject = std::string(meter_no),
                  .detail = fmt::format("phone {}: one-time PIN by SMS {}{}; why: {}", mask_msisdn(msisdn),
                                        sms->message.message_id, (*sub)->locked_until_ms > now ? ", lock cleared" : "",
                                        reason)});
  PINTAR_RETURN_IF_ERROR(ledger_.write(std::move(w)));
  return sms->message.message_id;
}

Result<store::ImportReport> RegistryActions::import_csv(const Caller& caller, std::string_view csv,
                                                        std::string_view reason) {
  PINTAR_RETURN_IF_ERROR(check_reason(reason));
  PINTAR_RETURN_IF_ERROR(check_pins());
  std::istringstream in{std::string(csv)};
  std::string header;
  if (!std::getline(in, header)) return Status::invalid_argument("file: empty; a header line is required");
  auto parser = store::SubscriberCsvParser::from_header(header, *pins_);
  if (!parser.ok()) return parser.status();
  TextSource source(std::move(in), *parser);
  const std::string digest = hex_encode(crypto::sha256(crypto::as_bytes(csv)));
  return ledger_.import_subscribers(source, {.at_ms = now_ms(), .actor = caller.actor(), .action = "customers.import",
                                             .subject = "sha256:" + digest.substr(0, 16),
                                             .detail = fmt::format("through the API; why: {};", reason)});
}

}  // namespace pintar::helpdesk
