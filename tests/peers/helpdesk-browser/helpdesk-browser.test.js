// The helpdesk web page in a real browser: Debian's chromium, headless, driven by
// playwright-core, against `pintar helpdesk serve` on a real ledger (made by
// helpdesk_web_fixture). Covers log-in, search, a timeline, a resend with its audit row, a
// token diagnosis, a viewer refused an operator action (nothing changed), registry changes
// (a phone added by an admin, a viewer and an operator refused it with nothing changed; a
// migration to two-way),
// narrow screens and dark mode. Run by meson test (suite browser) with PINTAR, FIXTURE and WEB_ROOT set.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const PINTAR = process.env.PINTAR;
const FIXTURE = process.env.FIXTURE;
const WEB_ROOT = process.env.WEB_ROOT;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function pintar(config, args) {
  return execFileSync(PINTAR, ['-c', config, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Starts the server; resolves with its URL once it printed the port.
function serve(config) {
  const child = spawn(PINTAR, ['-c', config, 'helpdesk', 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error('helpdesk serve exited ' + code)));
  });
}

test('the helpdesk page: log-in, search, timeline, resend, diagnosis, a viewer refused', { timeout: 120000 }, async () => {
  assert.ok(PINTAR && FIXTURE && WEB_ROOT, 'PINTAR, FIXTURE and WEB_ROOT must be set');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pintar-helpdesk-browser-'));
  const world = JSON.parse(execFileSync(FIXTURE, [dir, WEB_ROOT], { encoding: 'utf8' }).trim().split('\n').pop());
  const config = world.config;
  const operatorKey = pintar(config, ['helpdesk', 'keys', 'add', 'olga', '--role', 'operator']).trim();
  const viewerKey = pintar(config, ['helpdesk', 'keys', 'add', 'vino', '--role', 'viewer']).trim();
  const adminKey = pintar(config, ['helpdesk', 'keys', 'add', 'ayu', '--role', 'admin']).trim();
  const phones = () => JSON.parse(pintar(config, ['helpdesk', 'find', 'records', world.meter, '--format', 'json']))[0]
    .phones.map((p) => p.msisdn);
  const { child, url } = await serve(config);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(url + '/');

    // A wrong key is refused; the operator's key logs in.
    await page.fill('#key', 'phk_nonsense');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#login-error:has-text("refused")');
    await page.fill('#key', operatorKey);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#who:has-text("olga (operator)")');

    // Search by meter: both purchases, newest first; phone shown whole to an operator.
    await page.fill('#search input[name=meter]', world.meter);
    await page.click('#search button[type=submit]');
    await page.waitForSelector(`#results tr[data-txn="${world.completed.txn}"]`);
    const rows = await page.$$eval('#results tbody tr', (trs) => trs.map((tr) => tr.dataset.txn));
    assert.deepStrictEqual(rows, [world.manual.txn, world.completed.txn]);
    assert.ok((await page.textContent('#results tbody')).includes(world.msisdn));

    // The timeline of the needs_manual purchase: states, the SMS in, the modem's attempts.
    await page.click(`#results tr[data-txn="${world.manual.txn}"]`);
    await page.waitForSelector('#p-state:has-text("needs_manual")');
    const timeline = await page.textContent('#timeline');
    assert.match(timeline, /state received/);
    assert.match(timeline, /SMS in\s+from/);
    assert.match(timeline, /modem command S=2 token: sent after 3 send\(s\)/);

    // Resend: queued, and its audit row is in the timeline at once.
    await page.fill('#reason', 'customer deleted the SMS');
    await page.click('#resend');
    await page.waitForSelector('#act-result.ok:has-text("Resend queued")');
    await page.waitForSelector('#timeline li[data-kind=audit]:has-text("token.resend by helpdesk:olga")');
    await page.waitForSelector('#timeline li[data-kind=sms_out]:has-text("requested")');

    // Token diagnosis: the completed purchase's token was accepted by the meter.
    await page.fill('#d-meter', world.meter);
    await page.fill('#d-token', world.completed.token);
    await page.click('#diagnose button[type=submit]');
    await page.waitForSelector('#diagnosis[data-verdict=accepted]');
    assert.match(await page.textContent('#diagnosis'), /credit token of 15\.4 kWh/);

    // A viewer: phones masked, and an operator action refused with nothing changed.
    await page.click('#logout');
    await page.fill('#key', viewerKey);
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#who:has-text("vino (viewer)")');
    await page.fill('#search input[name=meter]', world.meter);
    await page.click('#search button[type=submit]');
    await page.waitForSelector(`#results tr[data-txn="${world.manual.txn}"]`);
    assert.ok(!(await page.textContent('#results tbody')).includes(world.msisdn), 'viewer sees the phone masked');
    await page.click(`#results tr[data-txn="${world.manual.txn}"]`);
    await page.waitForSelector('#p-state:has-text("needs_manual")');
    const auditBefore = await page.$$eval('#timeline li[data-kind=audit]', (li) => li.length);
    await page.fill('#reason', 'trying anyway');
    await page.click('#resolve');
    await page.waitForSelector('#act-result:has-text("Refused: not allowed")');
    const after = JSON.parse(pintar(config, ['helpdesk', 'find', 'purchase', world.manual.txn, '--format', 'json']));
    assert.strictEqual(after.state, 'needs_manual');
    assert.strictEqual(after.audit.length, auditBefore);

    // A registry change: adding a phone. The viewer (logged in) and an operator are refused
    // with nothing changed; the admin's goes through and sends a one-time PIN by SMS.
    const newPhone = '6281399900001';
    const addPhone = async () => {
      await page.selectOption('#r-kind', 'phone-add');
      await page.fill('#r-meter', world.meter);
      await page.fill('#r-msisdn', newPhone);
      await page.fill('#r-language', 'en');
      await page.fill('#r-reason', 'second phone, form 42');
      await page.click('#registry button[type=submit]');
    };
    const login = async (k, who) => {
      await page.click('#logout');
      await page.fill('#key', k);
      await page.click('#login button[type=submit]');
      await page.waitForSelector(`#who:has-text("${who}")`);
    };
    await addPhone();
    await page.waitForSelector('#r-result:has-text("Refused: not allowed")');
    assert.deepStrictEqual(phones(), [world.msisdn]);
    await login(operatorKey, 'olga (operator)');
    await addPhone();
    await page.waitForSelector('#r-result:has-text("Refused: not allowed")');
    assert.deepStrictEqual(phones(), [world.msisdn]);
    await login(adminKey, 'ayu (admin)');
    await addPhone();
    await page.waitForSelector('#r-result.ok:has-text("one-time PIN sent by SMS")');
    assert.deepStrictEqual(phones().sort(), [world.msisdn, newPhone].sort());
    await addPhone();  // twice: the phone is there already
    await page.waitForSelector('#r-result:has-text("Refused: that phone is subscribed")');

    // A migration to two-way from the same form: a new connection's fields and the one-way
    // meter it replaces; the helpdesk then finds the new meter by the old number.
    await page.selectOption('#r-kind', 'migration');
    const migration = { idpel: '511288009999', name: 'WATI', tariff: 'R1', power_va: '1300', region: 'JKT',
      meter_no: '01428809999', sgc: '600675', kdpm: 'ABC', modem_msisdn: '6281100009999', modem_key_id: 'modem-9',
      msisdn: '6281399909999', one_way_meter: '32100009999' };
    for (const [name, value] of Object.entries(migration)) await page.fill(`#r-${name}`, value);
    await page.fill('#r-reason', 'two-way meter fitted, form 43');
    await page.click('#registry button[type=submit]');
    await page.waitForSelector('#r-result.ok:has-text("one-time PIN sent by SMS")');
    const migrated = JSON.parse(pintar(config, ['helpdesk', 'find', 'records', '32100009999', '--format', 'json']));
    assert.strictEqual(migrated.length, 1);
    assert.strictEqual(migrated[0].meter.meter_no, '01428809999');
    assert.strictEqual(migrated[0].meter.migrated_from, '32100009999');

    // Narrow screen: nothing wider than the phone. Dark mode: a dark background.
    await page.setViewportSize({ width: 360, height: 740 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `page is ${width}px wide on a 360px screen`);
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 150, `dark mode background is ${bg}`);
  } finally {
    await browser.close();
    child.kill('SIGTERM');
  }
});
