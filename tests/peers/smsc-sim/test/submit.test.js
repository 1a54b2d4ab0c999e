'use strict';
const test = require('node:test');
const assert = require('node:assert');
const smpp = require('smpp');
const { startSim, bind } = require('./helpers');

const CONFIG = {
  esmes: [
    { system_id: 'pintar', password: 'secret', routes: ['1234'] },
    { system_id: 'other', password: 'pw2', routes: ['0812*', '5555'] },
  ],
};

const RECEIPT_TEXT = /^id:(\w+) sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:(.*)$/;

test('submit_sm, receipts, routing and throttling', async (t) => {
  const sim = await startSim(CONFIG);
  t.after(() => sim.stop());
  const { esme } = await bind(sim.smppPort);
  t.after(() => esme.close());
  const submit = (fields) => esme.call('submit_sm', Object.assign({ source_addr: '1234' }, fields));

  await t.test('hex ids, receipt in both forms, text recorded', async () => {
    const r = await submit({ destination_addr: '628111', short_message: 'Token 1234', registered_delivery: 1 });
    assert.strictEqual(r.command_status, 0);
    assert.match(r.message_id, /^[0-9A-F]{8}$/);
    const [d] = await esme.waitDelivered(1);
    assert.strictEqual(d.esm_class, 0x04);
    assert.strictEqual(d.source_addr, '628111');
    assert.strictEqual(d.destination_addr, '1234');
    const m = d.short_message.message.match(RECEIPT_TEXT);
    assert.ok(m, d.short_message.message);
    assert.strictEqual(m[1], r.message_id);
    assert.strictEqual(m[2], 'Token 1234');
    assert.strictEqual(d.receipted_message_id, r.message_id);
    assert.strictEqual(d.message_state, smpp.MESSAGE_STATE.DELIVERED);
    const msgs = (await sim.api('GET', '/messages?to=628111')).body;
    assert.strictEqual(msgs.length, 1);
    assert.strictEqual(msgs[0].message_id, r.message_id);
    assert.strictEqual(msgs[0].text, 'Token 1234');
    assert.strictEqual(msgs[0].route, 'handset');
    assert.strictEqual(msgs[0].registered_delivery, 1);
    const q = await esme.call('query_sm', { message_id: r.message_id, source_addr: '1234' });
    assert.strictEqual(q.command_status, 0);
    assert.strictEqual(q.message_state, smpp.MESSAGE_STATE.DELIVERED);
    const unknown = await esme.call('query_sm', { message_id: 'FFFFFFFF', source_addr: '1234' });
    assert.strictEqual(unknown.command_status, smpp.ESME_RQUERYFAIL);
  });

  await t.test('UCS-2, UDH and sar_ TLVs are recorded', async () => {
    await submit({ destination_addr: '628112', data_coding: 8, short_message: Buffer.from('00540065007301100074', 'hex') });
    await submit({
      destination_addr: '628112', esm_class: 0x40, data_coding: 0,
      short_message: Buffer.concat([Buffer.from('050003070201', 'hex'), Buffer.from('Part one')]),
    });
    await submit({
      destination_addr: '628112', short_message: Buffer.from('Sar'), data_coding: 0,
      sar_msg_ref_num: 513, sar_total_segments: 3, sar_segment_seqnum: 2,
    });
    const msgs = (await sim.api('GET', '/messages?to=628112')).body;
    assert.strictEqual(msgs[0].text, 'TesĐt');
    assert.strictEqual(msgs[0].data_coding, 8);
    assert.strictEqual(msgs[1].udh_hex, '050003070201');
    assert.deepStrictEqual(msgs[1].concat, { ref: 7, total: 2, seq: 1 });
    assert.strictEqual(msgs[1].text, 'Part one');
    assert.deepStrictEqual(msgs[2].sar, { msg_ref_num: 513, total_segments: 3, segment_seqnum: 2 });
    const since = (await sim.api('GET', `/messages?since_id=${msgs[1].id}`)).body;
    assert.deepStrictEqual(since.map((m) => m.id), [msgs[2].id]);
    assert.strictEqual(esme.delivered.length, 1, 'no receipt without registered_delivery');
  });

  await t.test('decimal receipt ids with hex submit_sm_resp ids; TLV-only and text-only forms', async () => {
    let res = await sim.api('POST', '/config', { resp_msgid: 'hex', receipt: { msgid: 'dec', msgid_pad: 10, form: 'tlv' } });
    assert.strictEqual(res.status, 200);
    const r1 = await submit({ destination_addr: '628113', short_message: 'a', registered_delivery: 1 });
    const [, d1] = await esme.waitDelivered(2);
    assert.strictEqual(d1.receipted_message_id, String(parseInt(r1.message_id, 16)).padStart(10, '0'));
    assert.strictEqual(d1.short_message.message, '', 'tlv form has no text');

    res = await sim.api('POST', '/config', { resp_msgid: 'dec', resp_msgid_pad: 0,
      receipt: { form: 'text', by_dest: { '62811*': { final_state: 'UNDELIV', err: '012' }, '628119': { final_state: 'DELIVRD' } } } });
    assert.strictEqual(res.status, 200);
    await submit({ destination_addr: '628119', short_message: 'no receipt: delivered', registered_delivery: 2 });
    const r2 = await submit({ destination_addr: '628113', short_message: 'b', registered_delivery: 2 });
    assert.match(r2.message_id, /^[1-9][0-9]*$/);
    const [, , d2] = await esme.waitDelivered(3);
    assert.strictEqual(d2.receipted_message_id, undefined);
    assert.match(d2.short_message.message, / dlvrd:000 .* stat:UNDELIV err:012 text:b$/);

    res = await sim.api('POST', '/config', { receipt: { form: 'bogus' } });
    assert.strictEqual(res.status, 400);
    res = await sim.api('POST', '/config', { receipt: { by_dest: { '1*': { final_state: 'LOST' } } } });
    assert.strictEqual(res.status, 400);
    assert.match(res.body.error, /by_dest/);
    // receipt.msgid null: receipts print the id as submit_sm_resp did.
    res = await sim.api('POST', '/config', { resp_msgid_pad: 6,
      receipt: { form: 'both', msgid: null, msgid_pad: null, by_dest: {} } });
    assert.strictEqual(res.body.esmes[0].password, '***');
    const r3 = await submit({ destination_addr: '628113', short_message: 'c', registered_delivery: 1 });
    assert.match(r3.message_id, /^[0-9]{6}$/);
    const [, , , d3] = await esme.waitDelivered(4);
    assert.strictEqual(d3.receipted_message_id, r3.message_id);
    await sim.api('POST', '/config', { resp_msgid: 'hex', resp_msgid_pad: 8 });
  });

  await t.test('a destination owned by another ESME is delivered to it, then receipted', async () => {
    const other = (await bind(sim.smppPort, 'receiver', 'other', 'pw2')).esme;
    t.after(() => other.close());
    const before = esme.delivered.length;
    const r = await submit({
      destination_addr: '08129999', esm_class: 0x40, data_coding: 8, registered_delivery: 1,
      short_message: Buffer.concat([Buffer.from('050003090101', 'hex'), Buffer.from('0041', 'hex')]),
    });
    assert.strictEqual(r.command_status, 0);
    const [mt] = await other.waitDelivered(1);
    assert.strictEqual(mt.esm_class, 0x40);
    assert.strictEqual(mt.data_coding, 8);
    assert.strictEqual(mt.destination_addr, '08129999');
    assert.deepStrictEqual(mt.short_message.udh, [Buffer.from('0003090101', 'hex')], 'UDH preserved');
    const receipts = await esme.waitDelivered(before + 1);
    assert.strictEqual(receipts[before].receipted_message_id, r.message_id);
    const msgs = (await sim.api('GET', '/messages?to=08129999')).body;
    assert.strictEqual(msgs[0].route, 'esme:other');
  });

  await t.test('resp_delay_ms holds every answer back, in order; submit_window caps them', async () => {
    await sim.api('POST', '/config', { resp_delay_ms: 150 });
    const start = Date.now();
    const order = [];
    await Promise.all([1, 2, 3].map((i) => submit({ destination_addr: '628115', short_message: `d${i}` })
      .then((r) => order.push(parseInt(r.message_id, 16)))));
    assert.ok(Date.now() - start >= 140, `answered after ${Date.now() - start} ms`);
    assert.deepStrictEqual(order, [...order].sort((a, b) => a - b));

    await sim.api('POST', '/config', { submit_window: 2 });
    const statuses = [];
    await Promise.all([1, 2, 3, 4].map((i) => submit({ destination_addr: '628115', short_message: `w${i}` })
      .then((r) => statuses.push(r.command_status))));
    assert.deepStrictEqual(statuses, [smpp.ESME_RMSGQFUL, smpp.ESME_RMSGQFUL, 0, 0], 'refusals come at once');
    assert.strictEqual((await sim.stats()).window_exceeded, 2);
    await sim.api('POST', '/config', { resp_delay_ms: 0, submit_window: 0 });
  });

  await t.test('throttling answers 0x58 with an empty body above the TPS', async () => {
    // The bucket starts full (4 tokens) at the first submit_sm and refills 4 per second, so
    // 20 submit_sm sent at once pass 4, plus one more per 250 ms the burst takes to arrive.
    await sim.api('POST', '/config', { tps: 4 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => submit({ destination_addr: '628114', short_message: `t${i}` })));
    const ok = results.filter((r) => r.command_status === 0).length;
    const throttled = results.filter((r) => r.command_status === smpp.ESME_RTHROTTLED);
    assert.ok(ok >= 4 && ok <= 6, `ok=${ok}`);
    assert.strictEqual(ok + throttled.length, 20);
    assert.ok(throttled.every((r) => r.command_length === 16));
    assert.strictEqual((await sim.stats()).throttled, throttled.length);
    await sim.api('POST', '/config', { tps: 0 });
  });
});

