'use strict';
// Injected faults. Each fault applies to the next `count` requests it matches:
// any request, or only those naming one meter / IDPEL in bit 48, optionally
// only one MTI. A request consumes at most one `delay` fault and at most one
// other fault, the oldest that matches.

// kind -> appliesTo: which requests it can hit (beyond the meter/idpel/mti
// filters); processes: whether the request is still carried out; action: what
// the transport does instead of a plain reply (see server.js).
const KINDS = {
  delay: { appliesTo: () => true, processes: true, action: 'reply' },
  drop_after_sale: { appliesTo: (req) => req.mti === '2200', processes: true, action: 'drop' },
  drop_no_sale: { appliesTo: () => true, processes: false, action: 'drop' },
  rc: { appliesTo: () => true, processes: false, action: 'reply' },
  close: { appliesTo: () => true, processes: false, action: 'close' },
  refuse_signon: { appliesTo: (req) => req.mti === '2800' && req.networkCode === '001', processes: false, action: 'reply' },
  garbage: { appliesTo: () => true, processes: false, action: 'garbage' },
  duplicate: { appliesTo: () => true, processes: true, action: 'duplicate' },
  truncate: { appliesTo: () => true, processes: true, action: 'truncate' },
};
const NO_FAULT = KINDS.delay;

class FaultError extends Error {}

function validateFault(f) {
  if (!f || typeof f !== 'object' || !(f.kind in KINDS)) {
    throw new FaultError(`fault kind must be one of ${Object.keys(KINDS).join(', ')}`);
  }
  const out = { kind: f.kind, count: f.count ?? 1 };
  if (!Number.isSafeInteger(out.count) || out.count < 1) throw new FaultError('count must be a positive integer');
  if (f.meter !== undefined) {
    if (!/^[0-9]{11}$/.test(f.meter)) throw new FaultError('meter must be 11 digits');
    out.meter = f.meter;
  }
  if (f.idpel !== undefined) {
    if (!/^[0-9]{12}$/.test(f.idpel)) throw new FaultError('idpel must be 12 digits');
    out.idpel = f.idpel;
  }
  if (f.mti !== undefined) {
    if (!/^[0-9]{4}$/.test(f.mti)) throw new FaultError('mti must be 4 digits');
    out.mti = f.mti;
  }
  if (f.kind === 'delay') {
    if (!Number.isSafeInteger(f.ms) || f.ms < 0 || f.ms > 600000) throw new FaultError('delay needs ms (0-600000)');
    out.ms = f.ms;
  }
  if (f.kind === 'rc' || f.kind === 'refuse_signon') {
    const code = f.code ?? (f.kind === 'refuse_signon' ? '0005' : undefined);
    if (typeof code !== 'string' || !/^[A-Za-z0-9]{4}$/.test(code)) throw new FaultError('code must be 4 characters');
    out.code = code;
  }
  return out;
}

class Faults {
  constructor() {
    this.list = [];
    this.nextId = 1;
  }

  add(f) {
    const fault = { id: this.nextId++, ...validateFault(f) };
    this.list.push(fault);
    return fault;
  }

  clear() {
    this.list = [];
  }

  // req: {mti, networkCode, meter, idpel}. Removes and returns the fault that
  // applies, or null. wantDelay selects delay faults or the others.
  take(req, wantDelay) {
    const i = this.list.findIndex((f) => (f.kind === 'delay') === wantDelay
      && KINDS[f.kind].appliesTo(req)
      && (f.mti === undefined || f.mti === req.mti)
      && (f.meter === undefined || f.meter === req.meter)
      && (f.idpel === undefined || f.idpel === req.idpel));
    if (i < 0) return null;
    const f = this.list[i];
    f.count -= 1;
    if (f.count === 0) this.list.splice(i, 1);
    return f;
  }
}

module.exports = { Faults, FaultError, KINDS, NO_FAULT };
