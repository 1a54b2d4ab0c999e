#include "smpp/message.h"

namespace pintar::smpp {

bool is_final(MessageState state) {
  return state != MessageState::kEnroute && state != MessageState::kAccepted &&
         state != MessageState::kUnknownState;
}

const char* message_state_name(MessageState state) {
  switch (state) {
    case MessageState::kEnroute: return "ENROUTE";
    case MessageState::kDelivered: return "DELIVRD";
    case MessageState::kExpired: return "EXPIRED";
    case MessageState::kDeleted: return "DELETED";
    case MessageState::kUndeliverable: return "UNDELIV";
    case MessageState::kAccepted: return "ACCEPTD";
    case MessageState::kRejected: return "REJECTD";
    case MessageState::kUnknown:
    case MessageState::kUnknownState: break;
  }
  return "UNKNOWN";
}

}  // namespace pintar::smpp
