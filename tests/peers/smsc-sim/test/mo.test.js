'use strict';
const test = require('node:test');
const assert = require('node:assert');
const smpp = require('smpp');
const { startSim, bind, until } = require('./helpers');

const CONFIG = {
  esmes: [{ system_id: 'pintar', password: 'secret', routes: ['1234'] }],
  deliver_retry_ms: 50,
  deliver_timeout_ms: 1000,
};

const LONG = 'TOKEN 1234-5678-9012-3456-7890 for meter 14123456789. '.repeat(4); // 216 chars

test('mobile-originated messages and deliver_sm reliability', async (t) => {
  const sim = await startSim(CONFIG);
  t.after(() => sim.stop());
  const mo = async (body) => {
    const res = await sim.api('POST', '/mo', body);
    assert.strictEqual(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  await t.test('an MO for an account with no bind is stored and delivered when it binds', async (s) => {
    const r = await mo({ from: '62811000', to: '1234', text: 'Hi @ €5 {x}' });
    assert.strictEqual(r.ids.length, 1);
    assert.strictEqual((await sim.stats()).queued, 1);
    // A transmitter bind cannot receive: the MO keeps waiting for the receiver.
    const tx = (await bind(sim.smppPort, 'transmitter')).esme;
    const rx = (await bind(sim.smppPort, 'receiver')).esme;
    s.after(() => tx.close());
    s.after(() => rx.close());
    const [d] = await rx.waitDelivered(1);
    assert.strictEqual(tx.delivered.length, 0);
    assert.strictEqual(d.esm_class, 0);
    assert.strictEqual(d.data_coding, 0);
    assert.strictEqual(d.source_addr, '62811000');
    assert.strictEqual(d.short_message.message, 'Hi @ €5 {x}');
    await until(async () => (await sim.api('GET', '/deliveries')).body[0].status === 'acked');
  });

  await t.test('long MO split by UDH, by sar_ TLVs and as one message_payload', async (s) => {
    const { esme } = await bind(sim.smppPort, 'transceiver');
    s.after(() => esme.close());
    const udh = await mo({ from: '62811001', to: '1234', text: LONG, split: 'udh' });
    assert.strictEqual(udh.parts, 2);
    const sar = await mo({ from: '62811001', to: '1234', text: LONG, split: 'sar', encoding: 'ucs2' });
    assert.strictEqual(sar.parts, 4);
    await mo({ from: '62811001', to: '1234', text: LONG, split: 'payload', encoding: 'latin1' });
    const ds = await esme.waitDelivered(7);
    // Parts of one bind arrive in order; 2 UDH, 4 SAR, 1 payload.
    const [u1, u2, ...rest] = ds;
    assert.strictEqual(u1.esm_class, 0x40);
    assert.deepStrictEqual(u1.short_message.udh[0], Buffer.from([0x00, 0x03, udh.ref, 2, 1]));
    assert.deepStrictEqual(u2.short_message.udh[0], Buffer.from([0x00, 0x03, udh.ref, 2, 2]));
    assert.strictEqual(u1.short_message.message.length, 153);
    assert.strictEqual(u1.short_message.message + u2.short_message.message, LONG);
    const sars = rest.slice(0, 4);
    assert.deepStrictEqual(sars.map((p) => p.sar_segment_seqnum), [1, 2, 3, 4]);
    assert.ok(sars.every((p) => p.sar_total_segments === 4 && p.sar_msg_ref_num === sar.ref && p.data_coding === 8));
    assert.strictEqual(sars.map((p) => p.short_message.message).join(''), LONG);
    const payload = rest[4];
    assert.strictEqual(payload.data_coding, 3);
    assert.strictEqual(payload.message_payload.message, LONG);
    assert.strictEqual(payload.short_message.message, '');
  });

  await t.test('drop_parts and reorder; no owner is an error', async (s) => {
    const { esme } = await bind(sim.smppPort, 'transceiver');
    s.after(() => esme.close());
    const r = await mo({ from: '62811002', to: '1234', text: 'x'.repeat(40), split: 'udh', part_size: 10, drop_parts: [2], reorder: true });
    assert.strictEqual(r.parts, 4);
    assert.strictEqual(r.ids.length, 3);
    const ds = await esme.waitDelivered(3);
    assert.deepStrictEqual(ds.map((d) => d.short_message.udh[0][4]), [4, 3, 1]);
    const bad = await sim.api('POST', '/mo', { from: '1', to: '999', text: 'x' });
    assert.strictEqual(bad.status, 400);
  });

  await t.test('deliver_sm_resp 0x64 and timeouts are retried, 0x65 is dropped', async (s) => {
    await sim.api('POST', '/reset');
    const { esme } = await bind(sim.smppPort, 'transceiver');
    s.after(() => esme.close());
    const seen = {};
    const first = { temp: smpp.ESME_RX_T_APPN, perm: smpp.ESME_RX_P_APPN, silent: null };
    esme.deliverStatus = (pdu) => {
      const text = pdu.short_message.message;
      seen[text] = (seen[text] || 0) + 1;
      return seen[text] === 1 || text === 'perm' ? first[text] : 0;
    };
    await mo({ from: '62811003', to: '1234', text: 'temp' });
    await until(async () => (await sim.stats()).deliver_sm_acked === 1);
    await mo({ from: '62811003', to: '1234', text: 'perm' });
    await until(async () => (await sim.stats()).deliver_sm_failed === 1);
    await mo({ from: '62811003', to: '1234', text: 'silent' });
    await until(async () => (await sim.stats()).deliver_sm_acked === 2, 3000);
    const stats = await sim.stats();
    assert.strictEqual(stats.deliver_sm_timeouts, 1);
    assert.strictEqual(stats.deliver_sm_retried, 2);
    assert.strictEqual(stats.queued + stats.in_flight, 0);
    const dl = (await sim.api('GET', '/deliveries?kind=mo')).body;
    assert.deepStrictEqual(dl.map((d) => [d.status, d.attempts, d.last_status]), [
      ['acked', 2, 0], ['failed', 1, smpp.ESME_RX_P_APPN], ['acked', 2, 0]]);
  });

  await t.test('deliver_sm in flight on a dropped connection go to the next bind', async (s) => {
    await sim.api('POST', '/reset');
    const a = (await bind(sim.smppPort, 'receiver')).esme;
    a.deliverStatus = null; // never answers
    await mo({ from: '62811004', to: '1234', text: 'again' });
    await a.waitDelivered(1);
    await a.close();
    const b = (await bind(sim.smppPort, 'receiver')).esme;
    s.after(() => b.close());
    const [d] = await b.waitDelivered(1);
    assert.strictEqual(d.short_message.message, 'again');
  });
  await t.test('lose_deliver_resp: the answered deliver_sm is delivered again, the same PDU; binary MO', async (s) => {
    await sim.api('POST', '/reset');
    const rx = (await bind(sim.smppPort, 'receiver')).esme;
    s.after(() => rx.close());
    assert.strictEqual((await sim.api('POST', '/fault', { type: 'lose_deliver_resp', count: 1 })).status, 200);
    await mo({ from: '62811005', to: '1234', text: '0001ff1b00', encoding: 'binary' });
    const [first, second] = await rx.waitDelivered(2, 4000);
    assert.strictEqual(first.data_coding, 4);
    assert.deepStrictEqual(Buffer.from(first.short_message.message), Buffer.from('0001ff1b00', 'hex'));
    assert.deepStrictEqual(Buffer.from(second.short_message.message), Buffer.from(first.short_message.message));
    assert.strictEqual(second.source_addr, first.source_addr);
    await until(async () => (await sim.stats()).deliver_sm_acked === 1);
    const stats = await sim.stats();
    assert.strictEqual(stats.deliver_resp_lost, 1);
    assert.strictEqual(stats.deliver_sm_retried, 1);
  });
});
