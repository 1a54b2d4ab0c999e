'use strict';
// Delivery receipts: SMPP 3.4 Appendix B text form and the receipted_message_id (0x001E) /
// message_state (0x0427) TLVs of §5.3.2.12 and §5.3.2.35.

const { FINAL_STATES } = require('./config');
const { submitText } = require('./records');

const ESM_CLASS_RECEIPT = 0x04; // §5.2.12: SMSC Delivery Receipt

// Message ids as real SMSCs print them: upper-case hex or decimal, left-padded with zeros.
function formatMessageId(n, format, pad) {
  const s = format === 'dec' ? n.toString(10) : n.toString(16).toUpperCase();
  return s.padStart(pad, '0');
}

// YYMMDDhhmm in UTC, the date format of the Appendix B receipt text.
function receiptDate(d) {
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getUTCFullYear() % 100) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours())
    + p(d.getUTCMinutes());
}

// Whether registered_delivery (§5.2.17, bits 1..0) asks for a receipt with this outcome.
function wanted(registeredDelivery, state) {
  const bits = registeredDelivery & 0x03;
  return bits === 1 || (bits === 2 && state !== 'DELIVRD');
}

const RECEIPT_TEXT_CHARS = 20;

// Printable ASCII only: the receipt goes out as data_coding 0 octets.
function receiptSafe(text) {
  return (text || '').slice(0, RECEIPT_TEXT_CHARS).replace(/[^\x20-\x7e]/g, '?');
}

// deliver_sm fields for the receipt of `rec` (a recorded submit_sm, see records.js).
// cfg: the configuration; state: a FINAL_STATES key; err: three digits.
function buildReceipt(rec, cfg, state, err, doneAt) {
  const receiptCfg = cfg.receipt;
  const id = formatMessageId(rec.number, receiptCfg.msgid === null ? cfg.resp_msgid : receiptCfg.msgid,
    receiptCfg.msgid_pad === null ? cfg.resp_msgid_pad : receiptCfg.msgid_pad);
  const p = rec.pdu.params;
  const fields = {
    service_type: '',
    source_addr_ton: p.dest_addr_ton,
    source_addr_npi: p.dest_addr_npi,
    source_addr: p.destination_addr,
    dest_addr_ton: p.source_addr_ton,
    dest_addr_npi: p.source_addr_npi,
    destination_addr: p.source_addr,
    esm_class: ESM_CLASS_RECEIPT,
    data_coding: 0,
    short_message: Buffer.alloc(0),
  };
  let text = '';
  if (receiptCfg.form === 'text' || receiptCfg.form === 'both') {
    const dlvrd = state === 'DELIVRD' ? '001' : '000';
    text = `id:${id} sub:001 dlvrd:${dlvrd} submit date:${receiptDate(new Date(rec.received_at))}`
      + ` done date:${receiptDate(doneAt)} stat:${state} err:${err} text:${receiptSafe(submitText(rec.pdu, 2 * RECEIPT_TEXT_CHARS))}`;
    fields.short_message = Buffer.from(text, 'latin1');
  }
  if (receiptCfg.form === 'tlv' || receiptCfg.form === 'both') {
    fields.receipted_message_id = id;
    fields.message_state = FINAL_STATES[state];
  }
  return { fields, id, text };
}

module.exports = { formatMessageId, buildReceipt, wanted, receiptDate };
