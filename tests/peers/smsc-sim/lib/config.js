'use strict';
// Simulator configuration: defaults, validation and run-time merging.
// Every key is optional in the JSON file; README.md documents each one.

const RECEIPT_FORMS = ['both', 'tlv', 'text', 'none'];
const MSGID_FORMATS = ['hex', 'dec'];
// Receipt "stat:" words (SMPP 3.4 Appendix B) and their message_state TLV values (§5.3.2.35).
const FINAL_STATES = {
  ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8,
};

function defaults() {
  return {
    system_id: 'SMSCSIM',
    esmes: [{ system_id: 'pintar', password: 'secret', routes: ['1234'], max_binds: 4 }],
    tps: 0,
    resp_delay_ms: 0,
    submit_window: 0,
    resp_msgid: 'hex',
    resp_msgid_pad: 8,
    resp_msgid_restart: 'never',
    // receipt.msgid / msgid_pad null: print ids in receipts as in submit_sm_resp.
    receipt: {
      form: 'both', delay_ms: 0, final_state: 'DELIVRD', err: '000', msgid: null, msgid_pad: null, by_dest: {},
    },
    enquire_link_interval_ms: 0,
    deliver_timeout_ms: 10000,
    deliver_retry_ms: 1000,
    deliver_window: 10,
    max_messages: 100000,
  };
}

class ConfigError extends Error {}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkNonNegativeInt(name, v) {
  if (!Number.isInteger(v) || v < 0) throw new ConfigError(`${name} must be a non-negative integer`);
}

function checkEsme(e, i) {
  const where = `esmes[${i}]`;
  if (!isPlainObject(e)) throw new ConfigError(`${where} must be an object`);
  for (const k of Object.keys(e)) {
    if (!['system_id', 'password', 'routes', 'max_binds'].includes(k)) {
      throw new ConfigError(`${where}: unknown key ${k}`);
    }
  }
  // SMPP 3.4 §5.2.1: system_id is at most 15 octets, password at most 8 (plus NUL).
  if (typeof e.system_id !== 'string' || e.system_id.length < 1 || e.system_id.length > 15) {
    throw new ConfigError(`${where}.system_id must be a string of 1..15 characters`);
  }
  if (typeof e.password !== 'string' || e.password.length > 8) {
    throw new ConfigError(`${where}.password must be a string of at most 8 characters`);
  }
  if (e.routes !== undefined) {
    if (!Array.isArray(e.routes) || !e.routes.every((r) => typeof r === 'string' && r.length > 0)) {
      throw new ConfigError(`${where}.routes must be an array of non-empty strings`);
    }
  }
  if (e.max_binds !== undefined) checkNonNegativeInt(`${where}.max_binds`, e.max_binds);
}

// final_state and err of a handset outcome.
function checkOutcome(where, o) {
  if (!(o.final_state in FINAL_STATES)) {
    throw new ConfigError(`${where}.final_state must be one of ${Object.keys(FINAL_STATES)}`);
  }
  if (!/^[0-9]{3}$/.test(o.err)) throw new ConfigError(`${where}.err must be three digits`);
}

function validate(c) {
  if (typeof c.system_id !== 'string' || c.system_id.length > 15) {
    throw new ConfigError('system_id must be a string of at most 15 characters');
  }
  if (!Array.isArray(c.esmes)) throw new ConfigError('esmes must be an array');
  c.esmes.forEach(checkEsme);
  const ids = c.esmes.map((e) => e.system_id);
  if (new Set(ids).size !== ids.length) throw new ConfigError('esmes: duplicate system_id');
  for (const k of ['tps', 'resp_delay_ms', 'submit_window', 'resp_msgid_pad', 'enquire_link_interval_ms', 'deliver_timeout_ms',
    'deliver_retry_ms', 'deliver_window', 'max_messages']) {
    checkNonNegativeInt(k, c[k]);
  }
  if (c.deliver_window < 1) throw new ConfigError('deliver_window must be at least 1');
  if (c.deliver_timeout_ms < 1) throw new ConfigError('deliver_timeout_ms must be at least 1');
  if (!MSGID_FORMATS.includes(c.resp_msgid)) throw new ConfigError('resp_msgid must be "hex" or "dec"');
  if (!['never', 'bind'].includes(c.resp_msgid_restart)) {
    throw new ConfigError('resp_msgid_restart must be "never" or "bind"');
  }
  const r = c.receipt;
  if (!RECEIPT_FORMS.includes(r.form)) throw new ConfigError(`receipt.form must be one of ${RECEIPT_FORMS}`);
  checkNonNegativeInt('receipt.delay_ms', r.delay_ms);
  if (r.msgid_pad !== null) checkNonNegativeInt('receipt.msgid_pad', r.msgid_pad);
  checkOutcome('receipt', r);
  if (!isPlainObject(r.by_dest)) throw new ConfigError('receipt.by_dest must be an object');
  for (const [pattern, o] of Object.entries(r.by_dest)) {
    const where = `receipt.by_dest["${pattern}"]`;
    if (!isPlainObject(o) || Object.keys(o).some((k) => !['final_state', 'err'].includes(k))) {
      throw new ConfigError(`${where} must be {"final_state": .., "err": ..}`);
    }
    checkOutcome(where, Object.assign({ final_state: r.final_state, err: r.err }, o));
  }
  if (r.msgid !== null && !MSGID_FORMATS.includes(r.msgid)) {
    throw new ConfigError('receipt.msgid must be "hex", "dec" or null');
  }
}

// Returns a new, validated config: `base` with `patch` applied. "receipt" merges key by key
// (so {"receipt":{"delay_ms":5}} keeps the other receipt keys); other keys replace.
function merge(base, patch) {
  if (!isPlainObject(patch)) throw new ConfigError('config must be a JSON object');
  const out = JSON.parse(JSON.stringify(base));
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in out)) throw new ConfigError(`unknown config key ${k}`);
    if (k === 'receipt') {
      if (!isPlainObject(v)) throw new ConfigError(`${k} must be an object`);
      for (const [k2, v2] of Object.entries(v)) {
        if (!(k2 in out[k])) throw new ConfigError(`unknown config key ${k}.${k2}`);
        out[k][k2] = v2;
      }
    } else {
      out[k] = v;
    }
  }
  validate(out);
  return out;
}

module.exports = { defaults, merge, ConfigError, FINAL_STATES };
