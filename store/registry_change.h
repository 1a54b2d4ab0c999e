// Registry changes: what PLN's regulation lets the helpdesk change in the reference data the
// subscriber import fills (customers, meters, modems, subscriptions), beyond what a WriteSet
// carries. Ledger::change_registry applies one, together with a write set (its audit entry,
// the SMS it sends), in one database transaction: all or nothing.
//
// Errors of change_registry, each leaving the ledger as it was:
//   NotFound         the meter, customer or subscription the change is about does not exist
//   AlreadyExists    a new connection's meter is registered already, its modem is fitted to
//                    another meter, its customer exists with other details; a phone is
//                    subscribed already; a swapped-in modem is fitted to another meter; a
//                    migration's one-way meter was migrated already
//   InvalidArgument  the schema refused a field (store/records.h formats); a migration's
//                    one-way meter number is not 11 digits, or is the new meter's own
//   FailedPrecondition  the change would change nothing (the same tariff and power, the
//                    same modem); a migration's one-way meter is a meter registered here
//                    (every meter here is two-way already)
// A TwoWayMigration has every error of a NewConnection besides its own.
#ifndef PINTAR_STORE_REGISTRY_CHANGE_H_
#define PINTAR_STORE_REGISTRY_CHANGE_H_

#include <cstdint>
#include <string>
#include <variant>

#include "store/records.h"

namespace pintar::store {

// A new connection: a meter, its modem and its first phone; the customer may be new or an
// existing one (then identical to it: a second meter for the same IDPEL).
struct NewConnection {
  SubscriberRecord record;
};

// A migration to two-way: a one-way (keypad-only, prabayar satu arah) meter, which this
// system never knew, replaced by a two-way meter with its modem. For the registry it is a new
// connection that also records (table meter_migrations) which one-way meter it replaces.
struct TwoWayMigration {
  SubscriberRecord record;
  std::string one_way_meter_no;  // 11 digits
};

// A power change (perubahan daya): the customer's tariff class and contracted VA.
struct PowerChange {
  std::string idpel;
  std::string tariff;
  int64_t power_va = 0;
};

// A modem swap: the meter gets another modem (a new MSISDN, a new key id, or both). The old
// modem's row stays (unfitted), so the audit trail and old messages still name it. When only
// the key id changes, the modem row keeps its MSISDN and takes the new key id.
struct ModemSwap {
  std::string meter_no;
  Modem modem;
};

// A phone more for a meter, with its PIN hash.
struct AddPhone {
  Subscription subscription;
};

// A phone no longer allowed to buy for the meter.
struct RemovePhone {
  std::string msisdn;
  std::string meter_no;
};

using RegistryChange = std::variant<NewConnection, TwoWayMigration, PowerChange, ModemSwap, AddPhone, RemovePhone>;

}  // namespace pintar::store

#endif  // PINTAR_STORE_REGISTRY_CHANGE_H_
