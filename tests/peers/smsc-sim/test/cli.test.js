'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const smpp = require('smpp');
const { startSim, bind, until } = require('./helpers');

const SIM = path.join(__dirname, '..', 'smsc-sim.js');

test('a bad config or usage exits 78 or 64 with a message', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsc-sim-'));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({ receipt: { form: 'sometimes' } }));
  let r = spawnSync(process.execPath, [SIM, '--config', bad], { encoding: 'utf8' });
  assert.strictEqual(r.status, 78);
  assert.match(r.stderr, /receipt\.form/);
  r = spawnSync(process.execPath, [SIM, '--smpp-port', 'x'], { encoding: 'utf8' });
  assert.strictEqual(r.status, 64);
  assert.strictEqual(r.stdout, '');
});

test('SIGTERM exits 0; sim-originated enquire_link', async () => {
  const sim = await startSim({ enquire_link_interval_ms: 50 });
  const { esme } = await bind(sim.smppPort);
  const got = new Promise((resolve) => esme.session.once('enquire_link', (pdu) => {
    esme.session.send(pdu.response());
    resolve();
  }));
  await got;
  await until(async () => (await sim.stats()).enquire_link_resp_received >= 1);
  assert.strictEqual(await sim.stop(), 0);
  await esme.closed;
});

test('SMPP over TLS', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsc-sim-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1',
      '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  } catch (e) {
    t.skip('openssl not available');
    return;
  }
  const sim = await startSim(null, ['--tls-key', key, '--tls-cert', cert]);
  t.after(() => sim.stop());
  const session = smpp.connect({ host: '127.0.0.1', port: sim.smppPort, tls: true, rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    session.once('secureConnect', resolve);
    session.once('error', reject);
  });
  const resp = await new Promise((resolve) => session.bind_transceiver({ system_id: 'pintar', password: 'secret' }, resolve));
  assert.strictEqual(resp.command_status, 0);
  session.destroy();
});
