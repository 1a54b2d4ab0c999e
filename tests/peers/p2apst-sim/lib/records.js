'use strict';
// Fixed-width records carried inside bit 48 and bit 62 of prepaid (99502)
// messages. Each layout is a table of [name, charset, width]; `n` fields are
// right-aligned with zeros, `an`/`ans` fields left-aligned with spaces.

const { IsoError } = require('./iso');

const PATTERNS = { n: /^[0-9]*$/, an: /^[A-Za-z0-9 ]*$/, ans: /^[\x20-\x7e]*$/ };

// Amounts carry their own number of decimals (the "minor unit"); the simulator
// always writes 2 for money and kWh.
const minorAndValue = (name, width) => [[`${name}_minor`, 'n', 1], [name, 'n', width]];

const INQUIRY_REQUEST = [
  ['switcher_id', 'ans', 7],
  ['meter', 'n', 11],
  ['idpel', 'n', 12],
  ['flag', 'n', 1], // 0 = look up by meter, 1 = by IDPEL
];
const REFS = [
  ['pln_ref', 'ans', 32],
  ['switcher_ref', 'ans', 32],
];
const SUBSCRIBER = [
  ['name', 'ans', 25],
  ['tariff', 'ans', 4],
  ['power_va', 'n', 9],
];
const INQUIRY_RESPONSE = [...INQUIRY_REQUEST, ...REFS, ...SUBSCRIBER, ...minorAndValue('admin', 10)];
const PURCHASE_REQUEST = [...INQUIRY_RESPONSE, ['buying_option', 'n', 1]];
const PURCHASE_RESPONSE = [
  ...INQUIRY_REQUEST,
  ...REFS,
  ['vending_receipt', 'n', 8],
  ...SUBSCRIBER,
  ['buying_option', 'n', 1],
  ...minorAndValue('admin', 10),
  ...minorAndValue('stamp_duty', 10),
  ...minorAndValue('ppn', 10),
  ...minorAndValue('ppj', 10),
  ...minorAndValue('instalment', 10),
  ...minorAndValue('power_purchase', 12),
  ...minorAndValue('kwh', 10),
  ['token', 'n', 20],
];
const NETWORK = [['switcher_id', 'ans', 7]];
const BIT62_HEAD = [
  ['distribution_code', 'n', 2],
  ['service_unit', 'n', 5],
  ['service_unit_phone', 'ans', 15],
  ['max_kwh', 'n', 5],
  ['unsold_count', 'n', 1],
];
const UNSOLD_AMOUNT_WIDTH = 11;

const width = (layout) => layout.reduce((sum, [, , w]) => sum + w, 0);

function pack(layout, values) {
  return layout.map(([name, charset, w]) => {
    const raw = values[name];
    if (raw === undefined || raw === null) throw new Error(`record field ${name} missing`);
    const s = String(raw);
    if (s.length > w || !PATTERNS[charset].test(s)) throw new Error(`record field ${name}=${JSON.stringify(s)} does not fit ${charset}${w}`);
    return charset === 'n' ? s.padStart(w, '0') : s.padEnd(w, ' ');
  }).join('');
}

// Returns the fields as the raw strings found (padding kept); throws IsoError
// (a format error, response 0030) on a wrong length or character set.
function unpack(layout, text, what) {
  if (text.length !== width(layout)) {
    throw new IsoError(`${what}: ${text.length} characters, expected ${width(layout)}`);
  }
  const out = {};
  let pos = 0;
  for (const [name, charset, w] of layout) {
    const s = text.slice(pos, pos + w);
    if (!PATTERNS[charset].test(s)) throw new IsoError(`${what}: field ${name} is not ${charset}${w}`);
    out[name] = s;
    pos += w;
  }
  return out;
}

function packBit62(info, unsoldAmounts) {
  return pack(BIT62_HEAD, { ...info, unsold_count: unsoldAmounts.length })
    + unsoldAmounts.map((a) => String(a).padStart(UNSOLD_AMOUNT_WIDTH, '0')).join('');
}

module.exports = {
  INQUIRY_REQUEST,
  INQUIRY_RESPONSE,
  PURCHASE_REQUEST,
  PURCHASE_RESPONSE,
  NETWORK,
  BIT62_HEAD,
  UNSOLD_AMOUNT_WIDTH,
  width,
  pack,
  unpack,
  packBit62,
};
