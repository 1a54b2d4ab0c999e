// Long MO reassembly. A deliver_sm is a part when its UDH (esm_class UDHI 0x40) holds a
// concatenation element (IEI 0x00 8-bit or 0x08 16-bit reference, TS 23.040 §9.2.3.24.1/.8)
// or when it carries sar_msg_ref_num/sar_total_segments/sar_segment_seqnum (§5.3.2.22-24).
// A message_payload TLV, when present, replaces short_message (§5.3.2.32).
//
// Parts are keyed by (source, destination, reference, total) and joined in sequence order
// when the last one arrives; a repeated part replaces the earlier copy (SMSC retries). When
// the reassembly timeout passes first, the parts that did arrive are delivered joined and
// marked incomplete: a customer's request is better answered ("send the whole token request
// again") than silently dropped, and the count shows up in smpp.mo_incomplete.
// Not thread-safe; one per session thread.
#ifndef PINTAR_SMPP_REASSEMBLY_H_
#define PINTAR_SMPP_REASSEMBLY_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "smpp/deliver.h"
#include "smpp/message.h"

namespace pintar::smpp {

// User data of one deliver_sm with its concatenation data, if any.
struct MoPart {
  bool is_part = false;
  uint16_t reference = 0;
  uint8_t total = 1;
  uint8_t sequence = 1;
  std::string user_data;  // without UDH
  std::string udh;        // the UDH with its length octet, "" when none
};
MoPart extract_part(const DeliverSm& deliver);
// One deliver_sm as an MoMessage of its own: whole, or a part with its numbers set.
MoMessage single_mo(const DeliverSm& deliver, const std::string& bind);

class Reassembler {
 public:
  explicit Reassembler(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  // The complete MO when `deliver` is a whole message or completes one; nullopt while parts
  // are missing.
  std::optional<MoMessage> add(const DeliverSm& deliver, const std::string& bind, Clock::SteadyTime now);
  // Messages whose timeout passed, marked incomplete.
  std::vector<MoMessage> expire(Clock::SteadyTime now);
  // When expire() next has something to do.
  std::optional<Clock::SteadyTime> next_deadline() const;
  size_t pending() const { return pending_.size(); }

 private:
  using Key = std::tuple<std::string, std::string, uint16_t, uint8_t>;
  struct Pending {
    MoMessage first;                       // addressing of the first part seen
    std::map<uint8_t, std::string> parts;  // sequence -> user data
    Clock::SteadyTime deadline;
  };
  static MoMessage finish(Pending& pending, bool incomplete);

  std::chrono::milliseconds timeout_;
  std::map<Key, Pending> pending_;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_REASSEMBLY_H_
