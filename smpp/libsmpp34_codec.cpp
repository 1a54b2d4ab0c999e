// The one translation unit that includes libsmpp34 (its headers lack extern "C" and leak
// macros such as `Reserved`, so they stay out of every header). See deliver.h for what is
// done about each of the library's defects.
#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "smpp/deliver.h"

extern "C" {
#include <stdint.h>  // libsmpp34's headers are not self-contained
#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>
}

namespace pintar::smpp {

namespace {

// libsmpp34 keeps its trace in globals (smpp34_strerror, ptrerror): one caller at a time.
std::mutex& libsmpp34_mutex() {
  static std::mutex mutex;
  return mutex;
}

enum class TlvKind : uint8_t { kU8, kU16, kOctets };

struct UsedTlv {
  uint16_t tag;
  TlvKind kind;       // how libsmpp34 decodes it (def_frame/deliver_sm.tlv, data_sm.tlv)
  uint16_t min_length;
  uint16_t max_length;
};

// The TLVs the ESME reads (§5.3.2). Anything else is ignored before libsmpp34 sees it.
constexpr auto kUsedTlvs = std::to_array<UsedTlv>({
    {tag::kReceiptedMessageId, TlvKind::kOctets, 1, 65},
    {tag::kMessageState, TlvKind::kU8, 1, 1},
    {tag::kNetworkErrorCode, TlvKind::kOctets, 3, 3},
    {tag::kSarMsgRefNum, TlvKind::kU16, 2, 2},
    {tag::kSarTotalSegments, TlvKind::kU8, 1, 1},
    {tag::kSarSegmentSeqnum, TlvKind::kU8, 1, 1},
    {tag::kMessagePayload, TlvKind::kOctets, 0, 65535},
    {tag::kUserMessageReference, TlvKind::kU16, 2, 2},
    {tag::kSourcePort, TlvKind::kU16, 2, 2},
    {tag::kDestinationPort, TlvKind::kU16, 2, 2},
});
constexpr size_t kLibsmpp34MaxTlvValue = MAX_TLV_SIZE;  // 1024
constexpr uint8_t kMaxLibsmpp34Ton = 6;                  // TON_Abbreviated
constexpr size_t kLibsmpp34DataSmSourceAddr = ADDRESS_LENGTH;  // 21 in data_sm, 65 in §4.7.1

const UsedTlv* used_tlv(uint16_t tag) {
  for (const auto& used : kUsedTlvs) {
    if (used.tag == tag) return &used;
  }
  return nullptr;
}

bool npi_known_to_libsmpp34(uint8_t npi) {
  constexpr std::array<uint8_t, 10> kNpis = {0, 1, 3, 4, 6, 8, 9, 10, 14, 18};  // def_list/addr_npi.list
  return std::find(kNpis.begin(), kNpis.end(), npi) != kNpis.end();
}

// Frees the TLV list libsmpp34 allocated, whatever happens.
struct TlvListGuard {
  tlv_t*& head;
  ~TlvListGuard() {
    if (head != nullptr) destroy_tlv(head);
    head = nullptr;
  }
};

std::string c_field(const uint8_t* field, size_t size) {
  return std::string(reinterpret_cast<const char*>(field), strnlen(reinterpret_cast<const char*>(field), size));
}

// Where each TLV of the PDU goes: to libsmpp34, kept from the pre-scan, or ignored.
enum class TlvRoute : uint8_t { kLibsmpp34, kPreScan, kIgnored };

struct Plan {
  std::vector<TlvRoute> routes;  // parallel to scan.tlvs
  size_t handed = 0;
};

void plan_tlvs(const DeliverScan& scan, Plan& plan) {
  plan.routes.assign(scan.tlvs.size(), TlvRoute::kIgnored);
  plan.handed = 0;
  uint32_t seen = 0;  // bit per kUsedTlvs entry: each tag is used once
  for (size_t i = 0; i < scan.tlvs.size(); ++i) {
    const TlvView& tlv = scan.tlvs[i];
    const UsedTlv* used = used_tlv(tlv.tag);
    if (used == nullptr) continue;
    const uint32_t bit = 1u << (used - kUsedTlvs.data());
    if ((seen & bit) != 0 || tlv.value.size() < used->min_length || tlv.value.size() > used->max_length) continue;
    seen |= bit;
    if (tlv.value.size() > kLibsmpp34MaxTlvValue) {
      plan.routes[i] = TlvRoute::kPreScan;
    } else {
      plan.routes[i] = TlvRoute::kLibsmpp34;
      ++plan.handed;
    }
  }
}

// Writes the sanitised copy of the PDU for libsmpp34 (see deliver.h).
void write_sanitised(std::span<const uint8_t> pdu, const DeliverScan& scan, const Plan& plan, std::string& copy) {
  const Header header = read_header(pdu);
  const bool is_deliver = header.command_id == command::kDeliverSm;
  Reader r(pdu.subspan(kHeaderLength));
  std::string_view service_type, source_addr, destination_addr, ignored;
  uint8_t ton = 0, npi = 0, esm_class = 0, protocol_id = 0, priority_flag = 0, registered_delivery = 0,
          replace_if_present = 0, data_coding = 0, sm_default_msg_id = 0, sm_length = 0;
  std::span<const uint8_t> short_message;
  r.c_string(6, service_type);
  r.u8(ton), r.u8(npi), r.c_string(65, source_addr);
  r.u8(ton), r.u8(npi), r.c_string(65, destination_addr);
  r.u8(esm_class);
  if (is_deliver) r.u8(protocol_id), r.u8(priority_flag), r.c_string(17, ignored), r.c_string(17, ignored);
  r.u8(registered_delivery);
  if (is_deliver) r.u8(replace_if_present);
  r.u8(data_coding);
  if (is_deliver) r.u8(sm_default_msg_id), r.u8(sm_length), r.octets(sm_length, short_message);

  auto safe_ton = [](uint8_t v) { return v <= kMaxLibsmpp34Ton ? v : uint8_t{0}; };
  auto safe_npi = [](uint8_t v) { return npi_known_to_libsmpp34(v) ? v : uint8_t{0}; };
  const bool source_fits = is_deliver || source_addr.size() < kLibsmpp34DataSmSourceAddr;
  copy.clear();
  // libsmpp34 refuses sequence_number 0; the real one is taken from the header.
  Writer w(copy, header.command_id, status::kOk, 1);
  w.c_string(service_type)
      .u8(safe_ton(scan.source_addr_ton))
      .u8(safe_npi(scan.source_addr_npi))
      .c_string(source_fits ? source_addr : std::string_view())
      .u8(safe_ton(scan.dest_addr_ton))
      .u8(safe_npi(scan.dest_addr_npi))
      .c_string(destination_addr)
      .u8(esm_class);
  if (is_deliver) w.u8(protocol_id).u8(priority_flag).c_string({}).c_string({});
  w.u8(registered_delivery);
  if (is_deliver) w.u8(replace_if_present);
  w.u8(data_coding);
  if (is_deliver) {
    w.u8(sm_default_msg_id).u8(sm_length).octets(
        std::string_view(reinterpret_cast<const char*>(short_message.data()), short_message.size()));
  }
  for (size_t i = 0; i < scan.tlvs.size(); ++i) {
    if (plan.routes[i] != TlvRoute::kLibsmpp34) continue;
    const auto& value = scan.tlvs[i].value;
    w.tlv(scan.tlvs[i].tag, std::string_view(reinterpret_cast<const char*>(value.data()), value.size()));
  }
  w.end();
}

std::string tlv_value(const tlv_t& tlv) {
  const UsedTlv* used = used_tlv(tlv.tag);
  switch (used != nullptr ? used->kind : TlvKind::kOctets) {
    case TlvKind::kU8: return std::string(1, static_cast<char>(tlv.value.val08));
    case TlvKind::kU16: return {static_cast<char>(tlv.value.val16 >> 8), static_cast<char>(tlv.value.val16)};
    case TlvKind::kOctets: break;
  }
  return std::string(reinterpret_cast<const char*>(tlv.value.octet), std::min<size_t>(tlv.length, kLibsmpp34MaxTlvValue));
}

// Unpacks `copy` into a libsmpp34 struct and fills `out`; the caller holds the lock.
template <typename Pdu>
bool unpack_locked(const std::string& copy, DeliverSm& out, std::vector<Tlv>& reversed, std::string& error) {
  Pdu pdu;
  std::memset(&pdu, 0, sizeof pdu);  // unpack prepends to whatever `tlv` holds
  TlvListGuard guard{pdu.tlv};
  if (smpp34_unpack2(&pdu, reinterpret_cast<const uint8_t*>(copy.data()), static_cast<int>(copy.size())) != 0) {
    error = fmt::format("libsmpp34 unpack failed: {}", std::string_view(smpp34_strerror, strnlen(smpp34_strerror, 160)));
    return false;
  }
  out.service_type = c_field(pdu.service_type, sizeof pdu.service_type);
  out.source_addr = c_field(pdu.source_addr, sizeof pdu.source_addr);
  out.destination_addr = c_field(pdu.destination_addr, sizeof pdu.destination_addr);
  out.esm_class = pdu.esm_class;
  out.registered_delivery = pdu.registered_delivery;
  out.data_coding = pdu.data_coding;
  if constexpr (std::is_same_v<Pdu, deliver_sm_t>) {
    out.protocol_id = pdu.protocol_id;
    out.short_message.assign(reinterpret_cast<const char*>(pdu.short_message), pdu.sm_length);
  }
  tlv_t* node = nullptr;
  smpp34_tlv_for_each(node, pdu.tlv) { reversed.push_back({node->tag, tlv_value(*node)}); }
  return true;
}

}  // namespace

const Tlv* DeliverSm::find(uint16_t wanted) const {
  for (const Tlv& tlv : tlvs) {
    if (tlv.tag == wanted) return &tlv;
  }
  return nullptr;
}

bool decode_deliver(std::span<const uint8_t> pdu, const DeliverScan& scan, DeliverSm& out, std::string& error) {
  if (scan.error_status != 0) {
    error = scan.error;
    return false;
  }
  thread_local Plan plan;
  thread_local std::string copy;
  thread_local std::vector<Tlv> reversed;
  plan_tlvs(scan, plan);
  write_sanitised(pdu, scan, plan, copy);
  const Header header = read_header(pdu);
  out = DeliverSm{};
  out.command_id = header.command_id;
  out.sequence_number = header.sequence_number;
  reversed.clear();
  {
    std::lock_guard lock(libsmpp34_mutex());
    const bool ok = header.command_id == command::kDeliverSm ? unpack_locked<deliver_sm_t>(copy, out, reversed, error)
                                                             : unpack_locked<data_sm_t>(copy, out, reversed, error);
    if (!ok) return false;
  }
  if (reversed.size() != plan.handed) {
    error = fmt::format("libsmpp34 returned {} TLVs for {}", reversed.size(), plan.handed);
    return false;
  }
  // Restore wire order: libsmpp34's list is reversed; big payloads come from the pre-scan.
  auto next_unpacked = reversed.rbegin();
  for (size_t i = 0; i < scan.tlvs.size(); ++i) {
    const TlvView& tlv = scan.tlvs[i];
    switch (plan.routes[i]) {
      case TlvRoute::kLibsmpp34:
        if (next_unpacked->tag != tlv.tag) {
          error = fmt::format("libsmpp34 TLV order: 0x{:04X} where 0x{:04X} was sent", next_unpacked->tag, tlv.tag);
          return false;
        }
        out.tlvs.push_back(std::move(*next_unpacked++));
        break;
      case TlvRoute::kPreScan:
        out.tlvs.push_back({tlv.tag, std::string(reinterpret_cast<const char*>(tlv.value.data()), tlv.value.size())});
        break;
      case TlvRoute::kIgnored:
        ++out.ignored_tlvs;
        break;
    }
  }
  // Fields the copy could not carry, from the pre-scan.
  out.source_addr_ton = scan.source_addr_ton;
  out.source_addr_npi = scan.source_addr_npi;
  out.dest_addr_ton = scan.dest_addr_ton;
  out.dest_addr_npi = scan.dest_addr_npi;
  if (header.command_id == command::kDataSm && out.source_addr.empty()) {
    Reader r(pdu.subspan(kHeaderLength));
    std::string_view skipped, source_addr;
    uint8_t octet = 0;
    r.c_string(6, skipped), r.u8(octet), r.u8(octet), r.c_string(65, source_addr);
    out.source_addr.assign(source_addr);
  }
  return true;
}

}  // namespace pintar::smpp
