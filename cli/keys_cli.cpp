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

#include "common/exit_codes.h"
#include "bridge/curve.h"

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
}

}  // namespace pintar::cli
