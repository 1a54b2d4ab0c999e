#include "vending/engine/modem_link.h"

#include <array>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/log.h"

namespace pintar::engine {
namespace {

using Verdict = ModemInbound::Verdict;

constexpr std::array<std::string_view, 6> kInboundVerdictNames = {"ok",     "unknown_modem", "malformed",
                                                                  "forged", "replayed",      "store_error"};

Verdict inbound_of(meters::Verdict verdict) {
  switch (verdict) {
    case meters::Verdict::kAccepted: return Verdict::kOk;
    case meters::Verdict::kMalformed: return Verdict::kMalformed;
    case meters::Verdict::kUnknownModem: return Verdict::kUnknownModem;
    case meters::Verdict::kForged: return Verdict::kForged;
    case meters::Verdict::kReplayed: return Verdict::kReplayed;
    case meters::Verdict::kUnavailable:
    case meters::Verdict::kVerdictCount: break;
  }
  return Verdict::kStoreError;
}

}  // namespace

std::string_view inbound_verdict_name(ModemInbound::Verdict verdict) {
  const auto index = static_cast<size_t>(verdict);
  return index < kInboundVerdictNames.size() ? kInboundVerdictNames[index] : "?";
}

ModemLink::ModemLink(store::Ledger& ledger, const meters::ModemKeyring& keys, uint32_t replay_window)
    : ledger_(ledger),
      keys_(keys),
      replay_store_(ledger, kCounterIn),
      guard_(replay_store_, replay_window),
      verifier_(keys, guard_, meters::Direction::kModemToEngine) {}

Result<std::string> ModemLink::token_delivery(const store::SubscriberView& subscriber, uint32_t seq,
                                              const IssuedTokens& tokens) {
  meters::TokenDelivery delivery{.seq = seq, .tokens = tokens.key_change_tokens};
  delivery.tokens.push_back(tokens.credit_token);
  if (delivery.tokens.size() > meters::kMaxTokensPerDelivery) {
    counters_.add(kModemSignFailures);
    return Status::invalid_argument(fmt::format("{} tokens do not fit one TOK (at most {}): the customer keys them in",
                                                delivery.tokens.size(), meters::kMaxTokensPerDelivery));
  }
  return sign_command(subscriber, std::move(delivery));
}

Result<std::string> ModemLink::sign_command(const store::SubscriberView& subscriber, meters::Body command) {
  auto fail = [this](Status status) {
    counters_.add(kModemSignFailures);
    return status;
  };
  if (meters::direction_of(command) != meters::Direction::kEngineToModem) {
    return fail(Status::invalid_argument(fmt::format("{} is not a command to a modem", meters::type_name(command))));
  }
  const std::string& key_id = subscriber.modem.key_id;
  auto key = keys_.find(key_id);
  if (!key.ok()) return fail(key.status().with_context(fmt::format("meter {}", subscriber.meter.meter_no)));
  if (key->modem_id != subscriber.meter.meter_no) {
    return fail(Status::failed_precondition(fmt::format("modem key {} belongs to meter {}, not to meter {}", key_id,
                                                        key->modem_id, subscriber.meter.meter_no)));
  }
  meters::Message message{.key_id = key_id, .counter = 1, .body = std::move(command)};
  // Check the command before a counter is spent on it.
  if (auto probe = meters::encode_unsigned(message); !probe.ok()) return fail(probe.status());

  uint32_t counter = 0;
  const Status taken = ledger_.update_counter_window(
      key_id, kCounterOut, [&counter](const store::CounterWindow& used) -> std::optional<store::CounterWindow> {
        if (used.highest == std::numeric_limits<uint32_t>::max()) return std::nullopt;
        counter = used.highest + 1;
        return store::CounterWindow{.highest = counter, .seen = 0};
      });
  if (!taken.ok()) return fail(taken.with_context(fmt::format("send counter of modem key {}", key_id)));
  if (counter == 0) {
    return fail(Status::resource_exhausted(fmt::format("modem key {} has used its last counter: it needs a new key", key_id)));
  }
  message.counter = counter;
  auto text = meters::sign(message, key->key);
  if (!text.ok()) return fail(text.status());
  counters_.add(kModemCommandsSigned);
  return text;
}

ModemInbound ModemLink::receive(std::string_view from_msisdn, std::string_view text) {
  ModemInbound inbound;
  auto sender = ledger_.find_subscriber_by_modem(from_msisdn);
  if (!sender.ok()) {
    inbound.verdict = Verdict::kStoreError;
    inbound.detail = fmt::format("from {}: the registry cannot answer: {}", log::mask_msisdn(from_msisdn),
                                 sender.status().to_string());
    return inbound;
  }
  if (!sender->has_value()) {
    counters_.add(kModemUnknownSender);
    inbound.verdict = Verdict::kUnknownModem;
    inbound.detail = fmt::format("from {}: not a modem of the registry", log::mask_msisdn(from_msisdn));
    return inbound;
  }
  meters::Verification verification = verifier_.verify(text);
  inbound.verdict = inbound_of(verification.verdict);
  inbound.detail = fmt::format("from {}: {}", log::mask_msisdn(from_msisdn), verification.detail);
  inbound.message = std::move(verification.message);
  const store::SubscriberView& by_sender = **sender;
  // Before the MAC is checked (malformed, unknown key id) the sender number is all there is;
  // from then on the key says which meter it is.
  if (verification.modem_id.empty() || verification.modem_id == by_sender.meter.meter_no) {
    inbound.subscriber = std::move(**sender);
    return inbound;
  }
  if (inbound.verdict == Verdict::kOk) counters_.add(kModemSenderMismatch);
  inbound.detail += fmt::format("; signed with the key of meter {}, not of the sender's meter {}",
                                verification.modem_id, by_sender.meter.meter_no);
  auto owners = ledger_.find_subscribers(verification.modem_id);
  if (!owners.ok()) {
    if (inbound.verdict == Verdict::kOk) {
      // The counter is recorded, so this message is lost; the modem repeats it with a new one.
      inbound.verdict = Verdict::kStoreError;
      inbound.message.reset();
    }
    inbound.detail += fmt::format("; the registry cannot answer: {}", owners.status().to_string());
    return inbound;
  }
  for (store::SubscriberView& owner : *owners) {
    if (owner.meter.meter_no == verification.modem_id) {
      inbound.subscriber = std::move(owner);
      return inbound;
    }
  }
  if (inbound.verdict == Verdict::kOk) {
    // A key for a meter the registry does not have: never act for a meter we cannot name.
    inbound.verdict = Verdict::kUnknownModem;
    inbound.message.reset();
  }
  inbound.detail += "; that meter is not in the registry";
  return inbound;
}

bool ModemLink::is_modem(std::string_view msisdn) {
  auto found = ledger_.find_subscriber_by_modem(msisdn);
  if (!found.ok()) {
    spdlog::warn("modem lookup of {}: {}", log::mask_msisdn(msisdn), found.status().to_string());
    return false;
  }
  return found->has_value();
}

}  // namespace pintar::engine
