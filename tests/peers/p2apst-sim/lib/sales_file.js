'use strict';
// The sales file of one business day, as PLN's side of reconciliation hands it over
// (docs/reconciliation.md in pintar): CSV, a header row, one row per receipt sold that day,
// then "trailer,<rows>,<sha256 hex of every byte before the trailer line>". Written from that
// document only. The business day starts where the daily cut-off ends (00:00 without one),
// local time at utc_offset_minutes; a sale belongs to the day of its `at`.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const HEADER = 'reference,meter_no,amount_rupiah,sold_at';

function dayBounds(date, offsetMinutes, startMinute) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const midnight = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const check = new Date(midnight);
  if (check.getUTCDate() !== Number(m[3]) || check.getUTCMonth() !== Number(m[2]) - 1) return null;
  const begin = midnight - offsetMinutes * 60000 + startMinute * 60000;
  return { begin, end: begin + 86400000 };
}

// Every receipt of a sale made in [begin, end): the reference the buyer holds is the
// receipt's pln_ref (a sale taken again with buying option 1 has a receipt more).
function salesText(engine, bounds) {
  const lines = [HEADER];
  for (const receipt of [...engine.receipts.values()].sort((a, b) => a.sale_id - b.sale_id)) {
    const sale = engine.sales.find((s) => s.id === receipt.sale_id);
    if (!sale) continue;
    const at = Date.parse(sale.at);
    if (at < bounds.begin || at >= bounds.end) continue;
    lines.push([receipt.pln_ref, sale.meter, receipt.amount, new Date(Math.floor(at / 1000) * 1000).toISOString()
      .replace('.000Z', 'Z')].join(','));
  }
  const body = `${lines.join('\n')}\n`;
  const digest = crypto.createHash('sha256').update(body).digest('hex');
  return { text: `${body}trailer,${lines.length - 1},${digest}\n`, rows: lines.length - 1 };
}

// Writes the file atomically (temporary file, rename); returns {path, rows}.
function writeSalesFile(engine, date, file) {
  const cutoff = engine.config.cutoff;
  const start = cutoff ? Number(cutoff.end.slice(0, 2)) * 60 + Number(cutoff.end.slice(3, 5)) : 0;
  const bounds = dayBounds(date, engine.config.utc_offset_minutes, start);
  if (!bounds) return null;
  const { text, rows } = salesText(engine, bounds);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}`);
  fs.writeFileSync(temp, text, { mode: 0o640 });
  fs.renameSync(temp, file);
  return { path: file, rows };
}

module.exports = { writeSalesFile };
