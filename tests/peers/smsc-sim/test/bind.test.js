'use strict';
const test = require('node:test');
const assert = require('node:assert');
const smpp = require('smpp');
const { startSim, bind, connect } = require('./helpers');

const CONFIG = {
  esmes: [
    { system_id: 'pintar', password: 'secret', routes: ['1234'], max_binds: 2 },
  ],
};

test('bind, enquire_link, unknown command and unbind', async (t) => {
  const sim = await startSim(CONFIG);
  t.after(() => sim.stop());

  await t.test('unknown system_id is refused with ESME_RINVSYSID', async () => {
    const { esme, resp } = await bind(sim.smppPort, 'transceiver', 'nobody', 'secret');
    assert.strictEqual(resp.command_status, smpp.ESME_RINVSYSID);
    assert.strictEqual(resp.command_length, 16, 'an error bind_resp carries no body');
    await esme.close();
  });

  await t.test('wrong password is refused with ESME_RINVPASWD', async () => {
    const { esme, resp } = await bind(sim.smppPort, 'transmitter', 'pintar', 'wrong');
    assert.strictEqual(resp.command_status, smpp.ESME_RINVPASWD);
    await esme.close();
  });

  await t.test('a good bind answers with the SMSC system_id and sc_interface_version 0x34', async () => {
    const { esme, resp } = await bind(sim.smppPort, 'transceiver');
    assert.strictEqual(resp.command_status, 0);
    assert.strictEqual(resp.system_id, 'SMSCSIM');
    assert.strictEqual(resp.sc_interface_version, 0x34);

    const again = await esme.call('bind_transceiver', { system_id: 'pintar', password: 'secret' });
    assert.strictEqual(again.command_status, smpp.ESME_RALYBND);

    const el = await esme.call('enquire_link');
    assert.strictEqual(el.command, 'enquire_link_resp');
    assert.strictEqual(el.command_status, 0);

    const nack = await esme.call('data_sm', { destination_addr: '1' });
    assert.strictEqual(nack.command, 'generic_nack');
    assert.strictEqual(nack.command_status, smpp.ESME_RINVCMDID);

    const binds = (await sim.api('GET', '/binds')).body;
    assert.strictEqual(binds.length, 1);
    assert.strictEqual(binds[0].system_id, 'pintar');
    assert.strictEqual(binds[0].mode, 'transceiver');
    assert.strictEqual(binds[0].remote_port, esme.session.socket.localPort);

    const rx = await bind(sim.smppPort, 'receiver');
    assert.strictEqual(rx.resp.command_status, 0);
    const third = await bind(sim.smppPort, 'transmitter');
    assert.strictEqual(third.resp.command_status, smpp.ESME_RBINDFAIL, 'max_binds 2');
    await third.esme.close();

    const sub = await rx.esme.call('submit_sm', { destination_addr: '62811', short_message: 'x' });
    assert.strictEqual(sub.command_status, smpp.ESME_RINVBNDSTS, 'a receiver may not submit');
    await rx.esme.close();

    const unbind = await esme.call('unbind');
    assert.strictEqual(unbind.command, 'unbind_resp');
    await esme.closed; // the SMSC closes after unbind_resp
    const stats = await sim.stats();
    assert.strictEqual(stats.binds_ok, 2);
    assert.strictEqual(stats.binds_failed, 4);
    assert.strictEqual(stats.unbinds, 1);
    assert.strictEqual(stats.binds, 0);
  });

  await t.test('submit_sm before bind is refused with ESME_RINVBNDSTS', async () => {
    const esme = await connect(sim.smppPort);
    const sub = await esme.call('submit_sm', { destination_addr: '62811', short_message: 'x' });
    assert.strictEqual(sub.command_status, smpp.ESME_RINVBNDSTS);
    await esme.close();
  });
});
