#include "smpp/reassembly.h"

#include <algorithm>

#include "smpp/text.h"

namespace pintar::smpp {

namespace {

constexpr uint8_t kUdhi = 0x40;
constexpr uint8_t kIeiConcat8 = 0x00;
constexpr uint8_t kIeiConcat16 = 0x08;

uint8_t octet(const std::string& s, size_t i) { return static_cast<uint8_t>(s[i]); }

std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

MoMessage header_of(const DeliverSm& d, const std::string& bind) {
  MoMessage mo;
  mo.bind = bind;
  mo.source_addr = d.source_addr;
  mo.source_addr_ton = d.source_addr_ton;
  mo.source_addr_npi = d.source_addr_npi;
  mo.destination_addr = d.destination_addr;
  mo.dest_addr_ton = d.dest_addr_ton;
  mo.dest_addr_npi = d.dest_addr_npi;
  mo.data_coding = d.data_coding;
  mo.esm_class = d.esm_class;
  return mo;
}

void set_text(MoMessage& mo) { mo.text_utf8 = decode_text(mo.data_coding, bytes(mo.user_data)).value_or(""); }

}  // namespace

MoPart extract_part(const DeliverSm& d) {
  MoPart part;
  const Tlv* payload = d.find(tag::kMessagePayload);
  part.user_data = payload != nullptr ? payload->value : d.short_message;
  if ((d.esm_class & kUdhi) != 0 && !part.user_data.empty()) {
    const size_t udh_length = octet(part.user_data, 0);
    if (udh_length + 1 <= part.user_data.size()) {
      // Walk the information elements (IEI, IEDL, data) for a concatenation element.
      for (size_t i = 1; i + 2 <= udh_length + 1;) {
        const uint8_t iei = octet(part.user_data, i), iedl = octet(part.user_data, i + 1);
        if (i + 2 + iedl > udh_length + 1) break;
        if (iei == kIeiConcat8 && iedl == 3) {
          part.reference = octet(part.user_data, i + 2);
          part.total = octet(part.user_data, i + 3);
          part.sequence = octet(part.user_data, i + 4);
          part.is_part = true;
        } else if (iei == kIeiConcat16 && iedl == 4) {
          part.reference = static_cast<uint16_t>(octet(part.user_data, i + 2) << 8 | octet(part.user_data, i + 3));
          part.total = octet(part.user_data, i + 4);
          part.sequence = octet(part.user_data, i + 5);
          part.is_part = true;
        }
        i += 2 + iedl;
      }
      part.udh = part.user_data.substr(0, udh_length + 1);
      part.user_data.erase(0, udh_length + 1);
    }
  } else if (const Tlv* ref = d.find(tag::kSarMsgRefNum)) {
    const Tlv* total = d.find(tag::kSarTotalSegments);
    const Tlv* seq = d.find(tag::kSarSegmentSeqnum);
    if (total != nullptr && seq != nullptr) {
      part.reference = static_cast<uint16_t>(octet(ref->value, 0) << 8 | octet(ref->value, 1));
      part.total = octet(total->value, 0);
      part.sequence = octet(seq->value, 0);
      part.is_part = true;
    }
  }
  // A "part" 1 of 1, or one with an impossible number, is treated as a whole message.
  if (part.is_part && (part.total <= 1 || part.sequence == 0 || part.sequence > part.total)) part.is_part = false;
  return part;
}

MoMessage Reassembler::finish(Pending& pending, bool incomplete) {
  MoMessage mo = std::move(pending.first);
  mo.user_data.clear();
  for (auto& [sequence, data] : pending.parts) mo.user_data += data;
  mo.parts = static_cast<int>(pending.parts.size());
  mo.incomplete = incomplete;
  set_text(mo);
  return mo;
}

MoMessage single_mo(const DeliverSm& deliver, const std::string& bind) {
  MoPart part = extract_part(deliver);
  MoMessage mo = header_of(deliver, bind);
  mo.user_data = std::move(part.user_data);
  mo.udh = std::move(part.udh);
  if (part.is_part) {
    mo.reference = part.reference;
    mo.total = part.total;
    mo.sequence = part.sequence;
  }
  set_text(mo);
  return mo;
}

std::optional<MoMessage> Reassembler::add(const DeliverSm& deliver, const std::string& bind, Clock::SteadyTime now) {
  MoPart part = extract_part(deliver);
  if (!part.is_part) return single_mo(deliver, bind);
  const Key key{deliver.source_addr, deliver.destination_addr, part.reference, part.total};
  auto [it, inserted] = pending_.try_emplace(key);
  if (inserted) {
    it->second.first = header_of(deliver, bind);
    it->second.deadline = now + timeout_;
  }
  it->second.parts[part.sequence] = std::move(part.user_data);
  if (it->second.parts.size() < part.total) return std::nullopt;
  MoMessage mo = finish(it->second, false);
  pending_.erase(it);
  return mo;
}

std::vector<MoMessage> Reassembler::expire(Clock::SteadyTime now) {
  std::vector<MoMessage> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    out.push_back(finish(it->second, true));
    it = pending_.erase(it);
  }
  return out;
}

std::optional<Clock::SteadyTime> Reassembler::next_deadline() const {
  std::optional<Clock::SteadyTime> next;
  for (const auto& [key, pending] : pending_) {
    if (!next || pending.deadline < *next) next = pending.deadline;
  }
  return next;
}

}  // namespace pintar::smpp
