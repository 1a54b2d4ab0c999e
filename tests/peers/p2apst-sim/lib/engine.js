'use strict';
// The PLN side of the P2APST prepaid (99502) exchange: sessions, inquiry,
// purchase, advice, deposit, unsold tokens and fault injection. Pure logic:
// handle() takes a decoded request and returns what the transport must do.
// Response codes are those listed in README.md ("Response codes").
// One file past 500 lines on purpose: the host's whole decision logic (one function per
// message type over one state) reads best in one place; the transport is in server.js.

const crypto = require('crypto');
const fs = require('fs');
const { Clock, localParts, inWindow } = require('./clock');
const { Faults, KINDS: FAULT_KINDS, NO_FAULT } = require('./faults');
const { IsoError, responseMti } = require('./iso');
const R = require('./records');
const { computeCharges, stampDutyFor } = require('./charges');
const { findTariff, normalizeAccount } = require('./config');

const RC = {
  OK: '0000',
  WRONG_SUBSCRIBER: '0009',
  SIGN_ON_FIRST: '0011',
  INVALID_AMOUNT: '0013',
  UNKNOWN_SUBSCRIBER: '0014',
  METER_IDPEL_MISMATCH: '0015',
  BLOCKED: '0016',
  BAD_MESSAGE: '0030',
  UNKNOWN_BANK: '0031',
  UNKNOWN_PARTNER: '0032',
  UNKNOWN_PRODUCT: '0033',
  BELOW_MIN: '0041',
  ABOVE_MAX: '0042',
  DEPOSIT_LOW: '0046',
  KWH_LIMIT: '0047',
  SUSPENDED: '0077',
  CUTOFF: '0090',
  PARTNER_DIFFERS: '0097',
  PLN_REF_INVALID: '0098',
};

const FINANCIAL_REQUIRED = [2, 11, 12, 26, 32, 33, 41, 48];
const REQUIRED = {
  2800: [11, 40],
  2100: FINANCIAL_REQUIRED,
  2200: [...FINANCIAL_REQUIRED, 4],
  2220: [...FINANCIAL_REQUIRED, 4],
  2221: [...FINANCIAL_REQUIRED, 4],
};
// Request fields every response copies back unchanged (bit 48 only until a
// handler replaces it).
const ECHOED = [2, 4, 11, 12, 26, 32, 33, 40, 41, 48];
const MONEY_MINOR = 2;

class Refusal extends Error {
  constructor(rc) {
    super(`refused with ${rc}`);
    this.rc = rc;
  }
}
const refuse = (rc) => { throw new Refusal(rc); };

const bump = (table, key, by = 1) => { table[key] = (table[key] ?? 0) + by; };
const isZeros = (s) => /^0+$/.test(s);

function freshStats() {
  return {
    requests: {}, responses: {}, response_codes: {}, faults: {},
    sales: 0, charged_rupiah: 0, unsold_taken: 0,
    advice_found: 0, advice_not_found: 0,
  };
}

// bit 4: "360" + minor-unit digit + 12-digit amount; whole rupiah only.
function parseAmount(bit4) {
  const minor = Number(bit4[3]);
  const value = Number(bit4.slice(4));
  const scale = 10 ** minor;
  if (bit4.slice(0, 3) !== '360' || value % scale !== 0) refuse(RC.INVALID_AMOUNT);
  return value / scale;
}

class Engine {
  // config: from config.load(). statePath: JSON file that keeps deposit,
  // inquiries and sales across restarts (null = memory only). startClock: the ISO
  // instant the clock starts at (and returns to on reset); null = real time.
  constructor(config, { statePath = null, log = () => {}, startClock = null } = {}) {
    this.config = config;
    this.statePath = statePath;
    this.log = log;
    this.startClock = startClock;
    this.clock = new Clock();
    this.faults = new Faults();
    this.initialState();
    if (statePath && fs.existsSync(statePath)) this.loadState();
    else this.save();
  }

  // Back to the configured start: accounts, deposit, no sales, no faults, start clock.
  reset() {
    this.initialState();
    this.save();
  }

