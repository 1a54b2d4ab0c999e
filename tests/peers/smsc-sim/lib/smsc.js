'use strict';
// The simulated SMSC: binds and accounts, submit_sm handling and recording, routing,
// receipts, mobile-originated injection and injected faults. One instance per process;
// everything runs on the Node event loop (no locking needed).
// One file just past 500 lines on purpose: the SMSC's state (binds, messages, routes) and
// the PDU handlers that share it; the codec and the HTTP control are their own files.

const smpp = require('smpp');
const crypto = require('crypto');
const codec = require('./codec');
const receipt = require('./receipt');
const config = require('./config');
const routes = require('./routes');
const { Connection, BIND_MODES } = require('./connection');
const { Deliverer } = require('./delivery');
const { createCounters } = require('./counters');

const TAG = require('./tags');
const { RequestError } = require('./errors');
const { Faults, HEX } = require('./faults');
const { buildMo } = require('./mo');
const { RecordLog, describeSubmit, describeDelivery } = require('./records');
const SMPP_VERSION_34 = 0x34;
const ROUTED_TLVS = new Set([TAG.sar_msg_ref_num, TAG.sar_total_segments, TAG.sar_segment_seqnum, TAG.message_payload]);
const DEFAULT_MAX_BINDS = 4;
const UNBIND_GRACE_MS = 2000;
const MAX_MO_COUNT = 100000;
// submit_sm parameters (§4.4.1) copied into a deliver_sm routed to an ESME (§4.6.1).
const ROUTED_FIELDS = ['service_type', 'source_addr_ton', 'source_addr_npi', 'source_addr', 'dest_addr_ton',
  'dest_addr_npi', 'destination_addr', 'protocol_id', 'priority_flag', 'data_coding'];

function pick(obj, keys) {
  return Object.fromEntries(keys.map((k) => [k, obj[k]]));
}

