#!/usr/bin/env node
'use strict';
// P2APST (PLN central payment, prepaid 99502) host-to-host simulator.
// Usage and contract: README.md.

const { once } = require('events');
const { load, ConfigError } = require('./lib/config');
const { Engine } = require('./lib/engine');
const { startIsoServer } = require('./lib/server');
const { startControlServer } = require('./lib/control');

const HOST = '127.0.0.1';
const EX_USAGE = 64;
const EX_CONFIG = 78;
const USAGE = 'usage: p2apst-sim.js [--config FILE.json] [--port N] [--control-port N] '
  + '[--framing bin2|ascii4] [--etx] [--state FILE.json] [--clock ISO8601] [--verbose]';

function parseArgs(argv) {
  const opts = { config: null, port: 0, controlPort: 0, framing: 'bin2', etx: false, state: null, clock: null, verbose: false };
  const valued = {
    '--config': 'config', '--port': 'port', '--control-port': 'controlPort', '--framing': 'framing', '--state': 'state', '--clock': 'clock',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--etx') opts.etx = true;
    else if (arg === '--verbose') opts.verbose = true;
    else if (arg === '--help') return null;
    else if (arg in valued && i + 1 < argv.length) opts[valued[arg]] = argv[++i];
    else throw new Error(`unknown or incomplete option ${arg}`);
  }
  for (const k of ['port', 'controlPort']) {
    const n = Number(opts[k]);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`bad port ${opts[k]}`);
    opts[k] = n;
  }
  if (!['bin2', 'ascii4'].includes(opts.framing)) throw new Error(`bad framing ${opts.framing}`);
  if (opts.clock !== null && Number.isNaN(Date.parse(opts.clock))) throw new Error(`bad --clock ${opts.clock}`);
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`p2apst-sim: ${e.message}\n${USAGE}\n`);
    process.exit(EX_USAGE);
  }
  if (!opts) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = opts.verbose ? (line) => process.stderr.write(`p2apst-sim: ${line}\n`) : () => {};
  let engine;
  try {
    engine = new Engine(load(opts.config), { statePath: opts.state, log, startClock: opts.clock });
  } catch (e) {
    if (!(e instanceof ConfigError) && !(e instanceof SyntaxError)) throw e;
    process.stderr.write(`p2apst-sim: config: ${e.message}\n`);
    process.exit(EX_CONFIG);
  }
  const iso = startIsoServer(engine, { host: HOST, port: opts.port, framing: opts.framing, etx: opts.etx, log });
  const control = startControlServer(engine, { host: HOST, port: opts.controlPort });
  await Promise.all([once(iso, 'listening'), once(control, 'listening')]);
  process.stdout.write(`READY iso=${iso.address().port} control=${control.address().port}\n`);
  const stop = () => {
    iso.stopAll();
    control.closeAllConnections?.();
    control.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`p2apst-sim: ${e.stack}\n`);
  process.exit(1);
});
