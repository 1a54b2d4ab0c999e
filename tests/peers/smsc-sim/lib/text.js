'use strict';
// Message text: data_coding (SMPP 3.4 §5.2.19), user data headers (3GPP TS 23.040 §9.2.3.24)
// and splitting of long mobile-originated messages.
//
// In SMPP each GSM 03.38 septet travels unpacked, one per octet (§5.2.19 note), so a GSM
// "unit" is one octet here; a UCS-2 unit is two octets; a Latin-1 unit is one octet.

const smpp = require('smpp');

const DCS = { GSM: 0x00, IA5: 0x01, LATIN1: 0x03, BINARY: 0x04, UCS2: 0x08 };
const ESC = 0x1b; // GSM 03.38 escape to the extension table
const IEI_CONCAT_8BIT = 0x00;
const IEI_CONCAT_16BIT = 0x08;

const ENCODINGS = {
  gsm: { dcs: DCS.GSM, unit: 1, single: 160, udhPart: 153 },
  ucs2: { dcs: DCS.UCS2, unit: 2, single: 70, udhPart: 67 },
  latin1: { dcs: DCS.LATIN1, unit: 1, single: 140, udhPart: 134 },
  // 8-bit data (a modem, a SIM application): `text` gives the octets in hex.
  binary: { dcs: DCS.BINARY, unit: 1, single: 140, udhPart: 134 },
};

// Text of user data (UDH already removed) for the alphabets the simulator knows; null otherwise.
// data_coding 1 is IA5/ASCII in §5.2.19, but ESMEs (node-smpp among them) send GSM 03.38
// octets under it; the two agree on letters, digits and space, and GSM is the common reading.
function decodeText(data, dataCoding) {
  let dcs = dataCoding;
  // Coding group 1111 (GSM 03.38 §4): bit 2 selects 8-bit data, else the default alphabet.
  if ((dcs & 0xf0) === 0xf0) dcs = (dcs & 0x04) ? 0x04 : DCS.GSM;
  switch (dcs) {
    case DCS.GSM:
    case DCS.IA5:
      return smpp.gsmCoder.decode(data, 0x00);
    case DCS.LATIN1: return data.toString('latin1');
    case DCS.UCS2: return smpp.encodings.UCS2.decode(data);
    default: return null;
  }
}

function encodeText(text, encoding) {
  switch (encoding) {
    case 'gsm': return smpp.gsmCoder.encode(text, 0x00);
    case 'ucs2': return smpp.encodings.UCS2.encode(text);
    case 'latin1': return Buffer.from(text, 'latin1');
    case 'binary': return Buffer.from(text, 'hex');
    default: throw new Error(`unknown encoding ${encoding}`);
  }
}

// Splits user data [{udh, data}] when esm_class has UDHI (0x40); the UDH keeps its length octet.
function splitUdh(userData, esmClass) {
  if (!(esmClass & 0x40) || userData.length === 0) return { udh: null, data: userData };
  const udhLength = userData[0] + 1;
  if (udhLength > userData.length) return { udh: null, data: userData };
  return { udh: userData.subarray(0, udhLength), data: userData.subarray(udhLength) };
}

// Concatenation information element of a UDH, or null.
function concatInfo(udh) {
  if (!udh) return null;
  let i = 1;
  while (i + 1 < udh.length) {
    const iei = udh[i];
    const len = udh[i + 1];
    const ie = udh.subarray(i + 2, i + 2 + len);
    if (iei === IEI_CONCAT_8BIT && len === 3) return { ref: ie[0], total: ie[1], seq: ie[2] };
    if (iei === IEI_CONCAT_16BIT && len === 4) return { ref: ie.readUInt16BE(0), total: ie[2], seq: ie[3] };
    i += 2 + len;
  }
  return null;
}

function concatUdh(ref, total, seq) {
  return Buffer.from([0x05, IEI_CONCAT_8BIT, 0x03, ref & 0xff, total, seq]);
}

// Cuts encoded text into parts of at most `partUnits` units, never between a GSM escape and
// the character it escapes, nor inside a UTF-16 surrogate pair.
function splitUnits(encoded, encoding, partUnits) {
  const unit = ENCODINGS[encoding].unit;
  const maxOctets = partUnits * unit;
  const parts = [];
  let start = 0;
  while (start < encoded.length) {
    let end = Math.min(start + maxOctets, encoded.length);
    if (end < encoded.length) {
      if (encoding === 'gsm' && encoded[end - 1] === ESC) end -= 1;
      const last = end - 2;
      if (encoding === 'ucs2' && last >= start && encoded[last] >= 0xd8 && encoded[last] <= 0xdb) end -= 2;
    }
    if (end <= start) throw new Error('part_size too small');
    parts.push(encoded.subarray(start, end));
    start = end;
  }
  return parts;
}

module.exports = { DCS, ENCODINGS, decodeText, encodeText, splitUdh, concatInfo, concatUdh, splitUnits };
