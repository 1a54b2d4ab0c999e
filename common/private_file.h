// Files that hold secrets or customers' data in flight (the ledger, the gateway queue, keys)
// are created 0600 whatever the process umask: outside systemd (no UMask=) it may be 022.
//
// Errors: kIoError naming the path and errno's text. Thread-safe (plain system calls).
#ifndef PINTAR_COMMON_PRIVATE_FILE_H_
#define PINTAR_COMMON_PRIVATE_FILE_H_

#include <string>

#include "common/status.h"

namespace pintar {

// Creates `path` empty with mode 0600 when it does not exist; an existing file keeps its
// contents and the mode an operator chose (e.g. 0640 for a backup group). For SQLite files:
// SQLite then gives -wal and -shm the database file's mode. ":memory:" and "" are left alone.
// An existing file is not opened at all, so the POSIX locks this process holds on it (an open
// SQLite connection's) survive the call.
Status create_private_file(const std::string& path);

}  // namespace pintar

#endif  // PINTAR_COMMON_PRIVATE_FILE_H_
