// SMPP 3.4 PDU basics owned by pintar: command ids, the 16-octet header, bounds-checked
// big-endian reading, and spec-exact encoders/decoders for every PDU the ESME writes and for
// the small responses it reads. Only deliver_sm/data_sm bodies go through libsmpp34
// (deliver.h: decode_deliver() in libsmpp34_codec.cpp), after the pre-scan (scan_deliver() in
// deliver_scan.cpp). Pure functions, thread-safe.
//
// Why own encoders: libsmpp34's pack runs its text trace on every call (global buffer, so one
// lock for all sessions), truncates over-long strings silently, refuses an sm_length of 254
// (§5.2.21 allows it) and needs a spare output octet; writing straight into the connection's
// output buffer also avoids a copy and an allocation per PDU.
#ifndef PINTAR_SMPP_PDU_H_
#define PINTAR_SMPP_PDU_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pintar::smpp {

// command_id values, §5.1.2.1.
namespace command {
inline constexpr uint32_t kGenericNack = 0x80000000;
inline constexpr uint32_t kBindReceiver = 0x00000001;
inline constexpr uint32_t kBindTransmitter = 0x00000002;
inline constexpr uint32_t kQuerySm = 0x00000003;
inline constexpr uint32_t kSubmitSm = 0x00000004;
inline constexpr uint32_t kDeliverSm = 0x00000005;
inline constexpr uint32_t kUnbind = 0x00000006;
inline constexpr uint32_t kReplaceSm = 0x00000007;
inline constexpr uint32_t kCancelSm = 0x00000008;
inline constexpr uint32_t kBindTransceiver = 0x00000009;
inline constexpr uint32_t kOutbind = 0x0000000B;
inline constexpr uint32_t kEnquireLink = 0x00000015;
inline constexpr uint32_t kSubmitMulti = 0x00000021;
inline constexpr uint32_t kAlertNotification = 0x00000102;
inline constexpr uint32_t kDataSm = 0x00000103;
inline constexpr uint32_t kResponseBit = 0x80000000;
}  // namespace command

// command_status values the ESME itself writes or branches on, §5.1.3.
namespace status {
inline constexpr uint32_t kOk = 0x00;
inline constexpr uint32_t kInvalidMessageLength = 0x01;   // ESME_RINVMSGLEN
inline constexpr uint32_t kInvalidCommandLength = 0x02;   // ESME_RINVCMDLEN
inline constexpr uint32_t kInvalidCommandId = 0x03;       // ESME_RINVCMDID
inline constexpr uint32_t kSystemError = 0x08;            // ESME_RSYSERR
inline constexpr uint32_t kMessageQueueFull = 0x14;       // ESME_RMSGQFUL
inline constexpr uint32_t kThrottled = 0x58;              // ESME_RTHROTTLED
inline constexpr uint32_t kTemporaryAppError = 0x64;      // ESME_RX_T_APPN
inline constexpr uint32_t kInvalidTlvStream = 0xC0;       // ESME_RINVOPTPARSTREAM
inline constexpr uint32_t kInvalidTlvLength = 0xC2;       // ESME_RINVPARLEN
}  // namespace status

// Optional parameter tags, §5.3.2.
namespace tag {
inline constexpr uint16_t kUserMessageReference = 0x0204;
inline constexpr uint16_t kSourcePort = 0x020A;
inline constexpr uint16_t kDestinationPort = 0x020B;
inline constexpr uint16_t kSarMsgRefNum = 0x020C;
inline constexpr uint16_t kSarTotalSegments = 0x020E;
inline constexpr uint16_t kSarSegmentSeqnum = 0x020F;
inline constexpr uint16_t kReceiptedMessageId = 0x001E;
inline constexpr uint16_t kNetworkErrorCode = 0x0423;
inline constexpr uint16_t kMessageState = 0x0427;
inline constexpr uint16_t kMessagePayload = 0x0424;
inline constexpr uint16_t kScInterfaceVersion = 0x0210;
}  // namespace tag

inline constexpr size_t kHeaderLength = 16;
inline constexpr uint8_t kInterfaceVersion = 0x34;

