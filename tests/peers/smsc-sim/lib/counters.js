'use strict';
// Counters reported by GET /stats, one table with their meaning (README.md copies it).

const COUNTERS = {
  connections: 'TCP/TLS connections accepted',
  connections_closed: 'connections that ended (either side)',
  binds_ok: 'bind_* answered ESME_ROK',
  binds_failed: 'bind_* refused (0x0D, 0x0E, 0x0F, 0x05)',
  unbinds: 'unbind requests answered',
  unbinds_sent: 'unbind requests sent by the simulator (fault "unbind")',
  enquire_link_received: 'enquire_link requests answered',
  enquire_link_sent: 'enquire_link requests sent by the simulator',
  enquire_link_resp_received: 'enquire_link_resp received for them',
  submit_sm: 'submit_sm requests received (all outcomes)',
  submit_sm_ok: 'submit_sm accepted and recorded',
  submit_sm_rejected: 'submit_sm refused by validation (0x04, 0x0B)',
  throttled: 'submit_sm refused with 0x58 ESME_RTHROTTLED by the TPS limit',
  window_exceeded: 'submit_sm refused with 0x14 ESME_RMSGQFUL: submit_window answers were pending',
  faulted_responses: 'requests answered by an injected fault (generic_nack or status)',
  requests_ignored: 'requests read but not answered while stop_answering was active',
  generic_nack_sent: 'generic_nack sent (unknown command, malformed PDU, fault)',
  generic_nack_received: 'generic_nack received from an ESME',
  unknown_pdus: 'PDUs with an unknown or unsupported command_id',
  malformed_pdus: 'PDUs whose length or body could not be decoded',
  routed_to_esme: 'accepted submit_sm whose destination an ESME account owns',
  routed_to_handset: 'accepted submit_sm to a simulated handset',
  mo_injected: 'mobile-originated deliver_sm parts created through POST /mo',
  receipts_generated: 'delivery receipts created',
  receipts_sent: 'delivery receipt deliver_sm written (first attempts)',
  deliver_sm_sent: 'deliver_sm written (first attempts and retries)',
  deliver_sm_acked: 'deliver_sm answered with ESME_ROK',
  deliver_sm_retried: 'deliver_sm written again after a timeout, 0x14, 0x58, 0x64 or a lost connection',
  deliver_sm_timeouts: 'deliver_sm not answered within deliver_timeout_ms',
  deliver_sm_failed: 'deliver_sm dropped after a permanent error status or generic_nack',
  deliver_sm_resp_unexpected: 'deliver_sm_resp with no matching outstanding deliver_sm',
  deliver_resp_lost: 'deliver_sm_resp ESME_ROK discarded by the fault lose_deliver_resp (the deliver_sm is redelivered)',
};

// Gauges are computed on demand by the simulator: queued (waiting deliver_sm, including those
// waiting to retry), in_flight (deliver_sm written and not yet answered), binds (current binds).

function createCounters() {
  return Object.fromEntries(Object.keys(COUNTERS).map((k) => [k, 0]));
}

module.exports = { COUNTERS, createCounters };
