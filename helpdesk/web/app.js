// The helpdesk page: plain JS over the JSON API (docs/helpdesk.md). The API key is kept in
// sessionStorage (gone when the tab closes) and sent as a Bearer token.
'use strict';
const $ = (id) => document.getElementById(id);
let key = sessionStorage.getItem('helpdesk-key') || '';
let cursor = null;
let current = null;  // the purchase shown

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: 'Bearer ' + key, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
  return data;
}

function utc(ms) { return new Date(ms).toISOString().replace('T', ' ').slice(0, 19); }
function text(el, value) { el.textContent = value; return el; }
function cell(row, value) { text(row.insertCell(), value); }

async function logIn(candidate) {
  key = candidate;
  try {
    const me = await api('GET', '/api/v1/whoami');
    sessionStorage.setItem('helpdesk-key', key);
    text($('who'), me.name + ' (' + me.role + ')');
    $('login').hidden = true;
    $('desk').hidden = false;
    $('logout').hidden = false;
    text($('login-error'), '');
  } catch (e) {
    key = '';
    sessionStorage.removeItem('helpdesk-key');
    text($('login-error'), 'Log-in refused: ' + e.message);
  }
}

function logOut() {
  key = '';
  sessionStorage.removeItem('helpdesk-key');
  $('desk').hidden = true;
  $('purchase').hidden = true;
  $('login').hidden = false;
  $('logout').hidden = true;
  text($('who'), '');
  $('key').value = '';
  $('results').tBodies[0].replaceChildren();
}

async function search(more) {
  const form = new FormData($('search'));
  const params = new URLSearchParams();
  for (const [name, value] of form) if (value.trim() !== '') params.set(name, value.trim());
  params.set('limit', '20');
  if (more && cursor) params.set('cursor', cursor);
  const body = $('results').tBodies[0];
  if (!more) body.replaceChildren();
  try {
    const page = await api('GET', '/api/v1/purchases?' + params.toString());
    text($('search-error'), page.purchases.length || more ? '' : 'No purchase matches.');
    for (const p of page.purchases) {
      const row = body.insertRow();
      row.dataset.txn = p.txn_id;
      cell(row, utc(p.created_ms));
      cell(row, p.txn_id);
      cell(row, p.state);
      cell(row, p.meter);
      cell(row, p.msisdn);
      cell(row, String(p.amount_rupiah));
      row.addEventListener('click', () => openPurchase(p.txn_id));
    }
    cursor = page.next_cursor;
    $('more').hidden = !cursor;
  } catch (e) {
    text($('search-error'), e.message);
  }
}

async function openPurchase(txn) {
  try {
    const p = await api('GET', '/api/v1/purchases/' + encodeURIComponent(txn));
    current = txn;
    $('purchase').hidden = false;
    text($('p-id'), p.txn_id);
    text($('p-state'), p.state);
    const facts = $('p-facts');
    facts.replaceChildren();
    const fact = (name, value) => {
      if (value === undefined || value === null) return;
      facts.append(text(document.createElement('dt'), name), text(document.createElement('dd'), String(value)));
    };
    fact('Meter', p.meter);
    fact('Phone', p.msisdn);
    fact('Amount', 'Rp ' + p.amount_rupiah);
    if (p.energy_deci_kwh) fact('Energy', (p.energy_deci_kwh / 10).toFixed(1) + ' kWh');
    fact('Token', p.token);
    fact('Reference', p.reference);
    fact('Reason', p.reason);
    const list = $('timeline');
    list.replaceChildren();
    for (const line of p.timeline) {
      const li = document.createElement('li');
      li.dataset.kind = line.kind;
      li.append(text(document.createElement('span'), utc(line.at_ms)), document.createTextNode(line.text));
      li.firstChild.className = 'at';
      list.append(li);
    }
    $('purchase').scrollIntoView({ block: 'nearest' });
  } catch (e) {
    text($('search-error'), e.message);
  }
}

