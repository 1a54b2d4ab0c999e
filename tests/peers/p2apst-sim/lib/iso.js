'use strict';
// ISO 8583 codec for PLN's "2xxx" host-to-host dialect: ASCII MTI, bitmap as
// hex characters (16, or 32 when bit 1 announces the secondary bitmap), ASCII
// data elements. Field widths follow the data element table of the dialect
// (see README.md, "Data elements"); anything not in the table is a format error.

const CHARSETS = {
  n: /^[0-9]*$/,
  an: /^[A-Za-z0-9 ]*$/,
  ans: /^[\x20-\x7e]*$/,
};

// prefix: 0 = fixed length `len`; 2 = LLVAR, 3 = LLLVAR up to `max`.
const FIELDS = {
  2: { name: 'product code', charset: 'n', prefix: 2, max: 19 },
  4: { name: 'amount', charset: 'n', prefix: 0, len: 16 },
  11: { name: 'STAN', charset: 'n', prefix: 0, len: 12 },
  12: { name: 'local date-time', charset: 'n', prefix: 0, len: 14 },
  15: { name: 'settlement date', charset: 'n', prefix: 0, len: 8 },
  26: { name: 'merchant category code', charset: 'n', prefix: 0, len: 4 },
  32: { name: 'bank code', charset: 'n', prefix: 2, max: 7 },
  33: { name: 'partner central id', charset: 'n', prefix: 2, max: 7 },
  39: { name: 'response code', charset: 'an', prefix: 0, len: 4 },
  40: { name: 'network management code', charset: 'n', prefix: 0, len: 3 },
  41: { name: 'terminal id', charset: 'ans', prefix: 0, len: 16 },
  48: { name: 'additional private data', charset: 'ans', prefix: 3, max: 999 },
  56: { name: 'original data element', charset: 'n', prefix: 2, max: 37 },
  61: { name: 'additional data 2', charset: 'ans', prefix: 3, max: 999 },
  62: { name: 'additional data 3', charset: 'ans', prefix: 3, max: 999 },
  63: { name: 'info text', charset: 'ans', prefix: 3, max: 999 },
};

class IsoError extends Error {
  // partial: {mti, fields} decoded before the fault, so a 0030 reply can
  // still echo the STAN.
  constructor(message, partial) {
    super(message);
    this.name = 'IsoError';
    this.partial = partial;
  }
}

function checkValue(bit, value) {
  const def = FIELDS[bit];
  if (!def) throw new IsoError(`bit ${bit} is not defined in this dialect`);
  if (typeof value !== 'string') throw new IsoError(`bit ${bit} must be a string`);
  if (def.prefix === 0 && value.length !== def.len) {
    throw new IsoError(`bit ${bit} (${def.name}) must be ${def.len} characters, got ${value.length}`);
  }
  if (def.prefix !== 0 && value.length > def.max) {
    throw new IsoError(`bit ${bit} (${def.name}) longer than ${def.max}`);
  }
  if (!CHARSETS[def.charset].test(value)) {
    throw new IsoError(`bit ${bit} (${def.name}) is not ${def.charset}`);
  }
}

// msg: {mti: '2100', fields: {11: '000000000001', ...}} -> Buffer
function encode(msg) {
  if (!/^[0-9]{4}$/.test(msg.mti)) throw new IsoError(`bad MTI ${msg.mti}`);
  const bits = Object.keys(msg.fields).map(Number).sort((a, b) => a - b);
  const secondary = bits.some((b) => b > 64);
  const bitmap = Buffer.alloc(secondary ? 16 : 8);
  if (secondary) bitmap[0] |= 0x80;
  let body = '';
  for (const bit of bits) {
    const value = msg.fields[bit];
    checkValue(bit, value);
    bitmap[(bit - 1) >> 3] |= 0x80 >> ((bit - 1) & 7);
    const def = FIELDS[bit];
    body += (def.prefix ? String(value.length).padStart(def.prefix, '0') : '') + value;
  }
  return Buffer.from(msg.mti + bitmap.toString('hex').toUpperCase() + body, 'latin1');
}

function decode(buf) {
  const text = buf.toString('latin1');
  const mti = text.slice(0, 4);
  if (!/^[0-9]{4}$/.test(mti)) throw new IsoError('bad MTI', null);
  const partial = { mti, fields: {} };
  const fail = (why) => { throw new IsoError(why, partial); };
  const readHex = (at) => {
    const hex = text.slice(at, at + 16);
    if (!/^[0-9A-Fa-f]{16}$/.test(hex)) fail('bitmap is not 16 hex characters');
    return Buffer.from(hex, 'hex');
  };
  let pos = 4;
  let bitmap = readHex(pos);
  pos += 16;
  if (bitmap[0] & 0x80) {
    bitmap = Buffer.concat([bitmap, readHex(pos)]);
    pos += 16;
  }
  const present = [];
  for (let bit = 2; bit <= bitmap.length * 8; bit++) {
    if (bitmap[(bit - 1) >> 3] & (0x80 >> ((bit - 1) & 7))) present.push(bit);
  }
  for (const bit of present) {
    const def = FIELDS[bit];
    if (!def) fail(`bit ${bit} is not defined in this dialect`);
    let len = def.len;
    if (def.prefix) {
      const digits = text.slice(pos, pos + def.prefix);
      if (!/^[0-9]+$/.test(digits) || digits.length !== def.prefix) fail(`bit ${bit}: bad length prefix`);
      len = Number(digits);
      pos += def.prefix;
    }
    if (pos + len > text.length) fail(`bit ${bit}: message too short`);
    const value = text.slice(pos, pos + len);
    pos += len;
    try {
      checkValue(bit, value);
    } catch (e) {
      fail(e.message);
    }
    partial.fields[bit] = value;
  }
  if (pos !== text.length) fail(`${text.length - pos} trailing bytes`);
  return partial;
}

// The response MTI of a request MTI (2100 -> 2110, 2221 -> 2231), or null when
// `mti` is not a request (odd function digit).
function responseMti(mti) {
  const fn = Number(mti[2]);
  return fn % 2 === 0 ? mti.slice(0, 2) + String(fn + 1) + mti[3] : null;
}

module.exports = { FIELDS, IsoError, encode, decode, responseMti };
