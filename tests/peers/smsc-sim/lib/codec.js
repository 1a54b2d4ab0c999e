'use strict';
// SMPP 3.4 PDU codec on top of the npm `smpp` package's command and type tables.
//
// Encoding uses smpp.PDU. Decoding walks the same tables but keeps every field raw (the
// package's own decoder converts short_message to text and folds repeated or unknown TLVs),
// because the simulator must record exactly what the ESME sent and check its framing.

const smpp = require('smpp');

const HEADER_LENGTH = 16; // §3.2: command_length, command_id, command_status, sequence_number
const RESPONSE_BIT = 0x80000000;
const GENERIC_NACK = 0x80000000;

class PduError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function readParams(frame, params) {
  const out = {};
  let offset = HEADER_LENGTH;
  for (const [name, param] of Object.entries(params)) {
    // A body may end early: error responses carry none (§3.3) and trailing fields may be absent.
    if (offset >= frame.length) break;
    if (param.type === smpp.types.cstring) {
      const end = frame.indexOf(0, offset);
      if (end < 0) throw new PduError(smpp.ESME_RINVMSGLEN, `${name} is not NUL-terminated`);
      out[name] = frame.toString('latin1', offset, end);
      offset = end + 1;
      continue;
    }
    if (param.type === smpp.types.buffer && offset + 1 + frame[offset] > frame.length) {
      throw new PduError(smpp.ESME_RINVMSGLEN, `${name} runs past command_length`);
    }
    const value = param.type.read(frame, offset);
    const size = param.type.size(value);
    if (offset + size > frame.length) throw new PduError(smpp.ESME_RINVMSGLEN, `${name} runs past command_length`);
    out[name] = value;
    offset += size;
  }
  return { params: out, offset };
}

function readTlvs(frame, offset) {
  const tlvs = [];
  while (offset < frame.length) {
    if (offset + 4 > frame.length) throw new PduError(smpp.ESME_RINVTLVSTREAM, 'truncated TLV header');
    const tag = frame.readUInt16BE(offset);
    const length = frame.readUInt16BE(offset + 2);
    if (offset + 4 + length > frame.length) {
      throw new PduError(smpp.ESME_RINVTLVLEN, `TLV 0x${tag.toString(16)} runs past command_length`);
    }
    tlvs.push({ tag, value: frame.subarray(offset + 4, offset + 4 + length) });
    offset += 4 + length;
  }
  return tlvs;
}

// Decodes one complete frame (its command_length already checked by the caller).
// Returns {command_id, command_status, sequence_number, command ('unknown' when the id is not
// an SMPP 3.4 command), params, tlvs: [{tag, value}] in wire order, raw}.
// Throws PduError (with the SMPP status to report) when the body is malformed.
function decode(frame) {
  const pdu = {
    command_id: frame.readUInt32BE(4),
    command_status: frame.readUInt32BE(8),
    sequence_number: frame.readUInt32BE(12),
    command: 'unknown',
    params: {},
    tlvs: [],
    raw: frame,
  };
  const def = smpp.commandsById[pdu.command_id];
  if (!def) return pdu;
  pdu.command = def.command;
  const { params, offset } = readParams(frame, def.params || {});
  pdu.params = params;
  pdu.tlvs = readTlvs(frame, offset);
  return pdu;
}

function isResponse(commandId) {
  return (commandId & RESPONSE_BIT) !== 0;
}

function tlvValue(pdu, tag) {
  const t = pdu.tlvs.find((x) => x.tag === tag);
  return t ? t.value : undefined;
}

function tlvUint(pdu, tag) {
  const v = tlvValue(pdu, tag);
  return v && v.length > 0 && v.length <= 4 ? v.readUIntBE(0, v.length) : undefined;
}

// A complete PDU through smpp.PDU: `fields` are the command's parameters and named TLVs.
function encode(command, sequenceNumber, fields) {
  return new smpp.PDU(command, Object.assign({}, fields, { sequence_number: sequenceNumber })).toBuffer();
}

// A PDU assembled by hand: any command_id and command_status (vendor codes included, which
// smpp.PDU cannot encode with a body) followed by `body` verbatim.
function encodeRaw(commandId, status, sequenceNumber, body) {
  const b = body || Buffer.alloc(0);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(HEADER_LENGTH + b.length, 0);
  header.writeUInt32BE(commandId >>> 0, 4);
  header.writeUInt32BE(status >>> 0, 8);
  header.writeUInt32BE(sequenceNumber >>> 0, 12);
  return Buffer.concat([header, b]);
}

// Appends raw TLVs [{tag, value: Buffer}] to an encoded PDU and fixes command_length.
function appendTlvs(pdu, tlvs) {
  const parts = [pdu];
  for (const t of tlvs) {
    const h = Buffer.alloc(4);
    h.writeUInt16BE(t.tag, 0);
    h.writeUInt16BE(t.value.length, 2);
    parts.push(h, t.value);
  }
  const out = Buffer.concat(parts);
  out.writeUInt32BE(out.length, 0);
  return out;
}

module.exports = {
  HEADER_LENGTH, GENERIC_NACK, PduError, decode, encode, encodeRaw, appendTlvs, isResponse, tlvValue, tlvUint,
};
