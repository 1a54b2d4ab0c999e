'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { computeCharges, kwhHundredths, stampDutyFor } = require('../lib/charges');

const sum = (c) => c.admin + c.stamp_duty + c.ppn + c.ppj + c.instalment + c.power_purchase;

// R1 1,300 VA at Rp 1,444.70/kWh, customer pays Rp 102,500 = Rp 100,000 token
// + Rp 2,500 admin, PPJ 10 %: 100,000 / 1.10 = 90,909.09 (rounded down to the
// sen); PPJ takes the rest, 9,090.91; 90,909.09 / 1,444.70 = 62.926 kWh.
test('worked example: R1 1,300 VA, Rp 102,500, PPJ 10 %, admin 2,500', () => {
  const c = computeCharges({ amount: 102500, admin: 2500, stampDuty: 0, instalment: 0, ppjBp: 1000, ppnBp: 0, tariff: 144470, rounding: 'down' });
  assert.deepStrictEqual(c, { admin: 250000, stamp_duty: 0, ppn: 0, ppj: 909091, instalment: 0, power_purchase: 9090909, kwh: 6292 });
  assert.strictEqual(sum(c), 10250000);
  const up = computeCharges({ amount: 102500, admin: 2500, stampDuty: 0, instalment: 0, ppjBp: 1000, ppnBp: 0, tariff: 144470, rounding: 'half_up' });
  assert.strictEqual(up.kwh, 6293);
});

// Same purchase at PPJ 3 %: 100,000 / 1.03 = 97,087.37 (down), 67.20 kWh.
test('PPJ 3 %', () => {
  const c = computeCharges({ amount: 102500, admin: 2500, stampDuty: 0, instalment: 0, ppjBp: 300, ppnBp: 0, tariff: 144470, rounding: 'down' });
  assert.strictEqual(c.power_purchase, 9708737);
  assert.strictEqual(c.ppj, 291263);
  assert.strictEqual(c.kwh, 6720);
});

test('PPN and PPJ together, instalment and stamp duty, sum is exact', () => {
  const c = computeCharges({ amount: 5012500, admin: 2500, stampDuty: 10000, instalment: 5000, ppjBp: 240, ppnBp: 1100, tariff: 169953, rounding: 'down' });
  // base 4,995,000.00 / 1.134 = 4,404,761.90 (down)
  assert.strictEqual(c.power_purchase, 440476190);
  assert.strictEqual(c.ppn, Math.floor((440476190 * 1100) / 10000));
  assert.strictEqual(sum(c), 501250000);
  assert.strictEqual(c.kwh, Math.floor((440476190 * 100) / 169953));
});

// sureonly88/pedami-payment sample 2210: power purchase Rp 93,500.00 at the
// R1 900 VA tariff Rp 605 gives 154.55 kWh on the receipt (154.545...).
test('kWh rounding: down vs half up on the public 2210 sample', () => {
  assert.strictEqual(kwhHundredths(9350000, 60500, 'down'), 15454);
  assert.strictEqual(kwhHundredths(9350000, 60500, 'half_up'), 15455);
});

test('nothing left after fixed charges; stamp duty threshold', () => {
  assert.strictEqual(computeCharges({ amount: 2500, admin: 2500, stampDuty: 0, instalment: 0, ppjBp: 1000, ppnBp: 0, tariff: 144470, rounding: 'down' }), null);
  const rule = { threshold: 5000000, duty: 10000 };
  assert.strictEqual(stampDutyFor(5000000, rule), 0);
  assert.strictEqual(stampDutyFor(5000001, rule), 10000);
  assert.strictEqual(stampDutyFor(9000000, null), 0);
});