test('resp_msgid_restart "bind": every bind counts message ids from 1 again', async (t) => {
  const sim = await startSim(Object.assign({ resp_msgid_restart: 'bind' }, CONFIG));
  t.after(() => sim.stop());
  const submitOn = (esme, text) => esme.call('submit_sm',
    { source_addr: '1234', destination_addr: '628111', short_message: text, registered_delivery: 1 });

  const first = (await bind(sim.smppPort)).esme;
  const a = await submitOn(first, 'a');
  const b = await submitOn(first, 'b');
  assert.deepStrictEqual([a.message_id, b.message_id], ['00000001', '00000002']);
  const [ra] = await first.waitDelivered(1);
  assert.strictEqual(ra.receipted_message_id, '00000001');
  await first.close();

  const second = (await bind(sim.smppPort)).esme;
  t.after(() => second.close());
  const c = await submitOn(second, 'c');
  assert.strictEqual(c.message_id, '00000001', 'the id given to "a" comes again');
  const receipts = await second.waitDelivered(1);
  const d = receipts.find((r) => r.short_message.message.endsWith('text:c'));
  assert.ok(d, 'the receipt for "c" carries the reused id');
  assert.strictEqual(d.receipted_message_id, '00000001');
  // Records keep their own increasing id, so since_id paging still works.
  const msgs = (await sim.api('GET', '/messages')).body;
  assert.deepStrictEqual(msgs.map((m) => m.message_id), ['00000001', '00000002', '00000001']);
  assert.deepStrictEqual(msgs.map((m) => m.id), [1, 2, 3]);

  assert.strictEqual((await sim.api('POST', '/config', { resp_msgid_restart: 'sometimes' })).status, 400);
});