// The header, §3.2. Field names as in the spec.
struct Header {
  uint32_t command_length = 0;
  uint32_t command_id = 0;
  uint32_t command_status = 0;
  uint32_t sequence_number = 0;
};

// Reads the first 16 octets (the caller checked there are 16).
Header read_header(std::span<const uint8_t> bytes);
bool is_response(uint32_t command_id);
// "submit_sm", "deliver_sm_resp", ... or "0x00000200" for unknown ids.
std::string command_name(uint32_t command_id);
// True for ids this ESME understands as requests or responses (others get generic_nack).
bool is_known_command(uint32_t command_id);

// Bounds-checked big-endian reader over a PDU body. Every read returns false (and leaves the
// reader failed) when the data runs out; callers check ok() once at the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  bool u8(uint8_t& out);
  bool u16(uint16_t& out);
  bool u32(uint32_t& out);
  // C-Octet String of at most max_size octets including the NUL (§3.1); fails without a NUL
  // within max_size or within the data.
  bool c_string(size_t max_size, std::string_view& out);
  bool octets(size_t n, std::span<const uint8_t>& out);
  bool ok() const { return ok_; }
  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }

 private:
  std::span<const uint8_t> bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

// Appends one PDU to `out` (the connection's output buffer); end() fills command_length.
class Writer {
 public:
  Writer(std::string& out, uint32_t command_id, uint32_t command_status, uint32_t sequence_number);
  Writer& u8(uint8_t v);
  Writer& u16(uint16_t v);
  Writer& u32(uint32_t v);
  Writer& c_string(std::string_view v);  // v must hold no NUL; the caller checked its length
  Writer& octets(std::string_view v);
  Writer& tlv(uint16_t tag, std::string_view value);
  // Returns the PDU's length.
  size_t end();

 private:
  std::string& out_;
  size_t start_;
};

// --- PDUs the ESME writes -----------------------------------------------------------------

struct BindRequest {
  uint32_t command_id = command::kBindTransceiver;  // or kBindTransmitter / kBindReceiver
  std::string_view system_id = {}, password = {}, system_type = {}, address_range = {};
  uint8_t addr_ton = 0, addr_npi = 0;
};
void write_bind(std::string& out, uint32_t sequence_number, const BindRequest& bind);

struct SubmitSm {  // §4.4.1; fields we never set are written as their defaults
  std::string_view service_type = {};
  uint8_t source_addr_ton = 0, source_addr_npi = 0;
  std::string_view source_addr = {};
  uint8_t dest_addr_ton = 0, dest_addr_npi = 0;
  std::string_view destination_addr = {};
  uint8_t esm_class = 0;           // 0x40 UDHI for concatenated parts
  uint8_t registered_delivery = 0;
  uint8_t data_coding = 0;
  std::string_view short_message = {};  // ≤ 254 octets, UDH included
};
void write_submit_sm(std::string& out, uint32_t sequence_number, const SubmitSm& submit);

// A PDU without body: enquire_link(_resp), unbind(_resp), generic_nack, bind refusals.
void write_header_only(std::string& out, uint32_t command_id, uint32_t command_status, uint32_t sequence_number);
// deliver_sm_resp / data_sm_resp: message_id is unused and written empty (§4.6.2).
void write_deliver_resp(std::string& out, uint32_t command_id, uint32_t command_status, uint32_t sequence_number);

// --- small responses the ESME reads ---------------------------------------------------------

// submit_sm_resp / data_sm_resp body: the message_id when status is 0. An error response may
// carry no body, a lone NUL or even an id (many SMSCs do; libsmpp34 fails on it): ignored.
// nullopt when status is 0 and the body is not one C-string of ≤ 65 octets.
std::optional<std::string_view> read_submit_resp(const Header& header, std::span<const uint8_t> body);
// bind_*_resp: system_id when status is 0 (TLVs such as sc_interface_version may follow and
// are ignored); an empty view for refusals, with or without body. nullopt when malformed.
std::optional<std::string_view> read_bind_resp(const Header& header, std::span<const uint8_t> body);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_PDU_H_