// Constant-time comparison of two secrets of any length.
function secretEquals(a, b) {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

class Smsc {
  // log: null (quiet) or a function taking one line; with it every PDU is traced too.
  constructor(cfg, log) {
    this.cfg = cfg;
    this.trace = log;
    this.log = log || (() => {});
    this.counters = createCounters();
    this.connections = new Set();
    this.nextConnectionId = 1;
    this.nextMessageNumber = 1; // record number (GET /messages since_id): never restarts
    this.nextIdNumber = 1;      // the number printed as message_id: restarts with resp_msgid_restart
    this.nextDeliveryId = 1;
    this.nextMoRef = 1;
    this.messages = new RecordLog(() => this.cfg.max_messages, (r) => r.message_id);
    this.deliveries = new RecordLog(() => this.cfg.max_messages, (r) => r.id);
    this.timers = new Set(); // pending delayed answers and receipts
    this.routeTable = { cfg: null, entries: [] }; // [pattern, system_id], rebuilt when cfg changes
    this.faults = new Faults();
    this.deliverer = new Deliverer({
      config: () => this.cfg,
      counters: this.counters,
      receivingBinds: (id) => this._binds().filter((c) => c.bind.receive && c.bind.systemId === id),
      takeExtraTlvs: () => this.faults.takeExtraTlvs(),
      log: (m) => this.log(m),
    });
  }

  _binds() {
    return [...this.connections].filter((c) => c.bind && !c.closed);
  }

  // ---- connections ----

  attach(socket) {
    const conn = new Connection(socket, this.nextConnectionId++, this.trace);
    this.connections.add(conn);
    this.counters.connections++;
    conn.on('pdu', (pdu) => this._onPdu(conn, pdu));
    conn.on('malformed', (err, seq) => {
      this.counters.malformed_pdus++;
      this.log(`bind ${conn.id}: malformed PDU: ${err.message}`);
      this._nack(conn, err.status, seq);
    });
    conn.on('close', () => {
      this.connections.delete(conn);
      this.counters.connections_closed++;
      clearInterval(conn.enquireTimer);
      this.deliverer.onConnectionClosed(conn);
    });
  }

  _nack(conn, status, seq) {
    this.counters.generic_nack_sent++;
    conn.write(codec.encodeRaw(codec.GENERIC_NACK, status, seq));
  }

  _onPdu(conn, pdu) {
    if (codec.isResponse(pdu.command_id)) {
      this._onResponse(conn, pdu);
      return;
    }
    if (!this.faults.answering()) {
      this.counters.requests_ignored++;
      return;
    }
    switch (pdu.command) {
      case 'bind_transmitter':
      case 'bind_receiver':
      case 'bind_transceiver':
        this._onBind(conn, pdu);
        break;
      case 'unbind':
        this.counters.unbinds++;
        conn.write(codec.encode('unbind_resp', pdu.sequence_number, {}));
        conn.bind = null;
        clearInterval(conn.enquireTimer);
        conn.end();
        break;
      case 'enquire_link':
        this.counters.enquire_link_received++;
        conn.write(codec.encode('enquire_link_resp', pdu.sequence_number, {}));
        break;
      case 'submit_sm':
        this._onSubmit(conn, pdu);
        break;
      case 'query_sm':
        this._onQuery(conn, pdu);
        break;
      default:
        this.counters.unknown_pdus++;
        this._nack(conn, smpp.ESME_RINVCMDID, pdu.sequence_number);
    }
  }

  _onResponse(conn, pdu) {
    switch (pdu.command) {
      case 'deliver_sm_resp':
        // Fault lose_deliver_resp: the answer never arrived; the deliver_sm times out and is
        // delivered again, as after a link drop between the ESME's commit and its answer.
        if (pdu.command_status === 0 && this.faults.takeLostDeliverResp()) {
          this.counters.deliver_resp_lost++;
          break;
        }
        this.deliverer.onResponse(conn, pdu);
        break;
      case 'generic_nack':
        this.counters.generic_nack_received++;
        this.deliverer.onResponse(conn, pdu);
        break;
      case 'enquire_link_resp':
        this.counters.enquire_link_resp_received++;
        break;
      case 'unbind_resp':
        conn.end();
        break;
      default:
        this.counters.unknown_pdus++;
    }
  }

  // ---- bind (§4.1) ----

  _onBind(conn, pdu) {
    const respCommand = pdu.command + '_resp';
    const refuse = (status, why) => {
      this.counters.binds_failed++;
      this.log(`bind ${conn.id}: ${pdu.command} system_id=${pdu.params.system_id} refused: ${why}`);
      conn.write(codec.encodeRaw(smpp.commands[respCommand].id, status, pdu.sequence_number));
    };
    if (conn.bind) return refuse(smpp.ESME_RALYBND, 'already bound');
    const systemId = pdu.params.system_id || '';
    const account = this.cfg.esmes.find((e) => e.system_id === systemId);
    if (!account) return refuse(smpp.ESME_RINVSYSID, 'unknown system_id');
    if (!secretEquals(pdu.params.password || '', account.password)) return refuse(smpp.ESME_RINVPASWD, 'wrong password');
    const maxBinds = account.max_binds === undefined ? DEFAULT_MAX_BINDS : account.max_binds;
    const current = this._binds().filter((c) => c.bind.systemId === systemId).length;
    if (current >= maxBinds) return refuse(smpp.ESME_RBINDFAIL, `max_binds ${maxBinds} reached`);

    conn.bind = Object.assign({ systemId, boundAt: new Date().toISOString() }, BIND_MODES[pdu.command]);
    this.counters.binds_ok++;
    // Like SMSCs that count message ids per connection: ids already given out come again.
    if (this.cfg.resp_msgid_restart === 'bind') this.nextIdNumber = 1;
    const resp = codec.encode(respCommand, pdu.sequence_number, { system_id: this.cfg.system_id });
    conn.write(codec.appendTlvs(resp, [{ tag: TAG.sc_interface_version, value: Buffer.from([SMPP_VERSION_34]) }]));
    this._startEnquireLink(conn);
    if (conn.bind.receive) this.deliverer.pump(systemId); // store-and-forward: flush what waited
  }

  _startEnquireLink(conn) {
    clearInterval(conn.enquireTimer);
    conn.enquireTimer = null;
    const ms = this.cfg.enquire_link_interval_ms;
    if (!ms || !conn.bind) return;
    conn.enquireTimer = setInterval(() => {
      this.counters.enquire_link_sent++;
      conn.write(codec.encode('enquire_link', conn.nextSequence(), {}));
    }, ms);
  }

  // ---- submit_sm (§4.4) ----

  _takeToken(conn) {
    const tps = this.cfg.tps;
    if (!tps) return true;
    const now = Date.now();
    if (!conn.tokens) conn.tokens = { n: tps, last: now };
    const t = conn.tokens;
    t.n = Math.min(tps, t.n + ((now - t.last) * tps) / 1000);
    t.last = now;
    if (t.n < 1) return false;
    t.n -= 1;
    return true;
  }

  // The answer an armed fault gives this submit_sm, or null.
  _faultedSubmit(pdu) {
    const f = this.faults.takeSubmitFault();
    if (!f) return null;
    this.counters.faulted_responses++;
    if (f.type === 'generic_nack') {
      this.counters.generic_nack_sent++;
      return codec.encodeRaw(codec.GENERIC_NACK, f.code, pdu.sequence_number);
    }
    let body = Buffer.alloc(0);
    if (f.body === 'nul') body = Buffer.from([0]);
    if (f.body === 'id') body = Buffer.from(this._newMessageId().message_id + '\0', 'latin1');
    return codec.encodeRaw(smpp.commands.submit_sm_resp.id, f.code, pdu.sequence_number, body);
  }

  _newMessageId() {
    const id = this.nextMessageNumber++;
    const number = this.nextIdNumber++;
    return { id, number, message_id: receipt.formatMessageId(number, this.cfg.resp_msgid, this.cfg.resp_msgid_pad) };
  }

  _onSubmit(conn, pdu) {
    this.counters.submit_sm++;
    const seq = pdu.sequence_number;
    const refuse = (status) => codec.encodeRaw(smpp.commands.submit_sm_resp.id, status, seq);
    if (!conn.bind || !conn.bind.transmit) {
      this.counters.submit_sm_rejected++;
      this._answerSubmit(conn, refuse(smpp.ESME_RINVBNDSTS));
      return;
    }
    if (this.cfg.submit_window && conn.unanswered >= this.cfg.submit_window) {
      this.counters.window_exceeded++;
      conn.write(refuse(smpp.ESME_RMSGQFUL)); // at once: the ESME broke the window
      return;
    }
    const faulted = this._faultedSubmit(pdu);
    if (faulted) {
      this._answerSubmit(conn, faulted);
      return;
    }
    if (!this._takeToken(conn)) {
      this.counters.throttled++;
      this._answerSubmit(conn, refuse(smpp.ESME_RTHROTTLED));
      return;
    }
    if (!pdu.params.destination_addr) {
      this.counters.submit_sm_rejected++;
      this._answerSubmit(conn, refuse(smpp.ESME_RINVDSTADR));
      return;
    }
    const msg = this._record(conn, pdu);
    this.counters.submit_sm_ok++;
    this._answerSubmit(conn, codec.encode('submit_sm_resp', seq, { message_id: msg.message_id }),
      () => this._route(msg, pdu));
  }

  // Writes a submit_sm answer resp_delay_ms from now, then runs `then` (routing), so that a
  // receipt never overtakes the submit_sm_resp it belongs to.
  _answerSubmit(conn, resp, then) {
    conn.unanswered++;
    this._after(this.cfg.resp_delay_ms, () => {
      conn.unanswered--;
      conn.write(resp);
      if (then) then();
    });
  }

  // Runs fn after ms (at once for 0); POST /reset cancels what is still pending.
  _after(ms, fn) {
    if (ms === 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  _record(conn, pdu) {
    const { id, number, message_id: messageId } = this._newMessageId();
    const rec = { // a literal with fixed shape: this runs for every submit_sm
      id,
      number, // of message_id, printed again in the receipt's own id format
      message_id: messageId,
      system_id: conn.bind.systemId,
      bind_id: conn.id,
      source_addr: pdu.params.source_addr,
      destination_addr: pdu.params.destination_addr,
      pdu,
      received_at: Date.now(),
      route: null,
      state: 'ENROUTE',
      receipt: null, // {state, err, id, generated_at (ms)} once generated
    };
    this.messages.add(rec);
    return rec;
  }

  _ownerOf(dest) {
    if (this.routeTable.cfg !== this.cfg) {
      this.routeTable = { cfg: this.cfg, entries: this.cfg.esmes.flatMap((e) => (e.routes || []).map((r) => [r, e.system_id])) };
    }
    return routes.bestMatch(this.routeTable.entries, dest);
  }

  _route(msg, pdu) {
    const owner = this._ownerOf(msg.destination_addr);
    if (!owner) {
      msg.route = 'handset';
      this.counters.routed_to_handset++;
      const r = this.cfg.receipt;
      const o = routes.bestMatch(Object.entries(r.by_dest), msg.destination_addr) || {};
      msg.state = o.final_state || r.final_state;
      this._scheduleReceipt(msg, msg.state, o.err || r.err);
      return;
    }
    msg.route = 'esme:' + owner;
    this.counters.routed_to_esme++;
    const p = pdu.params;
    this._deliver('routed', owner, {
      ...pick(p, ROUTED_FIELDS),
      esm_class: p.esm_class & 0x40, // keep UDHI; messaging mode and type are the SMSC's
      short_message: p.short_message || Buffer.alloc(0),
    }, pdu.tlvs.filter((t) => ROUTED_TLVS.has(t.tag)), msg.message_id, (acked, status) => {
      const err = acked ? '000' : String(status % 1000).padStart(3, '0');
      msg.state = acked ? 'DELIVRD' : 'UNDELIV';
      this._scheduleReceipt(msg, msg.state, err);
    });
  }

  _deliver(kind, systemId, fields, tlvs, messageId, onFinal) {
    const record = {
      id: this.nextDeliveryId++,
      kind,
      system_id: systemId,
      source_addr: fields.source_addr,
      destination_addr: fields.destination_addr,
      esm_class: fields.esm_class,
      data_coding: fields.data_coding,
      message_id: messageId,
      status: 'queued',
      attempts: 0,
      last_status: null,
      bind_id: null,
      created_at: Date.now(),
      done_at: null,
    };
    this.deliveries.add(record);
    this.deliverer.enqueue({ systemId, fields, tlvs, record, onFinal });
    return record.id;
  }

  _scheduleReceipt(msg, state, err) {
    if (this.cfg.receipt.form === 'none' || !receipt.wanted(msg.pdu.params.registered_delivery, state)) return;
    this._after(this.cfg.receipt.delay_ms, () => {
      const r = receipt.buildReceipt(msg, this.cfg, state, err, new Date());
      msg.receipt = { state, err, id: r.id, generated_at: Date.now() };
      this.counters.receipts_generated++;
      this._deliver('receipt', msg.system_id, r.fields, [], r.id);
    });
  }

  // ---- query_sm (§4.8) ----

  _onQuery(conn, pdu) {
    const id = pdu.params.message_id;
    const refuse = (status) => conn.write(codec.encodeRaw(smpp.commands.query_sm_resp.id, status, pdu.sequence_number));
    if (!conn.bind || !conn.bind.transmit) {
      refuse(smpp.ESME_RINVBNDSTS);
      return;
    }
    const msg = this.messages.get(id);
    if (!msg || msg.system_id !== conn.bind.systemId) {
      refuse(smpp.ESME_RQUERYFAIL);
      return;
    }
    conn.write(codec.encode('query_sm_resp', pdu.sequence_number, {
      message_id: id, final_date: '', message_state: config.FINAL_STATES[msg.state], error_code: 0,
    }));
  }

  // ---- control API operations ----

  injectMo(req) {
    if (!req || typeof req.to !== 'string') throw new RequestError('"to" is required');
    const systemId = req.system_id || this._ownerOf(req.to);
    if (!systemId || !this.cfg.esmes.some((e) => e.system_id === systemId)) {
      throw new RequestError(`no ESME account owns ${req.to}`);
    }
    const count = req.count === undefined ? 1 : req.count;
    if (!Number.isInteger(count) || count < 1 || count > MAX_MO_COUNT) {
      throw new RequestError(`"count" must be an integer in 1..${MAX_MO_COUNT}`);
    }
    const { parts, total, ref } = buildMo(req, () => this.nextMoRef++);
    const ids = [];
    for (let n = 0; n < count; n++) {
      for (const p of parts) {
        this.counters.mo_injected++;
        ids.push(this._deliver('mo', systemId, p.fields, p.tlvs, null, null));
      }
    }
    return { ids, system_id: systemId, parts: total, ref };
  }

  // The configuration with passwords masked, for the control API.
  publicConfig() {
    return Object.assign({}, this.cfg, { esmes: this.cfg.esmes.map((e) => Object.assign({}, e, { password: '***' })) });
  }

  setConfig(patch) {
    try {
      this.cfg = config.merge(this.cfg, patch);
    } catch (e) {
      if (e instanceof config.ConfigError) throw new RequestError(e.message);
      throw e;
    }
    for (const conn of this._binds()) this._startEnquireLink(conn);
    this.deliverer.pumpAll(); // a wider deliver_window may let more go out
    return this.publicConfig();
  }

  setFault(f) {
    if (!f || typeof f.type !== 'string') throw new RequestError('"type" is required');
    if (this.faults.arm(f)) return {};
    switch (f.type) {
      case 'drop_connections': {
        const n = this.connections.size;
        for (const conn of this.connections) conn.destroy();
        return { dropped: n };
      }
      case 'unbind':
        return { unbound: this._unbindAll() };
      case 'raw': {
        if (typeof f.hex !== 'string' || !HEX.test(f.hex)) throw new RequestError('"hex" must be hex octets');
        const conn = this._binds().find((c) => !f.system_id || c.bind.systemId === f.system_id);
        if (!conn) throw new RequestError('no bound ESME');
        const bytes = Buffer.from(f.hex, 'hex');
        conn.write(bytes);
        return { written: bytes.length, bind_id: conn.id };
      }
      default:
        throw new RequestError(`unknown fault type ${f.type}`);
    }
  }

  // SMSC-initiated unbind (§4.2): no more deliver_sm on these binds; each connection closes
  // on unbind_resp, or after UNBIND_GRACE_MS without one.
  _unbindAll() {
    const binds = this._binds();
    for (const conn of binds) {
      conn.bind = null;
      clearInterval(conn.enquireTimer);
      this.counters.unbinds_sent++;
      conn.write(codec.encode('unbind', conn.nextSequence(), {}));
      setTimeout(() => conn.destroy(), UNBIND_GRACE_MS).unref();
    }
    return binds.length;
  }

  reset() {
    this.messages.clear();
    this.deliveries.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.deliverer.clear(this.connections);
    for (const k of Object.keys(this.counters)) this.counters[k] = 0;
    this.faults.clear();
  }

  stats() {
    const gauges = this.deliverer.gauges(this.connections);
    return Object.assign({}, this.counters, gauges, { binds: this._binds().length });
  }

  listBinds() {
    return this._binds().map((c) => ({
      id: c.id,
      system_id: c.bind.systemId,
      mode: c.bind.mode,
      remote_port: c.remotePort,
      bound_at: c.bind.boundAt,
      outstanding: c.outstanding.size,
    }));
  }

  listMessages(q) {
    return this.messages.list(q).map(describeSubmit);
  }

  listDeliveries(q) {
    return this.deliveries.list(q, (d) => q.kind === undefined || d.kind === q.kind).map(describeDelivery);
  }

  close() {
    for (const conn of this.connections) conn.destroy();
    for (const t of this.timers) clearTimeout(t);
    this.deliverer.clear(this.connections);
  }
}

module.exports = { Smsc };
