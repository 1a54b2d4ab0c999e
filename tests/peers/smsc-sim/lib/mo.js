'use strict';
// Mobile-originated deliver_sm built from a POST /mo request: one message, or a long one
// split by UDH concatenation (3GPP TS 23.040 §9.2.3.24.1), by sar_* TLVs (SMPP 3.4
// §5.3.2.22–24), or carried whole in message_payload (§5.3.2.32).

const text = require('./text');
const TAG = require('./tags');
const { RequestError } = require('./errors');

const SPLITS = ['none', 'udh', 'sar', 'payload'];
const MAX_SHORT_MESSAGE = 254; // §5.2.21: sm_length 0..254
const MAX_PARTS = 255;

function u8(n) {
  return Buffer.from([n]);
}

function u16(n) {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function orDefault(v, d) {
  return v === undefined ? d : v;
}

// Returns {parts: [{fields, tlvs}] in sending order (drop_parts and reorder applied),
// total: parts before dropping, ref: concatenation reference or null}.
// nextRef(): a fresh reference number (reduced to 8 or 16 bits here).
function buildMo(req, nextRef) {
  if (typeof req.from !== 'string' || !req.from) throw new RequestError('"from" is required');
  if (typeof req.to !== 'string' || !req.to) throw new RequestError('"to" is required');
  if (typeof req.text !== 'string') throw new RequestError('"text" is required');
  const encoding = req.encoding || 'gsm';
  const enc = text.ENCODINGS[encoding];
  if (!enc) throw new RequestError(`"encoding" must be one of ${Object.keys(text.ENCODINGS)}`);
  const split = req.split || 'none';
  if (!SPLITS.includes(split)) throw new RequestError(`"split" must be one of ${SPLITS}`);

  const encoded = text.encodeText(req.text, encoding);
  const base = {
    service_type: '',
    source_addr_ton: orDefault(req.source_addr_ton, 1),
    source_addr_npi: orDefault(req.source_addr_npi, 1),
    source_addr: req.from,
    dest_addr_ton: orDefault(req.dest_addr_ton, 0),
    dest_addr_npi: orDefault(req.dest_addr_npi, 1),
    destination_addr: req.to,
    esm_class: 0,
    data_coding: enc.dcs,
    short_message: Buffer.alloc(0),
  };
  const part = (fields, tlvs = []) => ({ fields: Object.assign({}, base, fields), tlvs });
  let parts;
  let ref = null;
  if (split === 'none') {
    if (encoded.length > MAX_SHORT_MESSAGE) {
      throw new RequestError(`text is ${encoded.length} octets, more than one short_message holds; use a split`);
    }
    parts = [part({ short_message: encoded })];
  } else if (split === 'payload') {
    parts = [part({}, [{ tag: TAG.message_payload, value: encoded }])];
  } else {
    const partSize = orDefault(req.part_size, enc.udhPart);
    if (!Number.isInteger(partSize) || partSize < 2) throw new RequestError('"part_size" must be an integer >= 2');
    const chunks = text.splitUnits(encoded, encoding, partSize);
    if (chunks.length > MAX_PARTS) throw new RequestError(`text needs more than ${MAX_PARTS} parts`);
    const total = chunks.length;
    if (split === 'udh') {
      ref = nextRef() % 256;
      parts = chunks.map((c, i) => part({ esm_class: 0x40, short_message: Buffer.concat([text.concatUdh(ref, total, i + 1), c]) }));
    } else {
      ref = nextRef() % 65536;
      parts = chunks.map((c, i) => part({ short_message: c }, [
        { tag: TAG.sar_msg_ref_num, value: u16(ref) },
        { tag: TAG.sar_total_segments, value: u8(total) },
        { tag: TAG.sar_segment_seqnum, value: u8(i + 1) },
      ]));
    }
  }
  const drop = new Set(req.drop_parts || []);
  const kept = parts.filter((p, i) => !drop.has(i + 1));
  return { parts: req.reorder ? kept.reverse() : kept, total: parts.length, ref };
}

module.exports = { buildMo };
