'use strict';
// Faults armed through POST /fault that change how later PDUs are answered or built.
// (drop_connections, unbind and raw act at once and live in smsc.js.)

const smpp = require('smpp');
const { RequestError, parseNumber } = require('./errors');

const HEX = /^([0-9a-fA-F]{2})*$/;
const STATUS_BODIES = ['nul', 'empty', 'id'];

function parseTlvs(list) {
  if (!Array.isArray(list) || list.length === 0) throw new RequestError('"tlvs" must be a non-empty array');
  const out = [];
  for (const t of list) {
    const tag = parseNumber(t.tag, 'tag', 0xffff);
    let value;
    if (typeof t.hex === 'string' && HEX.test(t.hex)) value = Buffer.from(t.hex, 'hex');
    else if (t.length !== undefined) value = Buffer.alloc(parseNumber(t.length, 'length', 0xffff), 0x41);
    else throw new RequestError('each TLV needs "hex" (hex octets) or "length"');
    if (value.length > 0xffff) throw new RequestError('TLV value longer than 65535 octets');
    const repeat = t.repeat === undefined ? 1 : parseNumber(t.repeat, 'repeat', 10000);
    for (let i = 0; i < repeat; i++) out.push({ tag, value });
  }
  return out;
}

class Faults {
  constructor() {
    this.clear();
  }

  clear() {
    this.stopAnsweringUntil = 0;
    this.genericNack = null; // {count, code}
    this.status = null; // {count, code, body}
    this.extraTlvs = null; // {count, tlvs}
    this.loseDeliverResp = 0; // deliver_sm_resp ESME_ROK still to be taken as lost
  }

  // Arms the fault described by a POST /fault body; returns false for a type it does not own.
  arm(f) {
    const count = f.count === undefined ? 1 : parseNumber(f.count, 'count');
    switch (f.type) {
      case 'stop_answering':
        this.stopAnsweringUntil = f.ms ? Date.now() + parseNumber(f.ms, 'ms') : 0;
        return true;
      case 'generic_nack':
        this.genericNack = { count, code: f.code === undefined ? smpp.ESME_RINVCMDID : parseNumber(f.code, 'code') };
        return true;
      case 'status': {
        const body = f.body || 'empty';
        if (!STATUS_BODIES.includes(body)) throw new RequestError(`"body" must be one of ${STATUS_BODIES}`);
        if (f.code === undefined) throw new RequestError('"code" is required');
        this.status = { count, code: parseNumber(f.code, 'code'), body };
        return true;
      }
      case 'lose_deliver_resp':
        this.loseDeliverResp = count;
        return true;
      case 'extra_tlvs':
        this.extraTlvs = { count, tlvs: parseTlvs(f.tlvs) };
        return true;
      case 'clear':
        this.clear();
        return true;
      default:
        return false;
    }
  }

  answering() {
    return Date.now() >= this.stopAnsweringUntil;
  }

  // The fault that answers the next submit_sm, consuming one use:
  // null, {type: 'generic_nack', code} or {type: 'status', code, body}.
  takeSubmitFault() {
    for (const [type, f] of [['generic_nack', this.genericNack], ['status', this.status]]) {
      if (f && f.count > 0) {
        f.count--;
        return Object.assign({ type }, f);
      }
    }
    return null;
  }

  // True when this deliver_sm_resp ESME_ROK is to be taken as lost on the way (consumes one).
  takeLostDeliverResp() {
    if (this.loseDeliverResp <= 0) return false;
    this.loseDeliverResp--;
    return true;
  }

  // TLVs [{tag, value}] to append to the next deliver_sm, consuming one use; or null.
  takeExtraTlvs() {
    const f = this.extraTlvs;
    if (!f || f.count <= 0) return null;
    f.count--;
    return f.tlvs;
  }
}

module.exports = { Faults, HEX };
