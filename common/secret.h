// Secret: key material (PIN key, vending keys, API keys, the key-encryption key).
//
// A Secret cannot be printed: formatting it yields "<secret: N bytes>", so it cannot leak
// into a log line by accident. Its bytes are wiped when it is destroyed. Comparison is in
// constant time. Not synchronised; share it const between threads.
#ifndef PINTAR_COMMON_SECRET_H_
#define PINTAR_COMMON_SECRET_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "common/status.h"

namespace pintar {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret();

  // Loads key material from where a deployment keeps it. The spec is one of:
  //   "file:/path"        raw bytes of the file, every byte kept
  //   "hexfile:/path"     hex text in the file (trailing CR/LF ignored)
  //   "credential:NAME"   systemd LoadCredential: $CREDENTIALS_DIRECTORY/NAME (raw bytes)
  //   "env:NAME"          hex text in an environment variable
  //   "hex:0011..."       inline hex (tests and the demo only)
  // Raw bytes are kept exactly: a random key ends in 0x0a or 0x0d about once in 128.
  // Errors name the spec's kind and location, never its content.
  static Result<Secret> load(std::string_view spec);

  // Loads a text secret (a password someone typed into a file): as load(), but for
  // file: and credential: the trailing CR/LF an editor or `echo` adds is dropped.
  static Result<Secret> load_text(std::string_view spec);

  std::span<const uint8_t> bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }

  // Constant-time equality.
  bool operator==(const Secret& other) const;

 private:
  std::vector<uint8_t> bytes_;
};

}  // namespace pintar

template <>
struct fmt::formatter<pintar::Secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const pintar::Secret& secret, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "<secret: {} bytes>", secret.size());
  }
};

#endif  // PINTAR_COMMON_SECRET_H_
