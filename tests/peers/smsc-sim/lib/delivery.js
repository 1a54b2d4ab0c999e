'use strict';
// Store-and-forward delivery of deliver_sm (MO, ESME-routed messages, receipts) to the
// receiving binds of an account, as a real SMSC does it:
//
//  state         event                                   next state / action
//  queued        a receiving bind has window room        in_flight: write deliver_sm, start timer
//  in_flight     deliver_sm_resp ESME_ROK                acked
//  in_flight     resp 0x14, 0x58, 0x64                   retry_wait (deliver_retry_ms) -> queued
//  in_flight     deliver_timeout_ms expires              retry_wait (the late resp is ignored)
//  in_flight     connection lost                         queued (front of the queue)
//  in_flight     any other status, or generic_nack       failed (dropped and counted)
//
// Queues live in memory only; items for an account without a receiving bind wait for one.

const smpp = require('smpp');
const codec = require('./codec');
const { Deque } = require('./deque');

const TEMPORARY_STATUSES = new Set([smpp.ESME_RMSGQFUL, smpp.ESME_RTHROTTLED, smpp.ESME_RX_T_APPN]);

class Deliverer {
  // ctx: {config() -> current config, counters, receivingBinds(systemId) -> Connection[],
  //       takeExtraTlvs() -> [{tag, value}] | null, log(fmt)}
  constructor(ctx) {
    this.ctx = ctx;
    this.queues = new Map(); // system_id -> Deque of items
    this.retryTimers = new Set();
    this.rr = new Map(); // system_id -> round-robin cursor
  }

  // item: {systemId, fields (smpp.PDU options), tlvs ([{tag, value}] appended verbatim), record,
  //        onFinal(acked, status) | null}
  // record is the delivery record shown by GET /deliveries and is updated in place.
  enqueue(item) {
    item.record.status = 'queued';
    this._queue(item.systemId).push(item);
    this.pump(item.systemId);
  }

  _queue(systemId) {
    let q = this.queues.get(systemId);
    if (!q) {
      q = new Deque();
      this.queues.set(systemId, q);
    }
    return q;
  }

  _pickBind(systemId) {
    const window = this.ctx.config().deliver_window;
    const binds = this.ctx.receivingBinds(systemId);
    const start = this.rr.get(systemId) || 0;
    for (let i = 0; i < binds.length; i++) {
      const conn = binds[(start + i) % binds.length];
      if (conn.outstanding.size < window) {
        this.rr.set(systemId, (start + i + 1) % binds.length);
        return conn;
      }
    }
    return null;
  }

  pump(systemId) {
    const q = this.queues.get(systemId);
    while (q && q.length > 0) {
      const conn = this._pickBind(systemId);
      if (!conn) return;
      this._send(conn, q.shift());
    }
  }

  pumpAll() {
    for (const systemId of this.queues.keys()) this.pump(systemId);
  }

  _send(conn, item) {
    const { counters } = this.ctx;
    const seq = conn.nextSequence();
    let pdu = codec.encode('deliver_sm', seq, item.fields);
    const tlvs = item.tlvs.concat(this.ctx.takeExtraTlvs() || []);
    if (tlvs.length > 0) pdu = codec.appendTlvs(pdu, tlvs);
    counters.deliver_sm_sent++;
    if (item.record.attempts > 0) counters.deliver_sm_retried++;
    else if (item.record.kind === 'receipt') counters.receipts_sent++;
    item.record.attempts++;
    item.record.status = 'in_flight';
    item.record.bind_id = conn.id;
    const timer = setTimeout(() => this._onTimeout(conn, seq), this.ctx.config().deliver_timeout_ms);
    conn.outstanding.set(seq, { item, timer });
    conn.write(pdu);
  }

  _onTimeout(conn, seq) {
    const entry = conn.outstanding.get(seq);
    if (!entry) return;
    conn.outstanding.delete(seq);
    this.ctx.counters.deliver_sm_timeouts++;
    this.ctx.log(`deliver_sm seq=${seq} to bind ${conn.id} timed out`);
    this._retryLater(entry.item, null);
    this.pump(entry.item.systemId);
  }

  _retryLater(item, status) {
    item.record.status = 'retry_wait';
    item.record.last_status = status;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      item.record.status = 'queued';
      this._queue(item.systemId).push(item);
      this.pump(item.systemId);
    }, this.ctx.config().deliver_retry_ms);
    this.retryTimers.add(timer);
  }

  _finish(item, acked, status) {
    item.record.status = acked ? 'acked' : 'failed';
    item.record.last_status = status;
    item.record.done_at = Date.now();
    if (acked) this.ctx.counters.deliver_sm_acked++;
    else this.ctx.counters.deliver_sm_failed++;
    if (item.onFinal) item.onFinal(acked, status);
  }

  // A deliver_sm_resp or generic_nack from `conn`.
  onResponse(conn, pdu) {
    const entry = conn.outstanding.get(pdu.sequence_number);
    if (!entry) {
      if (pdu.command === 'deliver_sm_resp') this.ctx.counters.deliver_sm_resp_unexpected++;
      return;
    }
    conn.outstanding.delete(pdu.sequence_number);
    clearTimeout(entry.timer);
    const status = pdu.command_status;
    if (pdu.command === 'deliver_sm_resp' && status === 0) this._finish(entry.item, true, 0);
    else if (pdu.command === 'deliver_sm_resp' && TEMPORARY_STATUSES.has(status)) this._retryLater(entry.item, status);
    else this._finish(entry.item, false, status);
    this.pump(entry.item.systemId);
  }

  onConnectionClosed(conn) {
    const ids = new Set();
    for (const { item, timer } of [...conn.outstanding.values()].reverse()) {
      clearTimeout(timer);
      item.record.status = 'queued';
      this._queue(item.systemId).unshift(item);
      ids.add(item.systemId);
    }
    conn.outstanding.clear();
    for (const id of ids) this.pump(id);
  }

  // Drops everything waiting; in-flight deliver_sm are forgotten (their answers are ignored).
  clear(connections) {
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.queues.clear();
    for (const conn of connections) {
      for (const { timer } of conn.outstanding.values()) clearTimeout(timer);
      conn.outstanding.clear();
    }
  }

  gauges(connections) {
    let queued = this.retryTimers.size;
    for (const q of this.queues.values()) queued += q.length;
    let inFlight = 0;
    for (const conn of connections) inFlight += conn.outstanding.size;
    return { queued, in_flight: inFlight };
  }
}

module.exports = { Deliverer };