async function act(kind) {
  const result = $('act-result');
  result.className = '';
  const reason = $('reason').value.trim();
  try {
    if (kind === 'resend') {
      const r = await api('POST', '/api/v1/purchases/' + encodeURIComponent(current) + '/resend', { reason });
      text(result, 'Resend queued (SMS ' + r.queued + ').');
    } else {
      const r = await api('POST', '/api/v1/purchases/' + encodeURIComponent(current) + '/resolve',
                          { outcome: $('outcome').value, reason });
      text(result, 'Resolved: now ' + r.state + '.');
    }
    result.className = 'ok';
    await openPurchase(current);
  } catch (e) {
    text(result, 'Refused: ' + e.message);
  }
}

async function diagnose() {
  const out = $('diagnosis');
  out.className = '';
  try {
    const d = await api('POST', '/api/v1/diagnose', { meter: $('d-meter').value.trim(), token: $('d-token').value.trim() });
    out.dataset.verdict = d.verdict;
    text(out, d.summary);
    out.className = 'ok';
  } catch (e) {
    delete out.dataset.verdict;
    text(out, e.message);
  }
}

// Registry changes: each kind's endpoint and fields (the import file's column names).
const kConnection = ['idpel', 'name', 'tariff', 'power_va', 'region', 'meter_no', 'sgc', 'ti', 'krn', 'kt', 'ea',
  'dkga', 'base_date', 'kdpm', 'modem_msisdn', 'modem_key_id', 'msisdn', 'language'];
const kRegistry = {
  connection: { path: 'connections', fields: kConnection },
  migration: { path: 'migrations', fields: [...kConnection, 'one_way_meter'] },
  power: { path: 'power', fields: ['idpel', 'tariff', 'power_va'] },
  modem: { path: 'modem', fields: ['meter', 'modem_msisdn', 'key_id'] },
  'phone-add': { path: 'phones/add', fields: ['meter', 'msisdn', 'language'] },
  'phone-remove': { path: 'phones/remove', fields: ['meter', 'msisdn'] },
  'pin-reset': { path: 'pin-reset', fields: ['meter', 'msisdn'] },
};
const kDefaults = { language: 'id', ti: '1', krn: '1', kt: '2', ea: '07', dkga: '02', base_date: '2014' };

function registryFields() {
  const grid = $('r-fields');
  grid.replaceChildren();
  for (const name of kRegistry[$('r-kind').value].fields) {
    const input = document.createElement('input');
    input.id = 'r-' + name;
    input.name = name;
    input.required = true;
    if (kDefaults[name]) input.value = kDefaults[name];
    const label = text(document.createElement('label'), name.replace(/_/g, ' '));
    label.append(input);
    grid.append(label);
  }
}

async function registryChange() {
  const out = $('r-result');
  out.className = '';
  text(out, '');
  const kind = kRegistry[$('r-kind').value];
  const body = { reason: $('r-reason').value.trim() };
  for (const name of kind.fields) body[name] = $('r-' + name).value.trim();
  try {
    const r = await api('POST', '/api/v1/registry/' + kind.path, body);
    text(out, 'Done' + (r.pin_sms ? ': one-time PIN sent by SMS ' + r.pin_sms : '') + '.');
    out.className = 'ok';
  } catch (e) {
    text(out, 'Refused: ' + e.message);
  }
}

$('login').addEventListener('submit', (e) => { e.preventDefault(); logIn($('key').value.trim()); });
$('logout').addEventListener('click', logOut);
$('search').addEventListener('submit', (e) => { e.preventDefault(); search(false); });
$('more').addEventListener('click', () => search(true));
$('resend').addEventListener('click', () => act('resend'));
$('resolve').addEventListener('click', () => act('resolve'));
$('diagnose').addEventListener('submit', (e) => { e.preventDefault(); diagnose(); });
$('r-kind').addEventListener('change', registryFields);
$('registry').addEventListener('submit', (e) => { e.preventDefault(); registryChange(); });
registryFields();
if (key) logIn(key);
