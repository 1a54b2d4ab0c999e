'use strict';
// Control API: JSON over HTTP on 127.0.0.1 (README.md documents each route).

const http = require('http');
const { RequestError } = require('./errors');

const MAX_BODY = 1 << 20;

function send(res, code, obj) {
  const body = JSON.stringify(obj) + '\n';
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) reject(new RequestError('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      const s = Buffer.concat(chunks).toString('utf8').trim();
      if (!s) return resolve({});
      try {
        return resolve(JSON.parse(s));
      } catch (e) {
        return reject(new RequestError(`invalid JSON: ${e.message}`));
      }
    });
    req.on('error', reject);
  });
}

function createControlServer(smsc) {
  const routes = {
    'GET /stats': () => smsc.stats(),
    'GET /binds': () => smsc.listBinds(),
    'GET /messages': (q) => smsc.listMessages(q),
    'GET /deliveries': (q) => smsc.listDeliveries(q),
    'GET /config': () => smsc.publicConfig(),
    'POST /mo': (q, body) => smsc.injectMo(body),
    'POST /config': (q, body) => smsc.setConfig(body),
    'POST /fault': (q, body) => smsc.setFault(body),
    'POST /reset': () => {
      smsc.reset();
      return {};
    },
  };
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) {
      send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
      return;
    }
    try {
      const body = req.method === 'POST' ? await readJson(req) : null;
      send(res, 200, handler(Object.fromEntries(url.searchParams), body));
    } catch (e) {
      if (e instanceof RequestError) send(res, 400, { error: e.message });
      else send(res, 500, { error: String(e && e.stack) });
    }
  });
}

module.exports = { createControlServer };
