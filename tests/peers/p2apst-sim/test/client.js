'use strict';
// A deliberately small ISO 8583 client for the tests, written apart from the
// simulator's codec so that both sides do not share a mistake. It also
// spawns the simulator and talks to its control API.

const { spawn } = require('child_process');
const http = require('http');
const net = require('net');
const path = require('path');

// bit -> width ("LL"/"LLL" = variable with that prefix).
const SPEC = '2:LL 4:16 11:12 12:14 15:8 26:4 32:LL 33:LL 39:4 40:3 41:16 48:LLL 62:LLL 63:LLL';
const WIDTH = Object.fromEntries(SPEC.split(' ').map((e) => e.split(':')).map(([b, w]) => [b, w]));

function pack(mti, fields) {
  let bitmap = 0n;
  let data = '';
  for (const bit of Object.keys(fields).map(Number).sort((a, b) => a - b)) {
    const v = fields[bit];
    const w = WIDTH[bit];
    if (w === undefined) throw new Error(`test client does not know bit ${bit}`);
    data += w.startsWith('L') ? String(v.length).padStart(w.length, '0') + v : v;
    bitmap |= 1n << BigInt(64 - bit);
  }
  return mti + bitmap.toString(16).padStart(16, '0').toUpperCase() + data;
}

function unpack(text) {
  const bitmap = BigInt(`0x${text.slice(4, 20)}`);
  if (bitmap >> 63n) throw new Error('test client does not read secondary bitmaps');
  const fields = {};
  let at = 20;
  for (let bit = 2; bit <= 64; bit++) {
    if (!((bitmap >> BigInt(64 - bit)) & 1n)) continue;
    const w = WIDTH[bit];
    let n = Number(w);
    if (w.startsWith('L')) {
      n = Number(text.slice(at, at + w.length));
      at += w.length;
    }
    fields[bit] = text.slice(at, at + n);
    at += n;
  }
  if (at !== text.length) throw new Error(`unpack: ${text.length - at} bytes left over`);
  return { mti: text.slice(0, 4), fields };
}

function frame(text, { framing = 'bin2', etx = false } = {}) {
  const body = Buffer.concat([Buffer.from(text, 'latin1'), Buffer.from(etx ? [3] : [])]);
  const head = framing === 'ascii4'
    ? Buffer.from(String(body.length).padStart(4, '0'))
    : Buffer.from([body.length >> 8, body.length & 0xff]);
  return Buffer.concat([head, body]);
}

// One TCP connection; request() resolves with the response carrying the same
// STAN, or rejects after `timeoutMs`.
class Client {
  constructor(port, opts = {}) {
    this.opts = opts;
    this.waiting = new Map();
    this.received = []; // every body in arrival order
    this.buf = Buffer.alloc(0);
    this.stan = 0;
    this.closed = new Promise((resolve) => { this.onClosed = resolve; });
    this.socket = net.connect(port, '127.0.0.1');
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (d) => this.onData(d));
    this.socket.on('close', () => this.onClosed());
    this.socket.on('error', () => {});
  }

  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    const hl = this.opts.framing === 'ascii4' ? 4 : 2;
    while (this.buf.length >= hl) {
      const len = hl === 4 ? Number(this.buf.toString('latin1', 0, 4)) : this.buf.readUInt16BE(0);
      if (this.buf.length < hl + len) break;
      let body = this.buf.subarray(hl, hl + len);
      this.buf = this.buf.subarray(hl + len);
      if (this.opts.etx) {
        if (body[body.length - 1] !== 3) throw new Error('missing ETX');
        body = body.subarray(0, body.length - 1);
      }
      const text = body.toString('latin1');
      this.received.push(text);
      let msg;
      try { msg = unpack(text); } catch (e) { continue; }
      const w = this.waiting.get(msg.fields[11]);
      if (w) {
        this.waiting.delete(msg.fields[11]);
        w(msg);
      }
    }
  }

  nextStan() {
    this.stan += 1;
    return String(this.stan).padStart(12, '0');
  }

  sendRaw(text) {
    this.socket.write(frame(text, this.opts));
  }

  request(mti, fields, timeoutMs = 2000) {
    const stan = fields[11] ?? this.nextStan();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiting.delete(stan);
        reject(new Error(`no response to ${mti} stan ${stan} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(stan, (m) => { clearTimeout(t); resolve(m); });
      this.sendRaw(pack(mti, { ...fields, 11: stan }));
    });
  }

  close() {
    this.socket.destroy();
  }
}

// Tests run at any hour, and 23:30-00:30 WIB is the cut-off: unless a test sets its own
// clock, the simulator starts at a fixed mid-morning instant.
const TEST_CLOCK = '2026-03-10T10:00:00+07:00';

function startSim(args = []) {
  const script = path.join(__dirname, '..', 'p2apst-sim.js');
  const clockArgs = args.includes('--clock') ? [] : ['--clock', TEST_CLOCK];
  const child = spawn(process.execPath, [script, ...clockArgs, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^READY iso=(\d+) control=(\d+)\n/.exec(out);
      if (m) resolve({ child, iso: Number(m[1]), control: Number(m[2]), stop: () => stopSim(child) });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code} before READY: ${out}`)));
  });
}

function stopSim(child) {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.kill('SIGTERM');
  });
}

function control(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

module.exports = { Client, startSim, control, pack, unpack, frame };