  initialState() {
    this.accounts = new Map();
    this.config.accounts.forEach((a) => this.accounts.set(a.meter, a));
    this.deposit = this.config.partner.deposit;
    this.seq = { ref: 0, sale: 0 };
    this.tokensUsed = {}; // meter -> how many of its config.tokens were handed out
    this.inquiries = new Map(); // PLN ref -> inquiry it was issued by
    this.receipts = new Map(); // PLN ref -> completed purchase (bit 48 as sent)
    this.sales = [];
    this.stats = freshStats();
    this.faults.clear();
    this.clock.set(this.startClock);
    for (const a of this.accounts.values()) a.unsold.forEach((amount) => this.preloadUnsold(a, amount));
  }

  // ---- accounts -----------------------------------------------------------

  putAccount(raw) {
    const a = normalizeAccount(raw, this.config.charges);
    for (const other of this.accounts.values()) {
      if (other.idpel === a.idpel && other.meter !== a.meter) {
        this.accounts.delete(other.meter);
      }
    }
    this.accounts.set(a.meter, a);
    a.unsold.forEach((amount) => this.preloadUnsold(a, amount));
    this.save();
    return a;
  }

  byIdpel(idpel) {
    for (const a of this.accounts.values()) if (a.idpel === idpel) return a;
    return undefined;
  }

  // ---- transport entry point ----------------------------------------------

  // session: {signedOn} owned by the connection. Returns
  //   {action, mti, response, delayMs, onSent}
  // action: 'reply' | 'duplicate' | 'truncate' (response to write, fully,
  // twice, or half then close) | 'drop' | 'close' | 'garbage' | 'ignore'.
  // The transport calls onSent() once the whole response has been written.
  handle(session, msg) {
    bump(this.stats.requests, msg.mti);
    const respMti = responseMti(msg.mti);
    if (!respMti) return { action: 'ignore', delayMs: 0 };
    // Faults aimed at a meter also catch requests naming it by its IDPEL.
    const b48 = msg.fields[48] ?? '';
    const account = this.accounts.get(b48.slice(7, 18)) ?? this.byIdpel(b48.slice(18, 30));
    const ctx = {
      mti: msg.mti,
      networkCode: msg.fields[40],
      meter: account?.meter ?? b48.slice(7, 18),
      idpel: account?.idpel ?? b48.slice(18, 30),
    };
    const delayFault = this.faults.take(ctx, true);
    const delayMs = delayFault ? delayFault.ms : (account?.delay_ms ?? 0);
    const fault = this.faults.take(ctx, false);
    if (fault) bump(this.stats.faults, fault.kind);
    const plan = fault ? FAULT_KINDS[fault.kind] : NO_FAULT;
    let outcome = {};
    if (fault?.code) outcome = { response: this.reply(msg, respMti, fault.code) };
    else if (plan.processes) outcome = this.process(session, msg, respMti);
    const { response, onSent } = outcome;
    return {
      action: plan.action,
      mti: respMti,
      response,
      delayMs,
      onSent: () => {
        bump(this.stats.responses, response.mti);
        bump(this.stats.response_codes, response.fields[39]);
        if (onSent) onSent();
      },
    };
  }

  // A response echoing the request, with bit 39 and any `extra` fields.
  reply(msg, respMti, rc, extra = {}) {
    const fields = {};
    for (const bit of ECHOED) if (msg.fields[bit] !== undefined) fields[bit] = msg.fields[bit];
    return { mti: respMti, fields: { ...fields, 39: rc, ...extra } };
  }

  // Answer to a request that could not be decoded past `partial`.
  formatErrorReply(partial) {
    const respMti = partial && responseMti(partial.mti);
    return respMti ? this.reply(partial, respMti, RC.BAD_MESSAGE) : null;
  }

  process(session, msg, respMti) {
    try {
      const missing = (REQUIRED[msg.mti] ?? []).filter((b) => msg.fields[b] === undefined);
      if (msg.mti === '2800') {
        if (missing.length) refuse(RC.BAD_MESSAGE);
        return { response: this.network(session, msg, respMti) };
      }
      if (!(msg.mti in REQUIRED)) refuse(RC.BAD_MESSAGE);
      if (!session.signedOn) refuse(RC.SIGN_ON_FIRST);
      if (missing.length) refuse(RC.BAD_MESSAGE);
      if (msg.fields[2] !== this.config.product_code) refuse(RC.UNKNOWN_PRODUCT);
      if (msg.mti === '2100') return { response: this.inquiry(msg, respMti) };
      if (msg.mti === '2200') return this.purchase(msg, respMti);
      return this.advice(msg, respMti);
    } catch (e) {
      if (e instanceof Refusal) return { response: this.reply(msg, respMti, e.rc) };
      if (e instanceof IsoError) {
        this.log(`format error in ${msg.mti}: ${e.message}`);
        return { response: this.reply(msg, respMti, RC.BAD_MESSAGE) };
      }
      throw e;
    }
  }

