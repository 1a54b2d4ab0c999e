'use strict';
// Simulator configuration: built-in defaults (defaults.json) overlaid by an
// optional JSON file. Sections `partner`, `charges` and `cutoff` merge key by
// key; `accounts` replaces the default list when given.

const fs = require('fs');
const path = require('path');

const DEFAULTS_PATH = path.join(__dirname, 'defaults.json');

class ConfigError extends Error {}

const digits = (s, n) => typeof s === 'string' && new RegExp(`^[0-9]{${n}}$`).test(s);
const isCount = (v) => Number.isSafeInteger(v) && v >= 0;

function require_(cond, message) {
  if (!cond) throw new ConfigError(message);
}

function findTariff(charges, tariffClass, powerVa) {
  return charges.tariffs.find((t) => t.class === tariffClass
    && powerVa >= t.min_va && (t.max_va === null || powerVa <= t.max_va));
}

// Returns the account with every optional field filled in; throws ConfigError.
function normalizeAccount(raw, charges) {
  const a = { ...raw };
  const who = `account ${JSON.stringify(a.meter)}`;
  require_(digits(a.meter, 11), `${who}: meter must be 11 digits`);
  require_(digits(a.idpel, 12), `${who}: idpel must be 12 digits`);
  require_(typeof a.name === 'string' && /^[\x20-\x7e]{1,25}$/.test(a.name), `${who}: name must be 1-25 printable ASCII characters`);
  require_(typeof a.tariff === 'string' && /^[A-Za-z0-9]{1,4}$/.test(a.tariff), `${who}: tariff must be 1-4 letters/digits`);
  require_(isCount(a.power_va) && a.power_va > 0, `${who}: power_va must be a positive integer`);
  require_(findTariff(charges, a.tariff, a.power_va), `${who}: no tariff for ${a.tariff} ${a.power_va} VA`);
  a.region = a.region ?? 'default';
  require_(a.region in charges.ppj_bp || 'default' in charges.ppj_bp, `${who}: no PPJ rate for region ${a.region}`);
  a.distribution_code = a.distribution_code ?? '51';
  a.service_unit = a.service_unit ?? '51106';
  a.service_unit_phone = a.service_unit_phone ?? '123';
  require_(digits(a.distribution_code, 2), `${who}: distribution_code must be 2 digits`);
  require_(digits(a.service_unit, 5), `${who}: service_unit must be 5 digits`);
  require_(/^[\x20-\x7e]{0,15}$/.test(a.service_unit_phone), `${who}: service_unit_phone must be at most 15 characters`);
  // 720 "jam nyala" per month at the contracted power.
  a.max_kwh = a.max_kwh ?? Math.floor((720 * a.power_va) / 1000);
  a.instalment = a.instalment ?? 0;
  a.delay_ms = a.delay_ms ?? 0;
  a.blocked = Boolean(a.blocked);
  a.suspended = Boolean(a.suspended);
  a.unsold = a.unsold ?? [];
  require_(isCount(a.max_kwh) && a.max_kwh <= 99999, `${who}: max_kwh must be an integer 0-99999`);
  require_(isCount(a.instalment), `${who}: instalment must be whole rupiah`);
  require_(isCount(a.delay_ms), `${who}: delay_ms must be a non-negative integer`);
  require_(Array.isArray(a.unsold) && a.unsold.length <= 9 && a.unsold.every(isCount), `${who}: unsold must be up to 9 amounts in rupiah`);
  return a;
}

