'use strict';
// Test helpers: start the simulator as its users do (a child process and its READY line),
// talk to its control API, and drive it with an npm `smpp` client session.

const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const smpp = require('smpp');

const SIM = path.join(__dirname, '..', 'smsc-sim.js');

function api(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : JSON.stringify(body);
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath,
      headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

// Starts smsc-sim.js with `cfg` (written to a temporary file); resolves once READY is printed.
function startSim(cfg, extraArgs = []) {
  const args = [SIM, ...extraArgs];
  let cfgFile = null;
  if (cfg) {
    cfgFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smsc-sim-')), 'config.json');
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    args.push('--config', cfgFile);
  }
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (c) => { stderr += c; });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/^READY smpp=(\d+) control=(\d+)\n/);
      if (!m) return;
      const sim = {
        proc,
        smppPort: Number(m[1]),
        controlPort: Number(m[2]),
        api: (method, p, body) => api(Number(m[2]), method, p, body),
        stats: async () => (await api(Number(m[2]), 'GET', '/stats')).body,
        stop: () => new Promise((res) => {
          if (proc.exitCode !== null) return res(proc.exitCode);
          proc.once('exit', (code) => res(code));
          proc.kill('SIGTERM');
          return undefined;
        }),
      };
      resolve(sim);
    });
    proc.once('exit', (code) => reject(new Error(`sim exited ${code}: ${stderr}`)));
  });
}

// An ESME client session that queues every deliver_sm it receives and answers it with
// `deliverStatus` (a number, or a function of the PDU returning one; null = do not answer).
class Esme {
  constructor(session) {
    this.session = session;
    this.delivered = [];
    this.waiters = [];
    this.deliverStatus = 0;
    this.closed = new Promise((resolve) => session.on('close', resolve));
    session.on('error', () => {});
    session.on('deliver_sm', (pdu) => {
      const status = typeof this.deliverStatus === 'function' ? this.deliverStatus(pdu) : this.deliverStatus;
      if (status !== null) session.send(pdu.response({ command_status: status }));
      this.delivered.push(pdu);
      this._wake();
    });
  }

  _wake() {
    this.waiters = this.waiters.filter((w) => !w());
  }

  // Resolves with the first `n` deliver_sm received (all of them so far, kept), or rejects.
  waitDelivered(n, timeoutMs = 3000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${this.delivered.length} of ${n} deliver_sm`)), timeoutMs);
      const check = () => {
        if (this.delivered.length < n) return false;
        clearTimeout(timer);
        resolve(this.delivered.slice(0, n));
        return true;
      };
      if (!check()) this.waiters.push(check);
    });
  }

  call(command, fields = {}) {
    return new Promise((resolve, reject) => {
      if (!this.session[command](fields, resolve)) reject(new Error('socket not writable'));
    });
  }

  close() {
    this.session.destroy();
    return this.closed;
  }
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const session = smpp.connect({ host: '127.0.0.1', port });
    session.once('connect', () => resolve(new Esme(session)));
    session.once('error', reject);
  });
}

// Connects and binds; resolves {esme, resp}. Rejects only on a socket error.
async function bind(port, mode = 'transceiver', systemId = 'pintar', password = 'secret') {
  const esme = await connect(port);
  const resp = await esme.call(`bind_${mode}`, { system_id: systemId, password });
  return { esme, resp };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(fn, timeoutMs = 3000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

module.exports = { startSim, connect, bind, sleep, until, api };
