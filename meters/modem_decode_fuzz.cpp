// libFuzzer target: whatever arrives as an SMS at the modem number, from a modem, a phone or
// an attacker. The input goes to the decoder; a text that decodes must encode back to the
// very bytes that were signed (one encoding per message), sign() of it must verify, and the
// input itself goes through both verifiers (engine and modem side). Nothing may crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "meters/modem_auth.h"

namespace {

using namespace pintar::meters;

const MemoryKeyring& keyring() {
  static const MemoryKeyring keys = [] {
    MemoryKeyring k;
    std::vector<uint8_t> bytes(32);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
    (void)k.add("M1400001", "14012345678", pintar::Secret(bytes));
    return k;
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Direction from : {Direction::kModemToEngine, Direction::kEngineToModem}) {
    MemoryReplayStore store;
    ReplayGuard guard(store, 64);
    ModemVerifier verifier(keyring(), guard, from);
    const Verification first = verifier.verify(text);
    // A text accepted once is a replay the second time.
    if (first.verdict == Verdict::kAccepted && verifier.verify(text).verdict != Verdict::kReplayed) __builtin_trap();
  }

  auto decoded = decode(text);
  if (!decoded.ok()) return 0;
  auto encoded = encode_unsigned(decoded->message);
  if (!encoded.ok() || *encoded != decoded->signed_text) __builtin_trap();
  (void)describe(decoded->message);

  Message known = decoded->message;
  known.key_id = "M1400001";
  const auto signed_text = sign(known, keyring().find("M1400001")->key);
  if (!signed_text.ok()) return 0;  // a longer key id can push a message past one SMS
  MemoryReplayStore store;
  ReplayGuard guard(store, 0);
  ModemVerifier verifier(keyring(), guard, direction_of(known.body));
  const Verification again = verifier.verify(*signed_text);
  if (again.verdict != Verdict::kAccepted || !(again.message == known)) __builtin_trap();
  return 0;
}
