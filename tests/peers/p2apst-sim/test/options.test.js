'use strict';
// Start-up options: ascii4 framing with ETX and the example config file,
// --state across a restart, and the exit codes of bad invocations.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert');
const { spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { Client, startSim, control } = require('./client');

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples', 'config.json');
const BASE = { 12: '20261125120000', 26: '6021', 32: '4510017', 33: '4512017', 41: 'PINTAR-TEST-0002' };
const amount = (rupiah) => `3600${String(rupiah).padStart(12, '0')}`;

async function session(port, opts, switcher) {
  const c = new Client(port, opts);
  await c.ready;
  const on = await c.request('2800', { 12: BASE[12], 33: BASE[33], 40: '001', 41: BASE[41], 48: switcher });
  assert.strictEqual(on.fields[39], '0000');
  return c;
}
const inquire = (c, switcher, meter) => c.request('2100', { ...BASE, 2: '99502', 48: `${switcher}${meter}${'0'.repeat(12)}0` });
const buy = (c, inq, rupiah, timeout) => c.request('2200', { ...BASE, 2: '99502', 4: amount(rupiah), 48: `${inq.fields[48]}0` }, timeout);

describe('ascii4 framing with ETX and the example config', () => {
  const SW = 'JTL53L3';
  let sim;
  let c;
  before(async () => {
    sim = await startSim(['--framing', 'ascii4', '--etx', '--config', EXAMPLE]);
    c = await session(sim.iso, { framing: 'ascii4', etx: true }, SW);
  });
  after(async () => { c.close(); await sim.stop(); });

  it('frames are 4 ASCII digits counting the trailing ETX', async () => {
    const raw = new net.Socket();
    const got = new Promise((resolve) => raw.on('data', resolve));
    await new Promise((resolve) => raw.connect(sim.iso, '127.0.0.1', resolve));
    const body = '28000020000001000000000000000001301';
    raw.write(`${String(body.length + 1).padStart(4, '0')}${body}\x03`);
    const reply = (await got).toString('latin1');
    raw.destroy();
    assert.strictEqual(reply, `0040${'28100020000003000000000000000001' + '0000301'}\x03`);
  });

  it('purchase with instalment, PPJ 3 %, admin 3,000 and half-up kWh', async () => {
    const inq = await inquire(c, SW, '01428800700');
    assert.strictEqual(inq.fields[39], '0000');
    assert.strictEqual(inq.fields[48].slice(133), '20000300000');
    assert.strictEqual(inq.fields[62].slice(0, 22), '5151128' + '0315000123'.padEnd(15));
    const r = await buy(c, inq, 103000);
    assert.strictEqual(r.fields[39], '0000');
    const b = r.fields[48];
    // base 95,000 (103,000 - 3,000 admin - 5,000 instalment); / 1.03 = 92,233.00 (down);
    // PPJ 2,767.00; 92,233.00 / 605 = 152.451 kWh -> 152.45
    assert.deepStrictEqual(
      [b.slice(143, 153), b.slice(176, 186), b.slice(187, 197), b.slice(198, 210), b.slice(211, 221)].map(Number),
      [300000, 276700, 500000, 9223300, 15245],
    );
    assert.strictEqual(r.fields[63], 'Rincian tagihan dapat diakses di www.pln.co.id atau PLN terdekat');
    assert.strictEqual((await control(sim.control, 'GET', '/deposit')).body.deposit, 5000000 - 100000);
  });

  it('advice not found uses the configured 0096; no cut-off when disabled; kWh limit from the account; denominations', async () => {
    const inq = await inquire(c, SW, '32016567720');
    const adv = await c.request('2220', { ...BASE, 2: '99502', 4: amount(53000), 48: `${inq.fields[48]}0` });
    assert.deepStrictEqual([adv.mti, adv.fields[39]], ['2230', '0096']);
    await control(sim.control, 'POST', '/clock', { now: '2026-11-25T23:45:00+07:00' });
    assert.strictEqual((await inquire(c, SW, '32016567720')).fields[39], '0000');
    await control(sim.control, 'POST', '/clock', { now: null });
    const small = await inquire(c, SW, '14000000000');
    assert.strictEqual(small.fields[62].slice(22, 39), '00010' + '1' + '00000050000', 'max 10 kWh, one preloaded unsold token');
    assert.strictEqual((await buy(c, small, 53000)).fields[39], '0047');
    const listed = await inquire(c, SW, '32016567720');
    assert.strictEqual((await buy(c, listed, 73000)).fields[39], '0013', 'Rp 70,000 is not a listed denomination');
  });

  it('an account delay holds back only its own replies', async () => {
    const t0 = Date.now();
    const slow = inquire(c, SW, '14123456789').then(() => Date.now() - t0);
    const fast = inquire(c, SW, '32016567720').then(() => Date.now() - t0);
    const [s, f] = await Promise.all([slow, fast]);
    assert.ok(s >= 150, `slow account answered after ${s} ms`);
    assert.ok(f < s, 'the other reply overtook it');
  });
});

describe('--state keeps sales across a restart', () => {
  it('advice after a restart still returns the token of a sale whose reply was dropped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2apst-sim-'));
    const state = path.join(dir, 'state.json');
    let sim;
    let c;
    try {
      sim = await startSim(['--state', state]);
      c = await session(sim.iso, {}, 'SIM0001');
      const inq = await inquire(c, 'SIM0001', '11000000004');
      await control(sim.control, 'POST', '/faults', { kind: 'drop_after_sale' });
      await assert.rejects(buy(c, inq, 102500, 300), /no response/);
      c.close();
      await sim.stop();
      sim = await startSim(['--state', state]);
      c = await session(sim.iso, {}, 'SIM0001');
      const adv = await c.request('2221', { ...BASE, 2: '99502', 4: amount(102500), 48: `${inq.fields[48]}0` });
      assert.strictEqual(adv.fields[39], '0000');
      assert.match(adv.fields[48].slice(221), /^[0-9]{20}$/);
      assert.strictEqual((await control(sim.control, 'GET', '/deposit')).body.deposit, 100000000 - 100000);
      assert.strictEqual((await buy(c, inq, 102500)).fields[39], '0094', 'no second sale after the restart');
      const fresh = await inquire(c, 'SIM0001', '11000000004');
      assert.notStrictEqual(fresh.fields[48].slice(31, 63), inq.fields[48].slice(31, 63), 'reference sequence carried over');
    } finally {
      c?.close();
      await sim?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tokens_file hands out the given tokens first', () => {
  it('a meter gets its listed tokens in order, then HMAC tokens; other meters are unaffected', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2apst-sim-'));
    const listed = ['12345678901234567890', '00000000000000000042'];
    fs.writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ 11000000004: listed }));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ tokens_file: 'tokens.json' }));
    let sim;
    let c;
    try {
      sim = await startSim(['--config', path.join(dir, 'config.json')]);
      c = await session(sim.iso, {}, 'SIM0001');
      const bought = [];
      for (let i = 0; i < 3; i++) {
        const inq = await inquire(c, 'SIM0001', '11000000004');
        const r = await buy(c, inq, 52500);
        assert.strictEqual(r.fields[39], '0000');
        bought.push(r.fields[48].slice(221));
      }
      assert.deepStrictEqual(bought.slice(0, 2), listed);
      assert.match(bought[2], /^[0-9]{20}$/);
      assert.ok(!listed.includes(bought[2]), 'the list is used up: an HMAC token follows');
      const other = await buy(c, await inquire(c, 'SIM0001', '11000000001'), 52500);
      assert.ok(!listed.includes(other.fields[48].slice(221)));
      fs.writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ 11000000004: ['123'] }));
      const r = spawnSync(process.execPath, [path.join(ROOT, 'p2apst-sim.js'), '--config', path.join(dir, 'config.json')], { encoding: 'utf8', timeout: 5000 });
      assert.strictEqual(r.status, 78);
      assert.match(r.stderr, /tokens must be 20-digit strings/);
    } finally {
      c?.close();
      await sim?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad invocations', () => {
  const run = (...args) => spawnSync(process.execPath, [path.join(ROOT, 'p2apst-sim.js'), ...args], { encoding: 'utf8', timeout: 5000 });
  it('usage errors exit 64, config errors 78, with a message on stderr', () => {
    assert.strictEqual(run('--port', 'x').status, 64);
    assert.strictEqual(run('--framing', 'bin4').status, 64);
    assert.strictEqual(run('--bogus').status, 64);
    const missing = run('--config', '/nonexistent/p2apst.json');
    assert.strictEqual(missing.status, 78);
    assert.match(missing.stderr, /nonexistent/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2apst-sim-'));
    try {
      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify({ accounts: [{ meter: '123', idpel: '511000000001', name: 'X', tariff: 'R1', power_va: 900 }] }));
      const r = run('--config', bad);
      assert.strictEqual(r.status, 78);
      assert.match(r.stderr, /meter must be 11 digits/);
      fs.writeFileSync(bad, JSON.stringify({ accounts: [{ meter: '12345678901', idpel: '511000000001', name: 'X', tariff: 'R9', power_va: 900 }] }));
      assert.match(run('--config', bad).stderr, /no tariff for R9 900 VA/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
