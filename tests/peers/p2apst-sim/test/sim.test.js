'use strict';
// End-to-end: the simulator as a child process, driven over TCP by the test
// client and over HTTP through its control API.

const { describe, it, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Client, startSim, control } = require('./client');

const SECRET = 'p2apst-sim token secret'; // defaults.json token_secret
const SWITCHER = 'SIM0001';
const BASE = { 12: '20261125120000', 26: '6021', 32: '4510017', 33: '4512017', 41: 'PINTAR-TEST-0001' };
const DEWI = { meter: '11000000004', idpel: '511000000004' }; // R1 1,300 VA, PPJ 10 %
const SITI = { meter: '11000000001', idpel: '511000000001' }; // R1 450 VA, max 324 kWh
const ANI = { meter: '11000000010', idpel: '511000000010' }; // two unsold tokens preloaded
const SHORT = 300; // ms to wait for a reply the simulator must not send

// Offsets of the 241-character purchase response (bit 48), written out here
// rather than imported so that a layout slip in the simulator shows up.
const P241 = [['switcher_id', 7], ['meter', 11], ['idpel', 12], ['flag', 1], ['pln_ref', 32], ['switcher_ref', 32],
  ['vending_receipt', 8], ['name', 25], ['tariff', 4], ['power_va', 9], ['buying_option', 1],
  ['admin_minor', 1], ['admin', 10], ['stamp_minor', 1], ['stamp', 10], ['ppn_minor', 1], ['ppn', 10],
  ['ppj_minor', 1], ['ppj', 10], ['instalment_minor', 1], ['instalment', 10],
  ['pp_minor', 1], ['power_purchase', 12], ['kwh_minor', 1], ['kwh', 10], ['token', 20]];
function split(text, layout) {
  const out = {};
  let at = 0;
  for (const [name, w] of layout) { out[name] = text.slice(at, at + w); at += w; }
  assert.strictEqual(at, text.length, 'record length');
  return out;
}
const tokenFor = (meter, plnRef) => (BigInt(`0x${crypto.createHmac('sha256', SECRET).update(meter + plnRef).digest('hex')}`) % 10n ** 20n)
  .toString().padStart(20, '0');
const amount = (rupiah) => `3600${String(rupiah).padStart(12, '0')}`;
const lookup = (who, byIdpel = false) => `${SWITCHER}${byIdpel ? '0'.repeat(11) : who.meter}${byIdpel ? who.idpel : '0'.repeat(12)}${byIdpel ? 1 : 0}`;
const bit62 = (s) => ({ dist: s.slice(0, 2), unit: s.slice(2, 7), phone: s.slice(7, 22), maxKwh: Number(s.slice(22, 27)), unsold: Array.from({ length: Number(s[27]) }, (_, i) => Number(s.slice(28 + 11 * i, 39 + 11 * i))) });

const signOn = (c, sw = SWITCHER) => c.request('2800', { 12: BASE[12], 33: BASE[33], 40: '001', 41: BASE[41], 48: sw });
const inquire = (c, who, byIdpel) => c.request('2100', { ...BASE, 2: '99502', 48: lookup(who, byIdpel) });
const buy = (c, inq, rupiah, option = '0', extra = {}, timeout = undefined) => c.request('2200', { ...BASE, 2: '99502', 4: amount(rupiah), 48: inq.fields[48] + option, ...extra }, timeout);
const advise = (c, mti, purchaseBit48, rupiah, timeout) => c.request(mti, { ...BASE, 2: '99502', 4: amount(rupiah), 48: purchaseBit48 }, timeout);