function validate(c) {
  const p = c.partner;
  require_(typeof p.switcher_id === 'string' && /^[\x20-\x7e]{1,7}$/.test(p.switcher_id), 'partner.switcher_id must be 1-7 characters');
  require_(/^[0-9]{1,7}$/.test(p.partner_central_id), 'partner.partner_central_id must be 1-7 digits');
  require_(/^[0-9]{1,7}$/.test(p.bank_code), 'partner.bank_code must be 1-7 digits');
  require_(isCount(p.deposit), 'partner.deposit must be whole rupiah');
  require_(/^[0-9]{1,19}$/.test(c.product_code), 'product_code must be digits');
  require_(typeof c.token_secret === 'string' && c.token_secret.length > 0, 'token_secret must be a non-empty string');
  require_(typeof c.info_text === 'string' && /^[\x20-\x7e]{0,999}$/.test(c.info_text), 'info_text must be printable ASCII, at most 999 characters');
  require_(/^[A-Za-z0-9]{4}$/.test(c.advice_not_found_rc), 'advice_not_found_rc must be 4 characters');
  require_(/^[A-Za-z0-9]{4}$/.test(c.duplicate_purchase_rc), 'duplicate_purchase_rc must be 4 characters');
  if (c.cutoff !== null) {
    require_(/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(c.cutoff.start) && /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(c.cutoff.end), 'cutoff.start/end must be HH:MM');
  }
  require_(Number.isInteger(c.utc_offset_minutes) && Math.abs(c.utc_offset_minutes) <= 14 * 60, 'utc_offset_minutes must be an integer within +-840');
  const ch = c.charges;
  for (const k of ['admin_fee', 'min_purchase', 'max_purchase']) require_(isCount(ch[k]), `charges.${k} must be whole rupiah`);
  require_(ch.stamp_duty === null || (isCount(ch.stamp_duty.threshold) && isCount(ch.stamp_duty.duty)), 'charges.stamp_duty must be null or {threshold, duty} in rupiah');
  require_(ch.denominations === null || (Array.isArray(ch.denominations) && ch.denominations.every(isCount)), 'charges.denominations must be null or a list of rupiah amounts');
  require_(Object.values(ch.ppj_bp).every(isCount), 'charges.ppj_bp values must be integer basis points');
  require_(Object.values(ch.ppn_bp).every(isCount), 'charges.ppn_bp values must be integer basis points');
  require_(['down', 'half_up'].includes(ch.kwh_rounding), 'charges.kwh_rounding must be "down" or "half_up"');
  require_(Array.isArray(ch.tariffs) && ch.tariffs.every((t) => typeof t.class === 'string' && isCount(t.min_va)
    && (t.max_va === null || isCount(t.max_va)) && isCount(t.price) && t.price > 0), 'charges.tariffs entries need class, min_va, max_va (or null), price (hundredths of a rupiah per kWh)');
  require_(Array.isArray(c.accounts), 'accounts must be a list');
  c.accounts = c.accounts.map((a) => normalizeAccount(a, ch));
  const meters = new Set(c.accounts.map((a) => a.meter));
  const idpels = new Set(c.accounts.map((a) => a.idpel));
  require_(meters.size === c.accounts.length && idpels.size === c.accounts.length, 'accounts: meter and idpel must be unique');
  return c;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: ${e.message}`);
  }
}

// `tokens_file`: {"<meter>": ["<20 digits>", ...]}, the tokens to hand out to those meters,
// in order, before the HMAC tokens. A relative path is taken from the config file's folder.
function loadTokens(tokensFile, configFile) {
  if (tokensFile === undefined || tokensFile === null) return {};
  require_(typeof tokensFile === 'string' && tokensFile.length > 0, 'tokens_file must be a file name');
  const where = path.resolve(configFile ? path.dirname(configFile) : process.cwd(), tokensFile);
  const tokens = readJson(where);
  require_(tokens !== null && typeof tokens === 'object' && !Array.isArray(tokens), `${where}: must be an object {meter: [tokens]}`);
  for (const [meter, list] of Object.entries(tokens)) {
    require_(digits(meter, 11), `${where}: meter ${JSON.stringify(meter)} must be 11 digits`);
    require_(Array.isArray(list) && list.every((t) => digits(t, 20)), `${where}: meter ${meter}: tokens must be 20-digit strings`);
  }
  return tokens;
}

function load(file) {
  const base = readJson(DEFAULTS_PATH);
  const over = file ? readJson(file) : {};
  const merged = {
    ...base,
    ...over,
    partner: { ...base.partner, ...over.partner },
    charges: { ...base.charges, ...over.charges },
    cutoff: over.cutoff === null ? null : { ...base.cutoff, ...over.cutoff },
  };
  const tokens = loadTokens(merged.tokens_file, file);
  delete merged.tokens_file;
  return { ...validate(merged), tokens };
}

module.exports = { ConfigError, load, normalizeAccount, findTariff };
