// Registry actions: the lifecycle changes PLN's regulation gives the helpdesk (admin role),
// each applied by store::Ledger::change_registry (or a plain write set) together with its
// audit entry (who: the key's name; what; when; why: the reason, required) in one
// transaction, all or nothing.
//
//   new_connection  a meter, its modem and a first phone (customer new, or identical)
//   two_way_migration  a new connection whose two-way meter replaces a one-way (keypad-only)
//                   meter this system never knew; the ledger keeps which (meter_migrations)
//   power_change    a customer's tariff class and contracted VA
//   modem_swap      the meter's modem: a new MSISDN, a new key id, or both
//   add_phone       another phone allowed to buy for the meter
//   remove_phone    a phone no longer allowed
//   reset_pin       a new PIN for a (phone, meter); clears a lockout
//   import_csv      the subscriber import file (store/README.md, "Import file"), all or nothing
//
// PINs: a phone added by new_connection / two_way_migration / add_phone and a PIN reset get a one-time PIN made
// here from the system's random source, stored only as its store::PinHasher hash, and sent to
// that phone as an SMS: recorded as an outgoing message in delivery state "requested", which
// the vending engine sends (as it does the helpdesk's resends, helpdesk/actions.h). The SMS
// text is the only place the PIN appears; it is never returned, logged or audited. An import
// file carries its own PINs (the file is the customer's paper form), hashed by the parser.
//
// Errors: InvalidArgument (a field, naming it; the reason), NotFound, AlreadyExists
// (clashes, see store/registry_change.h), FailedPrecondition (a change that changes nothing;
// a migration's one-way meter is registered here, hence two-way already; no PIN key
// configured for a change that makes a PIN), the ledger's error otherwise.
// Thread-safe; the ledger, clock and PIN hasher must outlive it.
#ifndef PINTAR_HELPDESK_REGISTRY_ACTIONS_H_
#define PINTAR_HELPDESK_REGISTRY_ACTIONS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "helpdesk/access.h"
#include "store/ledger.h"
#include "store/pin.h"

namespace pintar::helpdesk {

// The fields of a new connection: the import file's columns but "pin" (a one-time PIN is
// made), each as text: idpel, name, tariff, power_va, region, meter_no, sgc, ti, krn, kt, ea,
// dkga, base_date, kdpm, modem_msisdn, modem_key_id, msisdn, language.
using RegistryFields = std::map<std::string, std::string, std::less<>>;

class RegistryActions {
 public:
  // `pins` null: no PIN key configured (the changes that make a PIN then refuse).
  RegistryActions(store::Ledger& ledger, Clock& clock, const store::PinHasher* pins)
      : ledger_(ledger), clock_(clock), pins_(pins) {}

  // Each returning a string returns the id of the SMS carrying the one-time PIN.
  Result<std::string> new_connection(const Caller& caller, const RegistryFields& fields, std::string_view reason);
  // new_connection's fields and checks, and the one-way meter (11 digits) it replaces;
  // audited as registry.two_way_migration, naming that meter.
  Result<std::string> two_way_migration(const Caller& caller, const RegistryFields& fields,
                                        std::string_view one_way_meter_no, std::string_view reason);
  Status power_change(const Caller& caller, std::string_view idpel, std::string_view tariff, std::string_view power_va,
                      std::string_view reason);
  Status modem_swap(const Caller& caller, std::string_view meter_no, std::string_view modem_msisdn,
                    std::string_view key_id, std::string_view reason);
  Result<std::string> add_phone(const Caller& caller, std::string_view meter_no, std::string_view msisdn,
                                std::string_view language, std::string_view reason);
  Status remove_phone(const Caller& caller, std::string_view meter_no, std::string_view msisdn,
                      std::string_view reason);
  Result<std::string> reset_pin(const Caller& caller, std::string_view meter_no, std::string_view msisdn,
                                std::string_view reason);
  // The report lists every bad line; when it has any, nothing was imported.
  Result<store::ImportReport> import_csv(const Caller& caller, std::string_view csv, std::string_view reason);

 private:
  // new_connection, or two_way_migration when `one_way_meter_no` is set.
  Result<std::string> connect(const Caller& caller, const RegistryFields& fields,
                              std::optional<std::string_view> one_way_meter_no, std::string_view reason);
  int64_t now_ms() const;
  Status check_pins() const;

  store::Ledger& ledger_;
  Clock& clock_;
  const store::PinHasher* pins_;
};

}  // namespace pintar::helpdesk

#endif  // PINTAR_HELPDESK_REGISTRY_ACTIONS_H_
