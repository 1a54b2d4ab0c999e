'use strict';
const test = require('node:test');
const assert = require('node:assert');
const smpp = require('smpp');
const { startSim, bind, sleep, until } = require('./helpers');

test('injected faults', async (t) => {
  const sim = await startSim({ esmes: [{ system_id: 'pintar', password: 'secret', routes: ['1234'] }] });
  t.after(() => sim.stop());
  const fault = async (body) => {
    const res = await sim.api('POST', '/fault', body);
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const { esme } = await bind(sim.smppPort);
  t.after(() => esme.close());
  const submit = () => esme.call('submit_sm', { destination_addr: '628111', short_message: 'x' });

  await t.test('generic_nack for the next N submit_sm', async () => {
    await fault({ type: 'generic_nack', count: 2 });
    const r = [await submit(), await submit(), await submit()];
    assert.deepStrictEqual(r.map((p) => p.command), ['generic_nack', 'generic_nack', 'submit_sm_resp']);
    assert.strictEqual(r[0].command_status, smpp.ESME_RINVCMDID);
    assert.strictEqual(r[0].sequence_number + 1, r[1].sequence_number);
  });

  await t.test('status with nul, empty and id bodies, vendor codes included', async () => {
    await fault({ type: 'status', code: '0x58', count: 1, body: 'empty' });
    let r = await submit();
    assert.strictEqual(r.command_status, 0x58);
    assert.strictEqual(r.command_length, 16);
    await fault({ type: 'status', code: 1024, count: 1, body: 'nul' });
    r = await submit();
    assert.strictEqual(r.command_status, 0x400);
    assert.strictEqual(r.command_length, 17);
    await fault({ type: 'status', code: '0x45', count: 1, body: 'id' });
    r = await submit();
    assert.strictEqual(r.command_status, 0x45);
    assert.strictEqual(r.command_length, 16 + 9);
    assert.strictEqual((await submit()).command_status, 0);
    assert.strictEqual((await sim.api('POST', '/fault', { type: 'status', code: 'x' })).status, 400);
  });

  await t.test('extra TLVs on the next deliver_sm: 30 small and one longer than 1024 octets', async () => {
    await fault({ type: 'extra_tlvs', count: 1, tlvs: [{ tag: '0x1400', hex: '01', repeat: 30 }, { tag: 0x1401, length: 1500 }] });
    await sim.api('POST', '/mo', { from: '62811', to: '1234', text: 'vendor' });
    await sim.api('POST', '/mo', { from: '62811', to: '1234', text: 'plain!' });
    const [withTlvs, plain] = await esme.waitDelivered(2);
    const base = plain.command_length;
    assert.strictEqual(withTlvs.command_length, base + 30 * 5 + 4 + 1500);
    assert.strictEqual(withTlvs[0x1401].length, 1500);
  });

  await t.test('stop_answering reads requests but answers none until cleared', async () => {
    await fault({ type: 'stop_answering', ms: 5000 });
    let answered = false;
    esme.session.enquire_link({}, () => { answered = true; });
    await sleep(200);
    assert.strictEqual(answered, false);
    await fault({ type: 'stop_answering', ms: 0 });
    assert.strictEqual((await esme.call('enquire_link')).command_status, 0);
    assert.ok((await sim.stats()).requests_ignored >= 1);
  });

  await t.test('raw bytes reach the bound ESME', async () => {
    // An enquire_link (seq 0x77) written byte for byte; the client answers it.
    const got = new Promise((resolve) => esme.session.once('enquire_link', resolve));
    const res = await fault({ type: 'raw', hex: '00000010000000150000000000000077' });
    assert.strictEqual(res.written, 16);
    assert.strictEqual((await got).sequence_number, 0x77);
  });

  await t.test('clear disarms every fault; reset clears counters and messages', async () => {
    await fault({ type: 'generic_nack', count: 5 });
    await fault({ type: 'clear' });
    assert.strictEqual((await submit()).command_status, 0);
    await sim.api('POST', '/reset');
    const stats = await sim.stats();
    assert.strictEqual(stats.submit_sm, 0);
    assert.strictEqual((await sim.api('GET', '/messages')).body.length, 0);
  });

  await t.test('unbind from the SMSC: the ESME answers and the SMSC closes', async () => {
    const { esme: other } = await bind(sim.smppPort, 'receiver');
    const got = new Promise((resolve) => other.session.once('unbind', (pdu) => {
      other.session.send(pdu.response());
      resolve();
    }));
    // esme does not answer, so its connection stays open (2 s) for drop_connections below.
    esme.session.once('unbind', () => {});
    const res = await fault({ type: 'unbind' });
    assert.strictEqual(res.unbound, 2);
    await got;
    await other.closed;
    assert.strictEqual((await sim.stats()).unbinds_sent, 2);
  });

  await t.test('drop_connections closes every ESME socket', async () => {
    const res = await fault({ type: 'drop_connections' });
    assert.strictEqual(res.dropped, 1);
    await esme.closed;
    await until(async () => (await sim.stats()).binds === 0);
  });
});

test('malformed PDUs from the ESME get generic_nack', async (t) => {
  const net = require('net');
  const sim = await startSim(null);
  t.after(() => sim.stop());
  const sock = net.connect(sim.smppPort, '127.0.0.1');
  const chunks = [];
  sock.on('data', (c) => chunks.push(c));
  const closed = new Promise((resolve) => sock.on('close', resolve));
  await new Promise((resolve) => sock.once('connect', resolve));
  // Unknown command_id 0x00000099, then a submit_sm whose cstring runs off the end, then
  // a command_length of 8, which makes the stream unreadable: the SMSC closes.
  sock.write(Buffer.from('00000010000000990000000000000001', 'hex'));
  sock.write(Buffer.from('00000013000000040000000000000002414243', 'hex'));
  sock.write(Buffer.from('00000008000000040000000000000003', 'hex'));
  await closed;
  const all = Buffer.concat(chunks);
  const pdus = [];
  for (let o = 0; o < all.length; o += all.readUInt32BE(o)) {
    pdus.push([all.readUInt32BE(o + 4), all.readUInt32BE(o + 8), all.readUInt32BE(o + 12)]);
  }
  assert.deepStrictEqual(pdus, [
    [0x80000000, smpp.ESME_RINVCMDID, 1],
    [0x80000000, smpp.ESME_RINVMSGLEN, 2],
    [0x80000000, smpp.ESME_RINVCMDLEN, 3],
  ]);
  const stats = await sim.stats();
  assert.strictEqual(stats.malformed_pdus, 2);
  assert.strictEqual(stats.unknown_pdus, 1);
});

test('PDUs split across reads, and several in one read, are framed correctly', async (t) => {
  const net = require('net');
  const sim = await startSim(null);
  t.after(() => sim.stop());
  const sock = net.connect(sim.smppPort, '127.0.0.1');
  sock.setNoDelay(true);
  let got = Buffer.alloc(0);
  sock.on('data', (c) => { got = Buffer.concat([got, c]); });
  await new Promise((resolve) => sock.once('connect', resolve));
  const enquire = (seq) => Buffer.from(`0000001000000015000000000000000${seq}`, 'hex');
  const first = enquire(1);
  for (const part of [first.subarray(0, 3), first.subarray(3, 11), first.subarray(11)]) {
    sock.write(part);
    await sleep(30); // separate reads on the simulator's side
  }
  sock.write(Buffer.concat([enquire(2), enquire(3)]));
  await until(() => got.length >= 48);
  const seqs = [0, 16, 32].map((o) => [got.readUInt32BE(o + 4), got.readUInt32BE(o + 12)]);
  assert.deepStrictEqual(seqs, [[0x80000015, 1], [0x80000015, 2], [0x80000015, 3]]);
  sock.destroy();
});