describe('simulator over bin2 framing', () => {
  let sim;
  let c;
  const ctl = (method, p, body) => control(sim.control, method, p, body);
  const fault = async (f) => assert.strictEqual((await ctl('POST', '/faults', f)).status, 200);
  const deposit = async () => (await ctl('GET', '/deposit')).body.deposit;

  before(async () => { sim = await startSim(); });
  after(async () => assert.deepStrictEqual(await sim.stop(), { code: 0, signal: null }, 'clean exit on SIGTERM'));
  beforeEach(async () => {
    await ctl('POST', '/reset');
    c = new Client(sim.iso);
    await c.ready;
    assert.strictEqual((await signOn(c)).fields[39], '0000');
  });
  afterEach(() => c.close());

  it('requires sign-on before financial messages; echo works any time; sign-off ends the session', async () => {
    const fresh = new Client(sim.iso);
    await fresh.ready;
    assert.strictEqual((await inquire(fresh, DEWI)).fields[39], '0011');
    const echo = await fresh.request('2800', { 12: BASE[12], 33: BASE[33], 40: '301', 41: BASE[41] });
    assert.strictEqual(echo.mti, '2810');
    assert.deepStrictEqual([echo.fields[39], echo.fields[40]], ['0000', '301']);
    const on = await signOn(fresh);
    assert.deepStrictEqual([on.mti, on.fields[39], on.fields[48]], ['2810', '0000', SWITCHER]);
    assert.strictEqual((await inquire(fresh, DEWI)).fields[39], '0000');
    await fresh.request('2800', { 12: BASE[12], 33: BASE[33], 40: '002', 41: BASE[41], 48: SWITCHER });
    assert.strictEqual((await inquire(fresh, DEWI)).fields[39], '0011');
    assert.strictEqual((await signOn(fresh, 'OTHER01')).fields[39], '0032');
    await fault({ kind: 'refuse_signon', code: '0006' });
    assert.strictEqual((await signOn(fresh)).fields[39], '0006');
    assert.strictEqual((await inquire(fresh, DEWI)).fields[39], '0011');
    fresh.close();
  });

  it('inquiry by meter: 144-character bit 48 and bit 62', async () => {
    const r = await inquire(c, DEWI);
    assert.strictEqual(r.mti, '2110');
    assert.strictEqual(r.fields[39], '0000');
    for (const bit of [2, 11, 12, 26, 32, 33, 41]) assert.ok(r.fields[bit] !== undefined, `bit ${bit} echoed`);
    const b = r.fields[48];
    assert.strictEqual(b.length, 144);
    assert.strictEqual(b.slice(0, 31), `${SWITCHER}${DEWI.meter}${DEWI.idpel}0`);
    assert.match(b.slice(31, 63), /^[0-9A-F]{32}$/, 'PLN ref');
    assert.match(b.slice(63, 95), /^[0-9A-F]{32}$/, 'switcher ref');
    assert.strictEqual(b.slice(95, 120), 'DEWI LESTARI'.padEnd(25));
    assert.strictEqual(b.slice(120, 124), 'R1  ');
    assert.strictEqual(b.slice(124, 133), '000001300');
    assert.strictEqual(b.slice(133), '20000250000', 'admin Rp 2,500.00 with minor unit 2');
    assert.deepStrictEqual(bit62(r.fields[62]), { dist: '51', unit: '51106', phone: '123'.padEnd(15), maxKwh: 936, unsold: [] });
    const again = await inquire(c, DEWI);
    assert.notStrictEqual(again.fields[48].slice(31, 63), b.slice(31, 63), 'each inquiry gets its own PLN ref');
  });

  it('inquiry by IDPEL and the subscriber error codes', async () => {
    const r = await inquire(c, DEWI, true);
    assert.strictEqual(r.fields[39], '0000');
    assert.strictEqual(r.fields[48].slice(0, 31), `${SWITCHER}${DEWI.meter}${DEWI.idpel}1`, 'both numbers filled in, flag kept');
    const code = async (b48) => (await c.request('2100', { ...BASE, 2: '99502', 48: b48 })).fields[39];
    assert.strictEqual(await code(`${SWITCHER}${'0'.repeat(23)}0`), '0009');
    assert.strictEqual(await code(`${SWITCHER}${'0'.repeat(23)}1`), '0009');
    assert.strictEqual(await code(`${SWITCHER}12345678901${'0'.repeat(12)}0`), '0014');
    assert.strictEqual(await code(`${SWITCHER}${'0'.repeat(11)}999999999999${1}`), '0014');
    assert.strictEqual(await code(`${SWITCHER}${DEWI.meter}${SITI.idpel}0`), '0015');
    assert.strictEqual(await code(lookup({ meter: '11000000008' })), '0016');
    assert.strictEqual(await code(lookup({ meter: '11000000009' })), '0077');
    assert.strictEqual(await code(`${SWITCHER}${DEWI.meter}${'0'.repeat(12)}7`), '0030');
  });

  it('partner, product and format checks: 0031 0032 0033 0030', async () => {
    const code = async (over) => (await c.request('2100', { ...BASE, 2: '99502', 48: lookup(DEWI), ...over })).fields[39];
    assert.strictEqual(await code({ 32: '9999999' }), '0031');
    assert.strictEqual(await code({ 33: '9999999' }), '0032');
    assert.strictEqual(await code({ 48: `OTHER01${lookup(DEWI).slice(7)}` }), '0032');
    assert.strictEqual(await code({ 2: '99501' }), '0033');
    assert.strictEqual(await code({ 48: lookup(DEWI).slice(1) }), '0030');
    // bit 26 missing: mandatory in every financial request
    const noMcc = { ...BASE, 2: '99502', 48: lookup(DEWI) };
    delete noMcc[26];
    assert.strictEqual((await c.request('2100', noMcc)).fields[39], '0030');
    // undecodable (bit 40 not numeric): 0030 still answered by STAN
    c.sendRaw('28000020000001000000000000004242' + '12X');
    await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(c.received.at(-1), '28100020000002000000000000004242' + '0030');
  });

  it('purchase: the worked example (R1 1,300 VA, Rp 102,500, PPJ 10 %, admin 2,500)', async () => {
    const inq = await inquire(c, DEWI);
    const r = await buy(c, inq, 102500);
    assert.strictEqual(r.mti, '2210');
    assert.strictEqual(r.fields[39], '0000');
    assert.strictEqual(r.fields[4], amount(102500));
    assert.match(r.fields[15], /^20\d{6}$/);
    assert.ok(r.fields[63].length > 0, 'info text');
    const p = split(r.fields[48], P241);
    assert.strictEqual(p.pln_ref, inq.fields[48].slice(31, 63));
    assert.strictEqual(p.switcher_ref, inq.fields[48].slice(63, 95));
    assert.deepStrictEqual([p.meter, p.idpel, p.flag, p.buying_option], [DEWI.meter, DEWI.idpel, '0', '0']);
    assert.deepStrictEqual(
      [p.admin, p.stamp, p.ppn, p.ppj, p.instalment, p.power_purchase, p.kwh].map(Number),
      [250000, 0, 0, 909091, 0, 9090909, 6292], // Rp 2,500.00; PPJ 9,090.91; Rp 90,909.09; 62.92 kWh (rounded down)
    );
    assert.ok([p.admin_minor, p.stamp_minor, p.ppn_minor, p.ppj_minor, p.instalment_minor, p.pp_minor, p.kwh_minor].every((m) => m === '2'));
    assert.strictEqual(250000 + 909091 + 9090909, 102500 * 100, 'components add up to bit 4');
    assert.strictEqual(p.token, tokenFor(DEWI.meter, p.pln_ref));
    assert.deepStrictEqual(bit62(r.fields[62]).maxKwh, 873, '936 - 62.92 kWh left this month');
    assert.strictEqual(await deposit(), 100000000 - 100000, 'deposit debited by amount - admin');
    const sales = (await ctl('GET', `/sales?meter=${DEWI.meter}`)).body.sales;
    assert.strictEqual(sales.length, 1);
    assert.deepStrictEqual([sales[0].status, sales[0].token, sales[0].amount], ['delivered', p.token, 102500]);
    assert.strictEqual((await ctl('GET', '/sales?meter=11000000002')).body.sales.length, 0);
    const stats = (await ctl('GET', '/stats')).body;
    assert.deepStrictEqual([stats.sales, stats.charged_rupiah, stats.requests['2200'], stats.responses['2210']], [1, 100000, 1, 1]);

    // The business day's sales file (WIB, from the 00:30 end of the cut-off): this receipt.
    const day = new Date(Date.parse(sales[0].at) + (420 - 30) * 60000).toISOString().slice(0, 10);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sales-file-')), 'sales.csv');
    const written = (await ctl('POST', '/sales-file', { date: day, path: file })).body;
    assert.deepStrictEqual(written, { path: file, rows: 1 });
    const text = fs.readFileSync(file, 'utf8');
    const [header, row, trailer] = text.trimEnd().split('\n');
    assert.strictEqual(header, 'reference,meter_no,amount_rupiah,sold_at');
    assert.strictEqual(row, `${p.pln_ref},${DEWI.meter},102500,${sales[0].at.replace(/\.\d{3}Z$/, 'Z')}`);
    const body = text.slice(0, text.lastIndexOf('trailer,'));
    assert.strictEqual(trailer, `trailer,1,${crypto.createHash('sha256').update(body).digest('hex')}`);
    const dayBefore = new Date(Date.parse(`${day}T00:00:00Z`) - 86400000).toISOString().slice(0, 10);
    assert.strictEqual((await ctl('POST', '/sales-file', { date: dayBefore, path: file })).body.rows, 0);
    assert.strictEqual((await ctl('POST', '/sales-file', { date: '2026-02-30', path: file })).status, 400);
  });

  it('purchase refusals charge nothing: 0098 0097 0094 0013 0041 0042 0047 0046', async () => {
    const inq = await inquire(c, DEWI);
    const b48 = inq.fields[48];
    const withRef = (ref) => ({ fields: { 48: b48.slice(0, 31) + ref + b48.slice(63) } });
    assert.strictEqual((await buy(c, withRef('F'.repeat(32)), 102500)).fields[39], '0098');
    const siti = await inquire(c, SITI);
    const crossed = { fields: { 48: siti.fields[48].slice(0, 7) + b48.slice(7, 31) + siti.fields[48].slice(31) } };
    assert.strictEqual((await buy(c, crossed, 102500)).fields[39], '0098', 'PLN ref of another meter');
    assert.strictEqual((await buy(c, inq, 102500, '0', { 32: '4510099' })).fields[39], '0097');
    assert.strictEqual((await buy(c, inq, 102500, '0', { 4: `3400${'0'.repeat(6)}102500` })).fields[39], '0013', 'currency');
    assert.strictEqual((await buy(c, inq, 102500, '0', { 4: `3602${'0'.repeat(6)}102550` })).fields[39], '0013', 'fraction of a rupiah');
    assert.strictEqual((await buy(c, inq, 22499)).fields[39], '0041');
    assert.strictEqual((await buy(c, inq, 10002501)).fields[39], '0042');
    assert.strictEqual((await buy(c, siti, 202500)).fields[39], '0047', '450 VA: 432 kWh over the 324 kWh limit');
    await ctl('POST', '/deposit', { deposit: 99999 });
    assert.strictEqual((await buy(c, inq, 102500)).fields[39], '0046');
    assert.strictEqual((await ctl('GET', '/sales')).body.sales.filter((s) => s.debit > 0).length, 0);
    await ctl('POST', '/deposit', { deposit: 100000 });
    assert.strictEqual((await buy(c, inq, 102500)).fields[39], '0000');
    assert.strictEqual(await deposit(), 0);
    await ctl('POST', '/deposit', { deposit: 500000 });
    const dup = await buy(c, inq, 102500);
    assert.strictEqual(dup.fields[39], '0094', 'second 2200 on a used PLN ref');
    assert.strictEqual(dup.fields[48], `${b48}0`, 'refusal echoes bit 48');
    const next = (await inquire(c, DEWI)).fields[48];
    const reusedSwitcherRef = { fields: { 48: next.slice(0, 63) + b48.slice(63, 95) + next.slice(95) } };
    assert.strictEqual((await buy(c, reusedSwitcherRef, 102500)).fields[39], '0094', 'new PLN ref, used switcher ref');
    assert.strictEqual(await deposit(), 500000);
    assert.strictEqual((await ctl('GET', '/stats')).body.sales, 1);
  });

  it('drop_after_sale: no reply; advice and repeat advice return the same bit 48; charged once', async () => {
    const inq = await inquire(c, DEWI);
    await fault({ kind: 'drop_after_sale', meter: DEWI.meter });
    await assert.rejects(buy(c, inq, 102500, '0', {}, SHORT), /no response/);
    const adv = await advise(c, '2220', `${inq.fields[48]}0`, 102500);
    assert.strictEqual(adv.mti, '2230');
    assert.strictEqual(adv.fields[39], '0000');
    const p = split(adv.fields[48], P241);
    assert.strictEqual(p.token, tokenFor(DEWI.meter, inq.fields[48].slice(31, 63)));
    const rep = await advise(c, '2221', `${inq.fields[48]}0`, 102500);
    assert.strictEqual(rep.mti, '2231');
    assert.strictEqual(rep.fields[48], adv.fields[48]);
    for (const bit of [15, 62, 63]) assert.ok(adv.fields[bit] !== undefined, `2230 carries bit ${bit}`);
    assert.strictEqual(await deposit(), 100000000 - 100000);
    const stats = (await ctl('GET', '/stats')).body;
    assert.deepStrictEqual([stats.sales, stats.advice_found, stats.faults.drop_after_sale], [1, 2, 1]);
    assert.strictEqual((await advise(c, '2220', `${inq.fields[48]}0`, 52500)).fields[39], '0063', 'advice with another amount');
  });

  it('drop_no_sale: no reply, advice answers 0063, nothing charged', async () => {
    const inq = await inquire(c, DEWI);
    await fault({ kind: 'drop_no_sale', mti: '2200' });
    await assert.rejects(buy(c, inq, 102500, '0', {}, SHORT), /no response/);
    assert.strictEqual((await advise(c, '2220', `${inq.fields[48]}0`, 102500)).fields[39], '0063');
    assert.strictEqual((await advise(c, '2221', `${inq.fields[48]}0`, 102500)).fields[39], '0063');
    assert.strictEqual(await deposit(), 100000000);
    // and the purchase may now go through on the same PLN ref
    assert.strictEqual((await buy(c, inq, 102500)).fields[39], '0000');
  });

  it('unsold token: listed by the next inquiry, taken with buying option 1 without a second charge', async () => {
    const first = await inquire(c, DEWI);
    await fault({ kind: 'drop_after_sale', meter: DEWI.meter });
    await assert.rejects(buy(c, first, 102500, '0', {}, SHORT), /no response/);
    const second = await inquire(c, DEWI);
    assert.deepStrictEqual(bit62(second.fields[62]).unsold, [102500]);
    assert.strictEqual((await buy(c, second, 52500, '1')).fields[39], '0013', 'no unsold token of that amount');
    const take = await buy(c, second, 102500, '1');
    assert.strictEqual(take.fields[39], '0000');
    const p = split(take.fields[48], P241);
    assert.strictEqual(p.buying_option, '1');
    assert.strictEqual(p.pln_ref, second.fields[48].slice(31, 63));
    assert.strictEqual(p.token, tokenFor(DEWI.meter, first.fields[48].slice(31, 63)), 'the token of the first sale');
    assert.deepStrictEqual(bit62(take.fields[62]).unsold, []);
    assert.strictEqual(await deposit(), 100000000 - 100000, 'charged once');
    assert.strictEqual((await ctl('GET', '/stats')).body.unsold_taken, 1);
    const third = await inquire(c, DEWI);
    assert.deepStrictEqual(bit62(third.fields[62]).unsold, []);
    assert.strictEqual((await buy(c, third, 102500, '1')).fields[39], '0063', 'nothing left to take');
  });

  it('unsold tokens preloaded from the config, oldest first', async () => {
    const inq = await inquire(c, ANI);
    assert.deepStrictEqual(bit62(inq.fields[62]).unsold, [52500, 22500]);
    const take = await buy(c, inq, 22500, '1');
    assert.strictEqual(take.fields[39], '0000');
    assert.deepStrictEqual(bit62(take.fields[62]).unsold, [52500]);
    assert.strictEqual(await deposit(), 100000000);
  });

  it('cut-off window 23:30-00:30 WIB via /clock; advice still answered', async () => {
    const inq = await inquire(c, DEWI);
    await buy(c, inq, 102500);
    assert.strictEqual((await ctl('POST', '/clock', { now: '2026-11-25T23:45:00+07:00' })).status, 200);
    assert.strictEqual((await inquire(c, DEWI)).fields[39], '0090');
    assert.strictEqual((await buy(c, inq, 52500)).fields[39], '0090');
    assert.strictEqual((await advise(c, '2220', `${inq.fields[48]}0`, 102500)).fields[39], '0000');
    await ctl('POST', '/clock', { now: '2026-11-26T00:29:00+07:00' });
    assert.strictEqual((await inquire(c, DEWI)).fields[39], '0090');
    await ctl('POST', '/clock', { now: '2026-11-25T17:30:00Z' }); // 00:30 WIB: open again
    const open = await inquire(c, DEWI);
    assert.strictEqual(open.fields[39], '0000');
    const sale = await buy(c, open, 52500);
    assert.strictEqual(sale.fields[15], '20261126', 'settlement date from the simulator clock, WIB');
    assert.strictEqual((await ctl('POST', '/clock', { now: 'yesterday' })).status, 400);
    assert.strictEqual((await ctl('POST', '/clock', { now: null })).body.offset_ms, 0);
  });

  it('rc fault aimed at one meter leaves the others alone', async () => {
    await fault({ kind: 'rc', code: '0068', meter: DEWI.meter, count: 2 });
    assert.strictEqual((await inquire(c, SITI)).fields[39], '0000');
    assert.strictEqual((await inquire(c, DEWI)).fields[39], '0068');
    assert.strictEqual((await inquire(c, DEWI, true)).fields[39], '0068', 'inquiry by IDPEL hits the fault aimed at its meter');
    assert.strictEqual((await inquire(c, DEWI)).fields[39], '0000', 'count used up');
  });

  it('delay: responses leave out of order, matched by STAN', async () => {
    await fault({ kind: 'delay', ms: 250, meter: DEWI.meter });
    const order = [];
    const slow = inquire(c, DEWI).then((r) => order.push(['dewi', r.fields[39]]));
    const fast = inquire(c, SITI).then((r) => order.push(['siti', r.fields[39]]));
    await Promise.all([slow, fast]);
    assert.deepStrictEqual(order, [['siti', '0000'], ['dewi', '0000']]);
  });

  it('close and garbage faults', async () => {
    await fault({ kind: 'garbage', mti: '2100' });
    inquire(c, DEWI).catch(() => {});
    await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(c.received.at(-1), '2110GARBAGE!GARBAGE!');
    await fault({ kind: 'close' });
    inquire(c, DEWI).catch(() => {});
    await c.closed;
    const stats = (await ctl('GET', '/stats')).body;
    assert.deepStrictEqual(stats.faults, { garbage: 1, close: 1 });
  });

  it('duplicate: the same reply twice; truncate: half a frame, then the connection closes, sale left unsold', async () => {
    await fault({ kind: 'duplicate', mti: '2100' });
    const first = await inquire(c, DEWI);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepStrictEqual(c.received.slice(-2).map((t) => t.slice(0, 4)), ['2110', '2110']);
    assert.strictEqual(c.received.at(-1), c.received.at(-2));
    await fault({ kind: 'truncate', mti: '2200' });
    const bytes = [];
    c.socket.on('data', (d) => bytes.push(d));
    buy(c, first, 102500).catch(() => {});
    await c.closed;
    const got = Buffer.concat(bytes);
    assert.ok(got.length > 2 && got.readUInt16BE(0) > got.length - 2, 'a frame announced longer than what came');
    const sales = (await ctl('GET', `/sales?meter=${DEWI.meter}`)).body.sales;
    assert.deepStrictEqual(sales.map((x) => x.status), ['unsold']);
    const again = new Client(sim.iso);
    await again.ready;
    await signOn(again);
    const adv = await advise(again, '2220', `${first.fields[48]}0`, 102500);
    assert.strictEqual(adv.fields[39], '0000');
    assert.strictEqual(split(adv.fields[48], P241).token, sales[0].token);
    again.close();
  });

  it('prepaid is never reversed: 2400 gets 2410 0030; responses sent to the simulator are ignored', async () => {
    const rev = await c.request('2400', { ...BASE, 2: '99502', 4: amount(102500) });
    assert.deepStrictEqual([rev.mti, rev.fields[39]], ['2410', '0030']);
    c.sendRaw('2810002000000200000000000000999990000');
    const echo = await c.request('2800', { 12: BASE[12], 40: '301' });
    assert.strictEqual(echo.fields[39], '0000');
    assert.ok(!c.received.some((t) => t.includes('999999')), 'no answer to a response');
  });

  it('survives mutated requests: every frame answered 0030 or processed, the link stays up', async () => {
    const inq = await inquire(c, DEWI);
    const valid = require('./client').pack('2200', { ...BASE, 2: '99502', 4: amount(102500), 11: '000000000999', 48: `${inq.fields[48]}0` });
    let seed = 12345; // fixed LCG so a failure replays
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(valid, 'latin1');
      for (let k = 0; k <= rand(3); k++) bytes[rand(bytes.length)] = rand(256);
      c.sendRaw(bytes.subarray(0, Math.max(1, bytes.length - rand(2) * rand(bytes.length))).toString('latin1'));
    }
    const echo = await c.request('2800', { 12: BASE[12], 40: '301' });
    assert.strictEqual(echo.fields[39], '0000');
    assert.ok((await ctl('GET', '/stats')).body.sales <= 1, 'one PLN ref, at most one sale');
  });

  it('control API: accounts, faults, bad input', async () => {
    const added = await ctl('POST', '/accounts', { meter: '22000000001', idpel: '522000000001', name: 'NEW CUSTOMER', tariff: 'R1', power_va: 900, instalment: 1000 });
    assert.strictEqual(added.status, 200);
    assert.strictEqual(added.body.accounts[0].max_kwh, 648);
    const r = await inquire(c, { meter: '22000000001' });
    assert.strictEqual(r.fields[39], '0000');
    const sale = split((await buy(c, r, 52500)).fields[48], P241);
    assert.strictEqual(Number(sale.instalment), 100000);
    assert.strictEqual((await ctl('POST', '/accounts', { meter: '1' })).status, 400);
    assert.strictEqual((await ctl('POST', '/faults', { kind: 'nope' })).status, 400);
    assert.strictEqual((await ctl('POST', '/faults', { kind: 'delay' })).status, 400);
    await fault([{ kind: 'rc', code: '0068' }, { kind: 'delay', ms: 5 }]);
    assert.strictEqual((await ctl('GET', '/faults')).body.faults.length, 2);
    await ctl('DELETE', '/faults');
    assert.strictEqual((await ctl('GET', '/faults')).body.faults.length, 0);
    assert.strictEqual((await ctl('GET', '/nowhere')).status, 404);
  });
});
