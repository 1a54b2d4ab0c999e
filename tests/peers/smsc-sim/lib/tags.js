'use strict';
// Optional parameter tags the simulator handles itself (SMPP 3.4 §5.3.2).
module.exports = {
  sar_msg_ref_num: 0x020c,
  sar_total_segments: 0x020e,
  sar_segment_seqnum: 0x020f,
  sc_interface_version: 0x0210,
  message_payload: 0x0424,
};
