#!/usr/bin/env node
'use strict';
// Ceiling benchmark: an npm `smpp` transceiver that submits --count submit_sm with at most
// --window outstanding and (with --receipts 1) waits for and acknowledges every receipt.
// Prints one JSON line: {"submitted","failed","receipts","seconds","rate"}; rate is
// submitted / seconds, the time running from the first submit_sm to the last awaited PDU.
// With --mo N it instead asks the simulator's control API (--control-port) for N MO
// messages and times their arrival: {"mo","seconds","rate"}.

const http = require('http');
const { parseArgs } = require('util');
const smpp = require('smpp');

const EX_USAGE = 64;

function fail(message, code = 1) {
  process.stderr.write(`bench-client: ${message}\n`);
  process.exit(code);
}

function options() {
  let v;
  try {
    v = parseArgs({
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string' },
        'control-port': { type: 'string' },
        'system-id': { type: 'string', default: 'pintar' },
        password: { type: 'string', default: 'secret' },
        count: { type: 'string', default: '10000' },
        window: { type: 'string', default: '10' },
        receipts: { type: 'string', default: '1' },
        mo: { type: 'string', default: '0' },
        to: { type: 'string', default: '628120000001' },
        from: { type: 'string', default: '1234' },
        'timeout-s': { type: 'string', default: '120' },
      },
    }).values;
  } catch (e) {
    return fail(e.message, EX_USAGE);
  }
  const int = (name, min) => {
    const n = Number(v[name]);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}`, EX_USAGE);
    return n;
  };
  if (v.port === undefined) fail('--port is required', EX_USAGE);
  return {
    host: v.host, port: int('port', 1), systemId: v['system-id'], password: v.password,
    count: int('count', 1), window: int('window', 1), receipts: int('receipts', 0) !== 0,
    mo: int('mo', 0), controlPort: v['control-port'] === undefined ? null : int('control-port', 1),
    to: v.to, from: v.from, timeoutMs: int('timeout-s', 1) * 1000,
  };
}

function post(port, path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function bindSession(o) {
  return new Promise((resolve) => {
    const session = smpp.connect({ host: o.host, port: o.port });
    session.on('error', (e) => fail(`socket: ${e.message}`));
    session.on('connect', () => {
      const { socket } = session;
      socket.setNoDelay(true);
      // Coalesce the PDUs written while handling one read (next submit_sm, deliver_sm_resp)
      // into one segment: corked before the session's own 'readable' handler runs.
      socket.prependListener('readable', () => {
        socket.cork();
        process.nextTick(() => socket.uncork());
      });
      session.bind_transceiver({ system_id: o.systemId, password: o.password }, (pdu) => {
        if (pdu.command_status !== 0) fail(`bind refused: status 0x${pdu.command_status.toString(16)}`);
        resolve(session);
      });
    });
  });
}

function runSubmits(o, session) {
  return new Promise((resolve) => {
    let sent = 0;
    let answered = 0;
    let failed = 0;
    let receipts = 0;
    let start;
    const done = () => answered === o.count && (!o.receipts || receipts === o.count - failed);
    const finish = () => resolve({ submitted: o.count - failed, failed, receipts, seconds: (Date.now() - start) / 1000 });
    session.on('deliver_sm', (pdu) => {
      session.send(pdu.response());
      if (pdu.esm_class & 0x04) receipts++;
      if (done()) finish();
    });
    const sendOne = () => {
      const n = sent++;
      session.submit_sm({
        source_addr: o.from, destination_addr: o.to, registered_delivery: o.receipts ? 1 : 0,
        data_coding: 0, short_message: `bench message ${n}`,
      }, (resp) => {
        answered++;
        if (resp.command_status !== 0) failed++;
        if (sent < o.count) sendOne();
        if (done()) finish();
      });
    };
    start = Date.now();
    for (let i = 0; i < Math.min(o.window, o.count); i++) sendOne();
  });
}

function runMo(o, session) {
  if (o.controlPort === null) fail('--mo needs --control-port', EX_USAGE);
  return new Promise((resolve, reject) => {
    let got = 0;
    let start;
    session.on('deliver_sm', (pdu) => {
      session.send(pdu.response());
      if (++got === o.mo) resolve({ mo: got, seconds: (Date.now() - start) / 1000 });
    });
    start = Date.now();
    post(o.controlPort, '/mo', { from: o.to, to: o.from, text: 'bench mobile-originated message', count: o.mo })
      .catch(reject);
  });
}

async function main() {
  const o = options();
  setTimeout(() => fail(`not finished within ${o.timeoutMs / 1000} s`), o.timeoutMs).unref();
  const session = await bindSession(o);
  const r = o.mo > 0 ? await runMo(o, session) : await runSubmits(o, session);
  const n = o.mo > 0 ? r.mo : r.submitted;
  r.rate = Math.round(n / Math.max(r.seconds, 0.001));
  process.stdout.write(JSON.stringify(r) + '\n');
  session.unbind({}, () => session.destroy());
  setTimeout(() => session.destroy(), 500).unref();
}

main().catch((e) => fail(e.message));
