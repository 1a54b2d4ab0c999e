// TokenMaker: the tokens of one sale (issue 10, "Token source"; docs/sts.md).
//
// Two sources, chosen by vending.token_source:
//   local   our STS engine (vending/sts). The meter's decoder key is derived from the one
//           vending key and the meter's registry record (SGC, TI, KRN, KT, EA, DKGA, base
//           date); the TID follows sts::TidAllocator (max(TID of now, last + 1)) and is made
//           durable with Ledger issue_tid BEFORE the token is returned. issue_tid refuses a
//           TID that is not above every TID stored for the meter, so a race with another
//           thread or process is retried with a fresh read: no TID is ever issued twice or
//           backwards. The STS amount is energy_deci_kwh rounded up (sts::encode_amount).
//   p2apst  the 20 digits PLN returned, unchanged.
//
// Meters registered on base date 1993 past its last minute (2024-11-24 20:15 UTC): the first
// sale after the rollover gets the key change set (2 tokens for EA07, 4 for EA11) before the
// credit token, moving the meter to base date 2014 and KRN + 1 (KRN 9 -> 1) with RO = 1; the
// credit token is made with the new key. Whether a meter has moved is kept in the ledger's TID
// record itself: for a meter registered on 1993 the stored TID is counted in minutes since
// 1993 and simply goes on past 0xFFFFFF ("extended TID"); the token carries that minus the
// minutes from 1993 to 2014. A stored TID above 0xFFFFFF therefore means "key change issued"
// and TIDs stay strictly increasing across the rollover. IssuedTokens::tid is the 24-bit TID
// the token carries. (A registry update of the meter's base date and KRN after the meter's
// acknowledgement is the meter-management issue's; until then the registry keeps 1993. A
// meter then registered on 2014 whose stored TIDs are above 0xFFFFFF goes on on the 1993 scale.)
//
// EA07 needs STA tables: TokenMakerOptions::tables, by default the IEC sample tables, which
// are only for tests and the demo (each token made with them is logged with
// sts::kSampleTablesWarning, once per TokenMaker).
//
// Errors: InvalidArgument for a bad amount or P2APST token, FailedPrecondition when the meter's
// record does not fit the vending key (DKGA, EA, parameters) or no vending key was given,
// ResourceExhausted past the last TID of base date 2014/2035, the ledger's error otherwise
// (nothing issued). Keys never appear in an error or a log line; tokens only masked.
// Thread-safe.
#ifndef PINTAR_VENDING_ENGINE_TOKEN_MAKER_H_
#define PINTAR_VENDING_ENGINE_TOKEN_MAKER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/ledger.h"
#include "vending/sts/decoder_key.h"
#include "vending/sts/sta.h"

namespace pintar::engine {

// The tokens of one sale, in the order the meter must take them.
struct IssuedTokens {
  std::vector<std::string> key_change_tokens;  // 20 digits each; entered before the credit token
  std::string credit_token;                    // 20 digits
  std::optional<int64_t> tid;                  // the credit token's STS TID (local source)
};

enum class TokenSource : uint8_t { kLocal, kP2apst };  // vending.token_source "local" | "p2apst"

// "local" | "p2apst"; InvalidArgument otherwise.
Result<TokenSource> parse_token_source(std::string_view text);

// Makes the tokens of a sale. See the file comment. Thread-safe.
class TokenMaker {
 public:
  virtual ~TokenMaker() = default;
  virtual Result<IssuedTokens> make(const store::SubscriberView& subscriber, int64_t energy_deci_kwh,
                                    std::string_view txn_id, std::optional<std::string_view> p2apst_token) = 0;
};

struct TokenMakerOptions {
  // EA07 substitution/permutation tables; null: the IEC sample tables (tests, demo).
  std::shared_ptr<const sts::StaTables> tables;
  // issue_tid races lost in a row before make() gives up with Unavailable.
  int max_tid_attempts = 64;
};

// `ledger`, `clock` must outlive the maker. `vending_key` is needed for kLocal only (without
// it, make() fails with FailedPrecondition).
std::unique_ptr<TokenMaker> make_token_maker(TokenSource source, store::Ledger& ledger,
                                             std::optional<sts::VendingKey> vending_key, Clock& clock);
std::unique_ptr<TokenMaker> make_token_maker(TokenSource source, store::Ledger& ledger,
                                             std::optional<sts::VendingKey> vending_key, Clock& clock,
                                             TokenMakerOptions options);

// The pieces of the local source, for tests and diagnosis. ----------------------------------

// The meter's 18-digit STS PAN: IIN 600727 (electricity), the 11-digit meter number (DRN),
// and the Luhn check digit over those 17 (IEC 62055-41 clause 6.1.2).
std::string meter_pan(std::string_view meter_no);

// The STS key parameters of a meter's registry record (before any rollover key change).
// FailedPrecondition naming the field that does not fit (e.g. DKGA 2 with EA 11).
Result<sts::KeyParameters> key_parameters_of(const store::Meter& meter);

// The first extended TID past base date 1993 (0xFFFFFF + 1), and the offset from an extended
// TID of a rolled-over meter to the TID its tokens carry (minutes from 1993 to 2014).
inline constexpr int64_t kFirstTidAfter1993 = 0x1000000;
int64_t minutes_1993_to_2014();

}  // namespace pintar::engine

#endif  // PINTAR_VENDING_ENGINE_TOKEN_MAKER_H_