  // ---- 2800 network management (bit 40: 001 sign-on, 002 sign-off, 301 echo)

  network(session, msg, respMti) {
    const f = msg.fields;
    const p = this.config.partner;
    switch (f[40]) {
      case '001':
        if (f[48] === undefined) refuse(RC.BAD_MESSAGE);
        R.unpack(R.NETWORK, f[48], 'bit 48');
        if (f[48] !== p.switcher_id.padEnd(7) || (f[33] !== undefined && f[33] !== p.partner_central_id)) refuse(RC.UNKNOWN_PARTNER);
        session.signedOn = true;
        break;
      case '002':
        session.signedOn = false;
        break;
      case '301':
        break;
      default:
        refuse(RC.BAD_MESSAGE);
    }
    return this.reply(msg, respMti, RC.OK);
  }

  // ---- 2100 inquiry ---------------------------------------------------------

  inquiry(msg, respMti) {
    const f = msg.fields;
    const req = R.unpack(R.INQUIRY_REQUEST, f[48], 'bit 48');
    this.checkCutoff();
    const p = this.config.partner;
    if (f[32] !== p.bank_code) refuse(RC.UNKNOWN_BANK);
    if (f[33] !== p.partner_central_id || req.switcher_id !== p.switcher_id.padEnd(7)) refuse(RC.UNKNOWN_PARTNER);
    const account = this.lookupSubscriber(req);
    const inquiry = {
      pln_ref: this.nextRef('pln'),
      switcher_ref: this.nextRef('switcher'),
      meter: account.meter,
      idpel: account.idpel,
      switcher_id: req.switcher_id,
      bank_code: f[32],
      at: new Date(this.clock.now()).toISOString(),
    };
    this.inquiries.set(inquiry.pln_ref, inquiry);
    this.save();
    const b48 = R.pack(R.INQUIRY_RESPONSE, {
      ...req,
      ...inquiry,
      ...this.subscriberFields(account),
      admin_minor: MONEY_MINOR,
      admin: this.config.charges.admin_fee * 100,
    });
    return this.reply(msg, respMti, RC.OK, { 48: b48, 62: this.bit62(account, null) });
  }

  lookupSubscriber(req) {
    if (req.flag !== '0' && req.flag !== '1') refuse(RC.BAD_MESSAGE);
    const byMeter = req.flag === '0';
    const key = byMeter ? req.meter : req.idpel;
    if (isZeros(key)) refuse(RC.WRONG_SUBSCRIBER);
    const account = byMeter ? this.accounts.get(key) : this.byIdpel(key);
    if (!account) refuse(RC.UNKNOWN_SUBSCRIBER);
    const other = byMeter ? req.idpel : req.meter;
    if (!isZeros(other) && other !== (byMeter ? account.idpel : account.meter)) refuse(RC.METER_IDPEL_MISMATCH);
    this.checkAccountOpen(account);
    return account;
  }

  checkAccountOpen(account) {
    if (account.blocked) refuse(RC.BLOCKED);
    if (account.suspended) refuse(RC.SUSPENDED);
  }

  // ---- 2200 purchase --------------------------------------------------------

  purchase(msg, respMti) {
    const f = msg.fields;
    const req = R.unpack(R.PURCHASE_REQUEST, f[48], 'bit 48');
    if (req.buying_option !== '0' && req.buying_option !== '1') refuse(RC.BAD_MESSAGE);
    const amount = parseAmount(f[4]);
    this.checkCutoff();
    const inquiry = this.inquiries.get(req.pln_ref);
    if (!inquiry || inquiry.meter !== req.meter || inquiry.idpel !== req.idpel) refuse(RC.PLN_REF_INVALID);
    if (inquiry.switcher_id !== req.switcher_id || inquiry.bank_code !== f[32]) refuse(RC.PARTNER_DIFFERS);
    if (this.receipts.has(req.pln_ref) || this.switcherRefUsed(req.switcher_ref)) refuse(this.config.duplicate_purchase_rc);
    const account = this.accounts.get(inquiry.meter);
    if (!account) refuse(RC.UNKNOWN_SUBSCRIBER);
    this.checkAccountOpen(account);
    const sale = req.buying_option === '1'
      ? this.takeUnsold(account, amount)
      : this.sell(account, amount, req);
    const receipt = this.issueReceipt(sale, account, req, amount);
    return this.saleReply(msg, respMti, receipt, sale, account);
  }

