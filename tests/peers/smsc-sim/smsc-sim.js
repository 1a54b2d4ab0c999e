#!/usr/bin/env node
'use strict';
// SMPP 3.4 SMSC simulator: the independent peer pintar's ESME gateway is tested and
// benchmarked against. Start-up contract, configuration and control API: README.md.

const fs = require('fs');
const net = require('net');
const tls = require('tls');
const { parseArgs } = require('util');
const config = require('./lib/config');
const { Smsc } = require('./lib/smsc');
const { createControlServer } = require('./lib/control');

const HOST = '127.0.0.1';
const EX_USAGE = 64;
const EX_CONFIG = 78;

const USAGE = 'usage: smsc-sim.js [--config FILE.json] [--smpp-port N] [--control-port N] '
  + '[--tls-key FILE --tls-cert FILE] [--verbose]\n';

function usage(message) {
  process.stderr.write(`smsc-sim: ${message}\n${USAGE}`);
  process.exit(EX_USAGE);
}

function parsePort(v, name) {
  const n = v === undefined ? 0 : Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) usage(`${name} must be a port number`);
  return n;
}

function loadConfig(file) {
  try {
    const patch = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    return config.merge(config.defaults(), patch);
  } catch (e) {
    process.stderr.write(`smsc-sim: config ${file}: ${e.message}\n`);
    return process.exit(EX_CONFIG);
  }
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve(server.address().port));
  });
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string' },
        'smpp-port': { type: 'string' },
        'control-port': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-cert': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    return usage(e.message);
  }
  if (args.help) {
    process.stderr.write(USAGE);
    return process.exit(0);
  }
  if (Boolean(args['tls-key']) !== Boolean(args['tls-cert'])) usage('--tls-key and --tls-cert go together');
  const smppPort = parsePort(args['smpp-port'], '--smpp-port');
  const controlPort = parsePort(args['control-port'], '--control-port');
  const cfg = loadConfig(args.config);
  const log = args.verbose ? (m) => process.stderr.write(`smsc-sim: ${m}\n`) : null;

  const smsc = new Smsc(cfg, log);
  const onSocket = (socket) => smsc.attach(socket);
  let smppServer;
  if (args['tls-key']) {
    let key;
    let cert;
    try {
      key = fs.readFileSync(args['tls-key']);
      cert = fs.readFileSync(args['tls-cert']);
    } catch (e) {
      process.stderr.write(`smsc-sim: ${e.message}\n`);
      return process.exit(EX_CONFIG);
    }
    smppServer = tls.createServer({ key, cert }, onSocket);
    smppServer.on('tlsClientError', (e) => smsc.log(`TLS handshake failed: ${e.message}`));
  } else {
    smppServer = net.createServer(onSocket);
  }
  const controlServer = createControlServer(smsc);

  const shutdown = () => {
    smsc.close();
    smppServer.close();
    controlServer.close();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  let ports;
  try {
    ports = [await listen(smppServer, smppPort), await listen(controlServer, controlPort)];
  } catch (e) {
    process.stderr.write(`smsc-sim: listen failed: ${e.message}\n`);
    return process.exit(1);
  }
  process.stdout.write(`READY smpp=${ports[0]} control=${ports[1]}\n`);
  return undefined;
}

main();
