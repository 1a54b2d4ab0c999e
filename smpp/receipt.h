// Delivery receipts in deliver_sm/data_sm (esm_class message type 0x04 "SMSC Delivery
// Receipt" or 0x20 "Intermediate Delivery Notification", §5.2.12). The TLVs
// receipted_message_id (§5.3.2.12) and message_state (§5.3.2.35) are preferred; the text form
// of Appendix B (`id:… sub:… dlvrd:… submit date:… done date:… stat:… err:… text:…`) fills
// whatever they leave out. The text parser is tolerant: fields may be missing, reordered,
// padded or in another case; `text:` is always last. Pure, thread-safe.
#ifndef PINTAR_SMPP_RECEIPT_H_
#define PINTAR_SMPP_RECEIPT_H_

#include <optional>
#include <string>
#include <string_view>

#include "smpp/deliver.h"
#include "smpp/message.h"
#include "smpp/message_id.h"

namespace pintar::smpp {

bool is_receipt(const DeliverSm& deliver);

struct ReceiptText {
  std::string id, sub, dlvrd, submit_date, done_date, stat, err, text;
};
// nullopt when the text has no `id:` and no `stat:` (it is not a receipt).
std::optional<ReceiptText> parse_receipt_text(std::string_view text);
// "DELIVRD" -> kDelivered ...; kUnknownState for anything unrecognised (any case).
MessageState state_from_stat(std::string_view stat);

// nullopt when neither the TLVs nor the text give a message id.
std::optional<DeliveryReceipt> parse_receipt(const DeliverSm& deliver, IdBase id_base);

}  // namespace pintar::smpp

#endif  // PINTAR_SMPP_RECEIPT_H_