  sell(account, amount, req) {
    const ch = this.config.charges;
    const denomination = amount - ch.admin_fee;
    if (denomination < ch.min_purchase) refuse(RC.BELOW_MIN);
    if (denomination > ch.max_purchase) refuse(RC.ABOVE_MAX);
    if (ch.denominations && !ch.denominations.includes(denomination)) refuse(RC.INVALID_AMOUNT);
    const charges = this.chargesFor(account, amount);
    if (!charges) refuse(RC.INVALID_AMOUNT);
    if (charges.kwh > this.kwhRoom(account)) refuse(RC.KWH_LIMIT);
    const debit = amount - ch.admin_fee;
    if (debit > this.deposit) refuse(RC.DEPOSIT_LOW);
    this.deposit -= debit;
    this.stats.sales += 1;
    this.stats.charged_rupiah += debit;
    return this.recordSale(account, amount, charges, req.pln_ref, debit);
  }

  // Buying option 1: hand over the oldest unsold token of this amount; no charge.
  takeUnsold(account, amount) {
    const unsold = this.unsoldSales(account.meter, null);
    if (unsold.length === 0) refuse(this.config.advice_not_found_rc);
    const sale = unsold.find((s) => s.amount === amount);
    if (!sale) refuse(RC.INVALID_AMOUNT);
    this.stats.unsold_taken += 1;
    return sale;
  }

  chargesFor(account, amount) {
    const ch = this.config.charges;
    return computeCharges({
      amount,
      admin: ch.admin_fee,
      stampDuty: stampDutyFor(amount, ch.stamp_duty),
      instalment: account.instalment,
      ppjBp: ch.ppj_bp[account.region] ?? ch.ppj_bp.default,
      ppnBp: ch.ppn_bp[account.tariff] ?? 0,
      tariff: findTariff(ch, account.tariff, account.power_va).price,
      rounding: ch.kwh_rounding,
    });
  }

  recordSale(account, amount, charges, plnRef, debit) {
    this.seq.sale += 1;
    const now = this.clock.now();
    const sale = {
      id: this.seq.sale,
      vending_receipt: String(this.seq.sale).padStart(8, '0'),
      meter: account.meter,
      idpel: account.idpel,
      pln_ref: plnRef,
      amount,
      debit,
      charges,
      token: this.token(account.meter, plnRef),
      status: 'unsold', // until the reply carrying the token has been written
      month: localParts(now, this.config.utc_offset_minutes).month,
      at: new Date(now).toISOString(),
    };
    this.sales.push(sale); // saved with the receipt that follows
    return sale;
  }

  // A token paid for before the simulator started (config `unsold`).
  preloadUnsold(account, amount) {
    const charges = this.chargesFor(account, amount);
    if (!charges) return;
    this.recordSale(account, amount, charges, this.nextRef('pln'), 0);
  }

  issueReceipt(sale, account, req, amount) {
    const receipt = {
      pln_ref: req.pln_ref,
      switcher_ref: req.switcher_ref,
      meter: req.meter,
      amount,
      sale_id: sale.id,
      bit48: R.pack(R.PURCHASE_RESPONSE, {
        ...req,
        vending_receipt: sale.vending_receipt,
        ...this.subscriberFields(account),
        admin_minor: MONEY_MINOR,
        stamp_duty_minor: MONEY_MINOR,
        ppn_minor: MONEY_MINOR,
        ppj_minor: MONEY_MINOR,
        instalment_minor: MONEY_MINOR,
        power_purchase_minor: MONEY_MINOR,
        kwh_minor: 2,
        ...sale.charges,
        token: sale.token,
      }),
    };
    this.receipts.set(receipt.pln_ref, receipt);
    this.save();
    return receipt;
  }

  saleReply(msg, respMti, receipt, sale, account) {
    const parts = localParts(this.clock.now(), this.config.utc_offset_minutes);
    const response = this.reply(msg, respMti, RC.OK, {
      15: parts.date,
      48: receipt.bit48,
      62: this.bit62(account, sale.id),
      63: this.config.info_text,
    });
    return {
      response,
      onSent: () => {
        if (sale.status !== 'delivered') {
          sale.status = 'delivered';
          this.save();
        }
      },
    };
  }

