// The receive path of one connection: framing -> pre-scan -> decode -> dispatch.
//
// consume() takes the bytes read so far, handles every complete PDU in them, and says how
// many octets it used. It answers what the receive path itself owes, into `replies`:
// generic_nack 0x03 for unknown command ids, a *_resp with an error status when a request's
// body cannot be decoded. A command_length outside 16..max_command_length is checked from
// the first 16 octets, before anything is allocated for the body: generic_nack 0x02 is
// written and the stream is declared broken (it cannot be resynchronised; the caller closes).
// Everything the session must act on goes to the handler. Not thread-safe; one per connection.
#ifndef PINTAR_SMPP_RECEIVE_H_
#define PINTAR_SMPP_RECEIVE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "smpp/deliver.h"
#include "smpp/pdu.h"

namespace pintar::smpp {

class ReceiveHandler {
 public:
  virtual ~ReceiveHandler() = default;
  virtual void on_bind_resp(const Header& header, std::string_view system_id) = 0;
  // submit_sm_resp and data_sm_resp; message_id empty for errors.
  virtual void on_submit_resp(const Header& header, std::string_view message_id) = 0;
  // generic_nack (its sequence_number names the refused request), enquire_link_resp,
  // unbind_resp, and responses to requests this ESME never sends.
  virtual void on_response(const Header& header) = 0;
  virtual void on_enquire_link(const Header& header) = 0;
  virtual void on_unbind(const Header& header) = 0;
  // A decoded deliver_sm / data_sm. The handler must answer it (write_deliver_resp).
  virtual void on_deliver(const DeliverSm& deliver) = 0;
  // A PDU refused by the receive path (already answered when it was a request; a response
  // whose body does not decode also lands here).
  virtual void on_malformed(const Header& header, uint32_t command_status, std::string_view reason) = 0;
};

class Receiver {
 public:
  explicit Receiver(uint32_t max_command_length = 65535) : max_command_length_(max_command_length) {}

  // Handles every complete PDU at the front of `bytes`; returns the octets consumed.
  size_t consume(std::span<const uint8_t> bytes, std::string& replies, ReceiveHandler& handler);
  // How many octets the PDU at the front needs in total (16 until the header is there).
  size_t wanted(std::span<const uint8_t> bytes) const;
  // True once a bad command_length was seen; consume() then does nothing.
  bool broken() const { return broken_; }

 private:
  void dispatch(std::span<const uint8_t> pdu, std::string& replies, ReceiveHandler& handler);

  uint32_t max_command_length_;
  bool broken_ = false;
  DeliverScan scan_;
  DeliverSm deliver_;
  std::string error_;
};

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_RECEIVE_H_
