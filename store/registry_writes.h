// Registry changes as a writer job (private to store/): see Ledger::change_registry and
// store/registry_change.h. The job runs alone in one transaction on the writer's thread
// (Writer::run_in_transaction), so its reads of the current rows and its writes are atomic
// against every other writer.
#ifndef PINTAR_STORE_REGISTRY_WRITES_H_
#define PINTAR_STORE_REGISTRY_WRITES_H_

#include "store/ledger.h"
#include "store/registry_change.h"
#include "store/writer.h"

namespace pintar::store {

// A job applying `change`, then returning `also` with `audit` appended, to be written in the
// same transaction. What the change replaced ("tariff R1, 900 VA") is appended to the
// audit's detail as "; before: ...".
Writer::Job make_registry_job(RegistryChange change, AuditEntry audit, WriteSet also);

}  // namespace pintar::store

#endif  // PINTAR_STORE_REGISTRY_WRITES_H_
