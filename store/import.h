// The subscriber import as a writer job (private to store/): see Ledger::import_subscribers.
#ifndef PINTAR_STORE_IMPORT_H_
#define PINTAR_STORE_IMPORT_H_

#include "store/ledger.h"
#include "store/writer.h"

namespace pintar::store {

// A job that inserts every record of `source`, filling `report`. It fails with
// InvalidArgument when any line is bad (so the writer rolls everything back), and returns
// `audit` (with the counts appended to its detail) to be written with the records otherwise.
// `source` and `report` must outlive the job.
Writer::Job make_import_job(ImportSource& source, AuditEntry audit, ImportReport& report);

}  // namespace pintar::store

#endif  // PINTAR_STORE_IMPORT_H_
