#include "cli/keys_cli.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/exit_codes.h"
#include "bridge/curve.h"
#include "common/hex.h"
#include "vending/engine/engine_keys.h"

namespace pintar::cli {
namespace {

// Writes `text` to a new file with `mode`; refuses to replace an existing file (a key pair
// in use must not be overwritten by a slip of the hand).
Status write_new_file(const std::string& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::io_error(fmt::format("{}: {}", path, std::strerror(errno)));
  // open() applies the umask; the mode must be exactly what was asked.
  Status status = ::fchmod(fd, mode) == 0 ? Status() : Status::io_error(fmt::format("{}: {}", path, std::strerror(errno)));
  if (status.ok() && ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    status = Status::io_error(fmt::format("{}: short write", path));
  }
  if (status.ok() && ::fsync(fd) != 0) status = Status::io_error(fmt::format("{}: {}", path, std::strerror(errno)));
  ::close(fd);
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

int make_zmq_keys(const std::string& dir, const std::string& name) {
  auto pair = bridge::generate_curve_keypair();
  if (!pair.ok()) {
    fmt::print(stderr, "pintar: keys zmq: {}\n", pair.status());
    return exit_code::kSoftware;
  }
  // The secret as Z85 text (what curve_secret_key() reads back); it never reaches stdout
  // or a log.
  const Secret secret = bridge::z85_secret(pair->secret_key);
  std::string secret_z85(secret.bytes().begin(), secret.bytes().end());
  const std::string public_z85 = bridge::z85(pair->public_key);
  const std::string secret_path = fmt::format("{}/{}.key", dir, name);
  const std::string public_path = fmt::format("{}/{}.pub", dir, name);
  for (const auto& [path, text, mode] : {std::tuple{secret_path, secret_z85 + "\n", mode_t{0600}},
                                         std::tuple{public_path, public_z85 + "\n", mode_t{0644}}}) {
    if (Status s = write_new_file(path, text, mode); !s.ok()) {
      fmt::print(stderr, "pintar: keys zmq: {}\n", s.message());
      if (path == public_path) ::unlink(secret_path.c_str());
      return exit_code::kIoError;
    }
  }
  std::fill(secret_z85.begin(), secret_z85.end(), '\0');
  fmt::print("{}\n", public_z85);
  fmt::print(stderr, "secret key: {} (0600; point gateway.zmq_curve_secret or the engine's key at it)\n",
             secret_path);
  fmt::print(stderr, "public key: {} (the line above; pin it in gateway.zmq_engine_keys or the engine's config)\n",
             public_path);
  return exit_code::kOk;
}

// Appends a fresh random modem key to the keyring file (vending/engine/engine_keys.h),
// creating it 0600. An existing file must load (mode, syntax) and not have the key id yet.
int make_modem_key(const std::string& keyring, const std::string& key_id, const std::string& meter) {
  std::vector<uint8_t> key(32);
  if (Status s = crypto::random_bytes(key); !s.ok()) {
    fmt::print(stderr, "pintar: keys modem: {}\n", s);
    return exit_code::kSoftware;
  }
  std::string line = fmt::format("{} {} {}\n", key_id, meter, hex_encode(key));
  crypto::cleanse(key);
  auto wipe = [&line] { crypto::cleanse({reinterpret_cast<uint8_t*>(line.data()), line.size()}); };
  // The line must be one the keyring takes (key id and meter syntax), checked on a scratch ring.
  meters::MemoryKeyring probe;
  if (Status s = probe.add(key_id, meter, Secret(std::vector<uint8_t>(32, 1))); !s.ok() || meter.size() != 11 ||
      meter.find_first_not_of("0123456789") != std::string::npos) {
    wipe();
    fmt::print(stderr, "pintar: keys modem: {}\n", s.ok() ? std::string("--meter takes the 11-digit meter number") : s.message());
    return exit_code::kUsage;
  }
  Status written;
  if (::access(keyring.c_str(), F_OK) != 0) {
    written = write_new_file(keyring, line, 0600);
  } else {
    auto existing = engine::load_modem_keyring(keyring);
    if (!existing.ok()) {
      wipe();
      fmt::print(stderr, "pintar: keys modem: {}\n", existing.status().message());
      return exit_code::kDataError;
    }
    if ((*existing)->find(key_id).ok()) {
      wipe();
      fmt::print(stderr, "pintar: keys modem: {} already has key id {} (a key id names one key for ever)\n", keyring,
                 key_id);
      return exit_code::kDataError;
    }
    const int fd = ::open(keyring.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    written = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0
                  ? Status()
                  : Status::io_error(fmt::format("{}: {}", keyring, std::strerror(errno)));
    if (fd >= 0) ::close(fd);
  }
  wipe();
  if (!written.ok()) {
    fmt::print(stderr, "pintar: keys modem: {}\n", written.message());
    return exit_code::kIoError;
  }
  fmt::print(stderr, "modem key {} for meter {}: appended to {} (provision the modem from that line)\n", key_id, meter,
             keyring);
  return exit_code::kOk;
}

// Wraps a vending key (given through a secret spec, never on the command line) under the KEK
// into a new 0600 file that load_vending_key() reads, and checks that it does.
int wrap_vending_key_file(const std::string& vk_spec, const std::string& kek_spec, const std::string& out) {
  auto vk = Secret::load(vk_spec);
  auto kek = Secret::load(kek_spec);
  if (!vk.ok() || !kek.ok()) {
    fmt::print(stderr, "pintar: keys vending: {}\n", (!vk.ok() ? vk.status() : kek.status()).message());
    return exit_code::kDataError;
  }
  auto wrapped = engine::wrap_vending_key(*kek, vk->bytes());
  if (!wrapped.ok()) {
    fmt::print(stderr, "pintar: keys vending: {}\n", wrapped.status().message());
    return exit_code::kDataError;
  }
  if (Status s = write_new_file(out, std::string(wrapped->begin(), wrapped->end()), 0600); !s.ok()) {
    fmt::print(stderr, "pintar: keys vending: {}\n", s.message());
    return exit_code::kIoError;
  }
  auto back = engine::load_vending_key("file:" + out, kek_spec);
  if (!back.ok()) {
    fmt::print(stderr, "pintar: keys vending: {}\n", back.status().message());
    return exit_code::kSoftware;
  }
  fmt::print("{} DKGA{}\n", out, back->derivation() == sts::KeyDerivation::kDkga02 ? "02" : "04");
  return exit_code::kOk;
}

}  // namespace

void add_keys_commands(CLI::App& app) {
  CLI::App* keys = app.add_subcommand("keys", "Make key pairs");
  keys->require_subcommand(1);
  CLI::App* zmq = keys->add_subcommand(
      "zmq", "Make a CURVE key pair for the gateway <-> engine link: DIR/NAME.key (secret, 0600) and DIR/NAME.pub; "
             "prints the public key");
  auto dir = std::make_shared<std::string>(".");
  auto name = std::make_shared<std::string>();
  zmq->add_option("--out", *dir, "Directory to write the two files in")->check(CLI::ExistingDirectory);
  zmq->add_option("--name", *name, "File name stem, e.g. gateway or engine-1")->required();
  zmq->callback([dir, name] {
    if (name->empty() || name->find('/') != std::string::npos) {
      throw CLI::ValidationError("--name", "a file name stem without '/'");
    }
    const int code = make_zmq_keys(*dir, *name);
    if (code != exit_code::kOk) throw CLI::RuntimeError("", code);
  });

  CLI::App* modem = keys->add_subcommand(
      "modem", "Make a random 32-byte modem key and append it to the engine's modem keyring file (created 0600)");
  auto keyring = std::make_shared<std::string>();
  auto key_id = std::make_shared<std::string>();
  auto meter = std::make_shared<std::string>();
  modem->add_option("--keyring", *keyring, "The keyring file (lines: key id, meter number, key hex)")->required();
  modem->add_option("--key-id", *key_id, "The key id K: 1..16 of A-Z 0-9, never used before")->required();
  modem->add_option("--meter", *meter, "The 11-digit meter number the key belongs to")->required();
  modem->callback([keyring, key_id, meter] {
    const int code = make_modem_key(*keyring, *key_id, *meter);
    if (code != exit_code::kOk) throw CLI::RuntimeError("", code);
  });

  CLI::App* vending = keys->add_subcommand(
      "vending", "Wrap an STS vending key under the key-encryption key into a new 0600 file; prints the file and DKGA");
  auto vk = std::make_shared<std::string>();
  auto kek = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  vending->add_option("--vk", *vk, "The vending key: hexfile:PATH, file:PATH or credential:NAME (8 or 20 bytes)")
      ->required();
  vending->add_option("--kek", *kek, "The key-encryption key: credential:NAME, env:NAME, hexfile:PATH (32 bytes)")
      ->required();
  vending->add_option("--out", *out, "The wrapped key file to create")->required();
  vending->callback([vk, kek, out] {
    const int code = wrap_vending_key_file(*vk, *kek, *out);
    if (code != exit_code::kOk) throw CLI::RuntimeError("", code);
  });
}

}  // namespace pintar::cli
