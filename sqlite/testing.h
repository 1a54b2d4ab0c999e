// Test seams of the SQLite layer: for tests only, never for production code.
//
// WriteFaults replaces the write system calls of SQLite's unix VFS (SQLite's own fault
// injection seam, xSetSystemCall) so that a chosen write fails with ENOSPC, as on a full
// disk: SQLite reports SQLITE_FULL and may roll the open transaction back by itself.
//
// Threads: the VFS is process-wide. Hold at most one WriteFaults at a time, created and
// destroyed while no other thread opens a connection; fail_after() may be called from any
// thread (an atomic countdown). Destroying it restores every default system call.
#ifndef PINTAR_SQLITE_TESTING_H_
#define PINTAR_SQLITE_TESTING_H_

namespace pintar::sqlite::testing {

class WriteFaults {
 public:
  WriteFaults();  // installs the seam; nothing fails until fail_after()
  WriteFaults(const WriteFaults&) = delete;
  WriteFaults& operator=(const WriteFaults&) = delete;
  ~WriteFaults();

  // The write after `writes` more succeed fails (0: the very next); then writes succeed again.
  // Negative: no write fails.
  static void fail_after(int writes);
  bool installed() const { return installed_; }

 private:
  bool installed_ = false;
};

}  // namespace pintar::sqlite::testing

#endif  // PINTAR_SQLITE_TESTING_H_
