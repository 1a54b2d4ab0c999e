'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { encode, decode, responseMti, IsoError } = require('../lib/iso');
const { FrameDecoder, encodeFrame, FramingError } = require('../lib/framing');
const R = require('../lib/records');

const INQUIRY = {
  mti: '2100',
  fields: {
    2: '99502', 11: '000000000001', 12: '20261125120000', 26: '6021', 32: '4510017',
    33: '4512017', 41: '0000000000000001', 48: 'ST145S3014288007005112880070040',
  },
};

// Primary bitmaps of the prepaid sample messages in sureonly88/pedami-payment
// (app/PlnServices/PrePaidService.php): 2100 request and 2210 response.
test('bitmaps match the public 2100 and 2210 samples', () => {
  assert.strictEqual(encode(INQUIRY).toString('latin1', 4, 20), '4030004180810000');
  const resp = { mti: '2210', fields: { ...INQUIRY.fields, 4: '3600000000100000', 15: '20261125', 39: '0000', 48: 'x'.repeat(241), 62: '51', 63: 'info' } };
  assert.strictEqual(encode(resp).toString('latin1', 4, 20), '5032004182810006');
});

test('decode(encode(m)) is m, LLVAR and LLLVAR prefixes on the wire', () => {
  const wire = encode(INQUIRY).toString('latin1');
  assert.ok(wire.includes('0599502'), 'bit 2 as LL 05 + 99502');
  assert.ok(wire.includes('031ST145S3'), 'bit 48 as LLL 031 + data');
  assert.deepStrictEqual(decode(Buffer.from(wire, 'latin1')), { mti: '2100', fields: INQUIRY.fields });
});

test('secondary bitmap is read; unknown fields and bad content are IsoErrors with the partial message', () => {
  const withSecondary = Buffer.from(`2800C000000000000000${'0'.repeat(16)}`, 'latin1');
  assert.throws(() => decode(withSecondary), /bit 2: bad length prefix/);
  const unknown = Buffer.from('28002000000000000000123456', 'latin1'); // bit 3
  assert.throws(() => decode(unknown), IsoError);
  const badStan = Buffer.from('2800002000000000000012345678901X', 'latin1'); // bit 11 not numeric
  assert.throws(() => decode(badStan), (e) => e instanceof IsoError && e.partial.mti === '2800');
  const stanThenBad = Buffer.from(`2800002000000100000000000000000712X`, 'latin1'); // bit 11 ok, bit 40 'X'
  assert.throws(() => decode(stanThenBad), (e) => e.partial.fields[11] === '000000000007');
  assert.throws(() => decode(Buffer.from(`${encode(INQUIRY).toString('latin1')}extra`, 'latin1')), /trailing/);
  assert.throws(() => encode({ mti: '2100', fields: { 11: '1' } }), /must be 12 characters/);
});

test('response MTI: function digit + 1; responses have none', () => {
  assert.deepStrictEqual(['2800', '2100', '2200', '2220', '2221', '2110'].map(responseMti),
    ['2810', '2110', '2210', '2230', '2231', null]);
});

// kamshory/EBIPPMessageSpecification README: 8,498 bytes -> header 0x21 0x32.
test('bin2 header is the big-endian length without the header', () => {
  const f = encodeFrame(Buffer.alloc(8498, 0x30), { framing: 'bin2', etx: false });
  assert.deepStrictEqual([...f.subarray(0, 2)], [0x21, 0x32]);
  assert.strictEqual(f.length, 8500);
});

test('frames split across and joined within chunks, both framings, with and without ETX', () => {
  for (const opts of [{ framing: 'bin2', etx: false }, { framing: 'ascii4', etx: false }, { framing: 'bin2', etx: true }, { framing: 'ascii4', etx: true }]) {
    const a = Buffer.from('2800first');
    const b = Buffer.from('2800second');
    const stream = Buffer.concat([encodeFrame(a, opts), encodeFrame(b, opts)]);
    const d = new FrameDecoder(opts);
    const got = [];
    for (let i = 0; i < stream.length; i += 3) got.push(...d.push(stream.subarray(i, i + 3)));
    assert.deepStrictEqual(got.map(String), ['2800first', '2800second'], JSON.stringify(opts));
  }
  assert.strictEqual(encodeFrame(Buffer.from('abc'), { framing: 'ascii4', etx: true }).toString('latin1'), '0004abc\x03');
  assert.throws(() => new FrameDecoder({ framing: 'ascii4', etx: false }).push(Buffer.from('00x1a')), FramingError);
  assert.throws(() => new FrameDecoder({ framing: 'bin2', etx: true }).push(Buffer.from([0, 2, 0x41, 0x41])), /ETX/);
});

test('bit 48 / bit 62 layouts have the published widths and pad per charset', () => {
  assert.deepStrictEqual([R.INQUIRY_REQUEST, R.INQUIRY_RESPONSE, R.PURCHASE_REQUEST, R.PURCHASE_RESPONSE].map(R.width), [31, 144, 145, 241]);
  assert.strictEqual(R.pack(R.INQUIRY_REQUEST, { switcher_id: 'ABC', meter: 42, idpel: 0, flag: 0 }), `ABC    ${'0'.repeat(9)}42${'0'.repeat(13)}`);
  assert.strictEqual(R.packBit62({ distribution_code: '51', service_unit: '51106', service_unit_phone: '123', max_kwh: 936 }, [52500]),
    '5151106123            00936100000052500');
  assert.throws(() => R.unpack(R.INQUIRY_REQUEST, 'x'.repeat(30), 'bit 48'), /30 characters, expected 31/);
  assert.throws(() => R.unpack(R.INQUIRY_REQUEST, `SIM0001${'A'.repeat(11)}${'0'.repeat(13)}`, 'bit 48'), /meter is not n11/);
});
