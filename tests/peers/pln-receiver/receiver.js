#!/usr/bin/env node
// PLN's side of the real-time feed (docs/pln-feed.md), as an independent receiver for the
// tests: written from the documented schema only, on Node's own http and crypto modules.
//
//   node receiver.js --secret-hex HEX [--port 0] [--path /feed]
//
// POST <path>: a batch {"feed","schema","records":[...]} signed with
//   X-Pintar-Signature: sha256=<hex HMAC-SHA256 of the body>.
//   Checked in constant time; a wrong or missing signature is 401, a body that is not the
//   schema 400. Records are de-duplicated by seq, as the feed asks of its receiver.
// Faults on cue (POST /control {"fail": N, "delay_ms": D}): answer the next N batches 503,
// and/or hold each answer D ms (so that a sender can be killed with a batch in flight).
// GET /counters: requests, batches taken, records received (with repeats), unique records,
//   repeats, the highest seq, and the seqs missing below it. GET /records: the unique
//   records in seq order.
// Prints "READY http=PORT" once listening.
'use strict';
const http = require('http');
const crypto = require('crypto');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const secret = Buffer.from(arg('--secret-hex', ''), 'hex');
if (secret.length < 16) {
  console.error('receiver: --secret-hex needs at least 16 bytes');
  process.exit(64);
}
const feedPath = arg('--path', '/feed');
const port = Number(arg('--port', '0'));

const records = new Map();  // seq -> record
const counters = { requests: 0, refused_signature: 0, refused_schema: 0, failed_on_cue: 0, batches: 0,
  records_received: 0, repeats: 0 };
let fail = 0;
let delayMs = 0;

function signedRight(header, body) {
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex');
  const given = Buffer.from(String(header || ''));
  const want = Buffer.from(expected);
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

function validBatch(batch) {
  if (!batch || batch.feed !== 'pintar' || batch.schema !== 1 || !Array.isArray(batch.records)) return false;
  return batch.records.every((r) => Number.isInteger(r.seq) && r.seq > 0 && typeof r.txn_id === 'string' &&
    typeof r.state === 'string' && Number.isInteger(r.amount_rupiah) && Number.isInteger(r.energy_deci_kwh));
}

function summary() {
  const seqs = [...records.keys()];
  const max = seqs.length ? Math.max(...seqs) : 0;
  const missing = [];
  for (let s = 1; s <= max && missing.length < 100; ++s) if (!records.has(s)) missing.push(s);
  return { ...counters, unique: records.size, max_seq: max, missing };
}

function send(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.method === 'GET' && req.url === '/counters') return send(res, 200, summary());
    if (req.method === 'GET' && req.url === '/records') {
      return send(res, 200, [...records.values()].sort((a, b) => a.seq - b.seq));
    }
    if (req.method === 'POST' && req.url === '/control') {
      const c = JSON.parse(body.toString() || '{}');
      if (Number.isInteger(c.fail)) fail = c.fail;
      if (Number.isInteger(c.delay_ms)) delayMs = c.delay_ms;
      return send(res, 200, { fail, delay_ms: delayMs });
    }
    if (req.method !== 'POST' || req.url !== feedPath) return send(res, 404, { error: 'no such path' });
    counters.requests++;
    if (!signedRight(req.headers['x-pintar-signature'], body)) {
      counters.refused_signature++;
      return send(res, 401, { error: 'bad signature' });
    }
    let batch;
    try {
      batch = JSON.parse(body.toString());
    } catch (e) {
      batch = null;
    }
    if (!validBatch(batch)) {
      counters.refused_schema++;
      return send(res, 400, { error: 'not a feed batch' });
    }
    const answer = () => {
      if (fail > 0) {
        fail--;
        counters.failed_on_cue++;
        return send(res, 503, { error: 'down on cue' });
      }
      counters.batches++;
      for (const r of batch.records) {
        counters.records_received++;
        if (records.has(r.seq)) counters.repeats++;
        else records.set(r.seq, r);
      }
      send(res, 200, { taken: batch.records.length });
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`READY http=${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
