'use strict';
// Breakdown of a prepaid purchase amount, integer arithmetic only (BigInt).
//
//   base            = amount - admin - stamp duty - instalment        (rupiah)
//   power purchase  = floor(base * 10000 / (10000 + PPJ bp + PPN bp)) (sen)
//   taxes           = base - power purchase                            (sen)
//   PPN             = floor(power purchase * PPN bp / 10000)           (sen)
//   PPJ             = taxes - PPN   (PPJ absorbs every rounding remainder)
//   kWh             = power purchase / tariff, in hundredths of a kWh,
//                     rounded down (default) or half up
//
// so admin + stamp + PPN + PPJ + instalment + power purchase == amount exactly.
// Money results are in sen (1/100 rupiah), energy in 1/100 kWh: the 2 minor
// digits bit 48 carries.

const BP = 10000n;

function stampDutyFor(amount, rule) {
  return rule && amount > rule.threshold ? rule.duty : 0;
}

// tariff: hundredths of a rupiah per kWh (1,444.70 -> 144470).
function kwhHundredths(powerPurchaseSen, tariff, rounding) {
  const num = BigInt(powerPurchaseSen) * 100n;
  const den = BigInt(tariff);
  return Number(rounding === 'half_up' ? (2n * num + den) / (2n * den) : num / den);
}

// All inputs integers: amount/admin/stampDuty/instalment rupiah, rates in
// basis points, tariff in hundredths of a rupiah per kWh. Returns null when
// nothing is left for electricity after the fixed charges.
function computeCharges({ amount, admin, stampDuty, instalment, ppjBp, ppnBp, tariff, rounding }) {
  const baseRp = BigInt(amount) - BigInt(admin) - BigInt(stampDuty) - BigInt(instalment);
  if (baseRp <= 0n) return null;
  const base = baseRp * 100n;
  const powerPurchase = (base * BP) / (BP + BigInt(ppjBp) + BigInt(ppnBp));
  const ppn = (powerPurchase * BigInt(ppnBp)) / BP;
  const ppj = base - powerPurchase - ppn;
  return {
    admin: admin * 100,
    stamp_duty: stampDuty * 100,
    ppn: Number(ppn),
    ppj: Number(ppj),
    instalment: instalment * 100,
    power_purchase: Number(powerPurchase),
    kwh: kwhHundredths(powerPurchase, tariff, rounding),
  };
}

module.exports = { computeCharges, kwhHundredths, stampDutyFor };
