// ReportFile: one CSV report file, written atomically and never over an existing one.
//
// The convention every report of this folder follows (docs/pln-daily.md, docs/sms-charging.md):
// RFC 4180 lines ending in "\n" (a field holding a comma, a double quote, CR or LF is quoted,
// quotes doubled), then one trailer line
//     trailer,<data rows>,<SHA-256 of the body, 64 lower-case hex digits>
// where the body is every byte before the trailer line (header rows included) and data rows
// counts the rows added with row(), not header().
//
// Atomicity: create() makes a temporary file (".<name>.XXXXXX", mode 0640) in the target
// directory, creating the directory (0750) when missing. commit() writes the trailer,
// fsyncs the file, renames it to its name with RENAME_NOREPLACE and fsyncs the directory:
// a reader sees no file or the whole file, and a crash leaves at most a dot-file temporary.
// A file of that name already there is AlreadyExists and stays as it was (a report is
// written once; to regenerate one an operator moves the old file aside). Destroying a
// ReportFile that was not committed (an error on the way) removes the temporary file.
//
// Errors: IoError naming the path and errno's text; AlreadyExists as above.
// Threads: one thread at a time.
#ifndef PINTAR_REPORT_REPORT_FILE_H_
#define PINTAR_REPORT_REPORT_FILE_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace pintar::report {

// `field` as one RFC 4180 field (quoted only when it must be).
std::string csv_field(std::string_view field);

class ReportFile {
 public:
  // AlreadyExists at once when `dir`/`name` exists (commit() checks again, atomically).
  static Result<std::unique_ptr<ReportFile>> create(const std::string& dir, const std::string& name);
  ~ReportFile();
  ReportFile(const ReportFile&) = delete;
  ReportFile& operator=(const ReportFile&) = delete;

  // A header row (not counted) and a data row (counted); fields are escaped here.
  Status header(std::initializer_list<std::string_view> fields);
  Status row(std::initializer_list<std::string_view> fields);
  // Writes the trailer and puts the file in place; the path is then path().
  Status commit();

  const std::string& path() const { return path_; }
  int64_t rows() const { return rows_; }

 private:
  ReportFile() = default;
  Status line(std::initializer_list<std::string_view> fields);
  Status flush();

  std::string dir_;
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
  int64_t rows_ = 0;
  std::string buffer_;
  struct Hash;
  std::unique_ptr<Hash> hash_;
};

}  // namespace pintar::report

#endif  // PINTAR_REPORT_REPORT_FILE_H_
