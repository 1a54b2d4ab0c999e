'use strict';
// What GET /messages and GET /deliveries show. Records stay light while a benchmark runs:
// a submit_sm keeps its decoded PDU and numbers, and the JSON description (hex, decoded
// text, ISO times) is built only when asked for.

const codec = require('./codec');
const text = require('./text');
const TAG = require('./tags');
const { Deque } = require('./deque');

// submit_sm parameters (§4.4.1) shown as they came.
const SUBMIT_FIELDS = ['service_type', 'source_addr_ton', 'source_addr_npi', 'source_addr', 'dest_addr_ton',
  'dest_addr_npi', 'destination_addr', 'esm_class', 'protocol_id', 'priority_flag', 'schedule_delivery_time',
  'validity_period', 'registered_delivery', 'data_coding'];

function hex(b) {
  return b ? b.toString('hex') : null;
}

function iso(ms) {
  return ms === null ? null : new Date(ms).toISOString();
}

// The user data of a submit_sm: message_payload when present, else short_message; split
// into UDH (null without UDHI) and the rest.
function userData(pdu) {
  const payload = codec.tlvValue(pdu, TAG.message_payload);
  const ud = payload && payload.length > 0 ? payload : (pdu.params.short_message || Buffer.alloc(0));
  return text.splitUdh(ud, pdu.params.esm_class);
}

// Decoded text of a submit_sm (UDH removed), or null for a data_coding without an alphabet;
// only the first maxOctets of user data when given (2 octets hold at least one character).
function submitText(pdu, maxOctets) {
  const { data } = userData(pdu);
  return text.decodeText(maxOctets === undefined ? data : data.subarray(0, maxOctets), pdu.params.data_coding);
}

// rec: {id, number (of message_id), message_id, system_id, bind_id, source_addr, destination_addr, pdu,
//       received_at (ms), route, state, receipt}
function describeSubmit(rec) {
  const { pdu } = rec;
  const out = { id: rec.id, message_id: rec.message_id, system_id: rec.system_id, bind_id: rec.bind_id };
  for (const k of SUBMIT_FIELDS) out[k] = pdu.params[k];
  const { udh } = userData(pdu);
  const sarRef = codec.tlvUint(pdu, TAG.sar_msg_ref_num);
  return Object.assign(out, {
    short_message_hex: hex(pdu.params.short_message),
    message_payload_hex: hex(codec.tlvValue(pdu, TAG.message_payload)),
    udh_hex: hex(udh),
    concat: text.concatInfo(udh),
    sar: sarRef === undefined ? null : {
      msg_ref_num: sarRef,
      total_segments: codec.tlvUint(pdu, TAG.sar_total_segments),
      segment_seqnum: codec.tlvUint(pdu, TAG.sar_segment_seqnum),
    },
    text: submitText(pdu),
    tlvs: pdu.tlvs.map((t) => ({ tag: '0x' + t.tag.toString(16).padStart(4, '0'), hex: hex(t.value) })),
    route: rec.route,
    state: rec.state,
    received_at: iso(rec.received_at),
    receipt: rec.receipt && Object.assign({}, rec.receipt, { generated_at: iso(rec.receipt.generated_at) }),
  });
}

function describeDelivery(rec) {
  return Object.assign({}, rec, { created_at: iso(rec.created_at), done_at: iso(rec.done_at) });
}

// The newest `max` records (max read at each add, so POST /config can change it), with
// lookup by a key and the filters of the control API.
class RecordLog {
  constructor(max, keyOf) {
    this.max = max;
    this.keyOf = keyOf;
    this.clear();
  }

  clear() {
    this.items = new Deque();
    this.byKey = new Map();
  }

  add(rec) {
    this.items.push(rec);
    this.byKey.set(this.keyOf(rec), rec);
    while (this.items.length > this.max()) {
      const old = this.items.shift();
      const key = this.keyOf(old);
      if (this.byKey.get(key) === old) this.byKey.delete(key);
    }
  }

  get(key) {
    return this.byKey.get(key);
  }

  // q: {since_id, to, from} as strings, each optional; plus a predicate.
  list(q, pred = () => true) {
    const since = q.since_id === undefined ? 0 : Number(q.since_id);
    const out = [];
    for (const r of this.items) {
      if (r.id > since && (q.to === undefined || r.destination_addr === q.to)
        && (q.from === undefined || r.source_addr === q.from) && pred(r)) out.push(r);
    }
    return out;
  }
}

module.exports = { RecordLog, describeSubmit, describeDelivery, submitText };