  // ---- 2220 advice / 2221 repeat advice ------------------------------------

  advice(msg, respMti) {
    const req = R.unpack(R.PURCHASE_REQUEST, msg.fields[48], 'bit 48');
    const amount = parseAmount(msg.fields[4]);
    const receipt = this.receipts.get(req.pln_ref);
    if (!receipt || receipt.switcher_ref !== req.switcher_ref || receipt.meter !== req.meter || receipt.amount !== amount) {
      this.stats.advice_not_found += 1;
      refuse(this.config.advice_not_found_rc);
    }
    this.stats.advice_found += 1;
    const sale = this.sales.find((s) => s.id === receipt.sale_id);
    return this.saleReply(msg, respMti, receipt, sale, this.accounts.get(sale.meter));
  }

  // ---- shared pieces --------------------------------------------------------

  checkCutoff() {
    const c = this.config.cutoff;
    if (c && inWindow(localParts(this.clock.now(), this.config.utc_offset_minutes).minuteOfDay, c.start, c.end)) {
      refuse(RC.CUTOFF);
    }
  }

  switcherRefUsed(switcherRef) {
    for (const r of this.receipts.values()) if (r.switcher_ref === switcherRef) return true;
    return false;
  }

  subscriberFields(account) {
    return { name: account.name, tariff: account.tariff, power_va: account.power_va };
  }

  unsoldSales(meter, exceptId) {
    return this.sales.filter((s) => s.meter === meter && s.status === 'unsold' && s.id !== exceptId);
  }

  // Room left under the monthly kWh limit, in hundredths of a kWh. Tokens
  // preloaded from the config (debit 0) were bought before the simulator ran.
  kwhRoom(account) {
    const month = localParts(this.clock.now(), this.config.utc_offset_minutes).month;
    const used = this.sales
      .filter((s) => s.meter === account.meter && s.month === month && s.debit > 0)
      .reduce((sum, s) => sum + s.charges.kwh, 0);
    return Math.max(0, account.max_kwh * 100 - used);
  }

  // exceptId: the sale being delivered by this very reply (not unsold any more).
  bit62(account, exceptId) {
    return R.packBit62({
      distribution_code: account.distribution_code,
      service_unit: account.service_unit,
      service_unit_phone: account.service_unit_phone,
      max_kwh: Math.min(99999, Math.floor(this.kwhRoom(account) / 100)),
    }, this.unsoldSales(account.meter, exceptId).slice(0, 9).map((s) => s.amount));
  }

  hmac(text) {
    return crypto.createHmac('sha256', this.config.token_secret).update(text).digest();
  }

  // The meter's next token from tokens_file while any are left (real STS tokens a test
  // made, so a simulated meter accepts them); then 20 digits of
  // HMAC-SHA256(token_secret, meter || PLN ref) mod 10^20.
  token(meter, plnRef) {
    const list = this.config.tokens?.[meter] ?? [];
    const used = this.tokensUsed[meter] ?? 0;
    if (used < list.length) {
      this.tokensUsed[meter] = used + 1;
      return list[used];
    }
    return (BigInt(`0x${this.hmac(meter + plnRef).toString('hex')}`) % 10n ** 20n).toString().padStart(20, '0');
  }

  // 32 upper-case hex characters, reproducible from the sequence number.
  nextRef(kind) {
    this.seq.ref += 1;
    return this.hmac(`${kind}-ref:${this.seq.ref}`).toString('hex').slice(0, 32).toUpperCase();
  }

  // ---- persistence ------------------------------------------------------------

  save() {
    if (!this.statePath) return;
    const state = {
      deposit: this.deposit,
      seq: this.seq,
      inquiries: [...this.inquiries.values()],
      receipts: [...this.receipts.values()],
      sales: this.sales,
      tokens_used: this.tokensUsed,
    };
    const tmp = `${this.statePath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, this.statePath);
  }

  loadState() {
    const s = JSON.parse(fs.readFileSync(this.statePath, 'utf8'));
    this.deposit = s.deposit;
    this.seq = s.seq;
    this.inquiries = new Map(s.inquiries.map((i) => [i.pln_ref, i]));
    this.receipts = new Map(s.receipts.map((r) => [r.pln_ref, r]));
    this.sales = s.sales;
    this.tokensUsed = s.tokens_used ?? {};
  }
}

module.exports = { Engine };
