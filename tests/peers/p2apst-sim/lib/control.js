'use strict';
// Control API: JSON over HTTP, loopback only. See README.md "Control API".

const http = require('http');
const { FaultError } = require('./faults');
const { ConfigError } = require('./config');
const { writeSalesFile } = require('./sales_file');

class BadRequest extends Error {}

const asList = (body) => (Array.isArray(body) ? body : [body]);

function routes(engine) {
  const sales = (meter) => engine.sales
    .filter((s) => !meter || s.meter === meter)
    .map((s) => ({
      ...s,
      receipts: [...engine.receipts.values()]
        .filter((r) => r.sale_id === s.id)
        .map((r) => ({ pln_ref: r.pln_ref, switcher_ref: r.switcher_ref })),
    }));
  const clock = () => ({ now: new Date(engine.clock.now()).toISOString(), offset_ms: engine.clock.offsetMs });
  return {
    'GET /stats': () => ({ ...engine.stats, deposit: engine.deposit }),
    'GET /deposit': () => ({ deposit: engine.deposit }),
    'POST /deposit': (body) => {
      if (!Number.isSafeInteger(body.deposit) || body.deposit < 0) throw new BadRequest('deposit must be whole rupiah');
      engine.deposit = body.deposit;
      engine.save();
      return { deposit: engine.deposit };
    },
    'GET /sales': (body, query) => ({ sales: sales(query.get('meter')) }),
    'POST /sales-file': (body) => {
      if (typeof body.path !== 'string' || !body.path.startsWith('/')) throw new BadRequest('path must be absolute');
      const written = writeSalesFile(engine, String(body.date), body.path);
      if (!written) throw new BadRequest('date must be YYYY-MM-DD');
      return written;
    },
    'GET /accounts': () => ({ accounts: [...engine.accounts.values()] }),
    'POST /accounts': (body) => ({ accounts: asList(body).map((a) => engine.putAccount(a)) }),
    'GET /faults': () => ({ faults: engine.faults.list }),
    'POST /faults': (body) => ({ faults: asList(body).map((f) => engine.faults.add(f)) }),
    'DELETE /faults': () => { engine.faults.clear(); return { faults: [] }; },
    'GET /clock': clock,
    'POST /clock': (body) => {
      if (!('now' in body) || !engine.clock.set(body.now)) throw new BadRequest('now must be an ISO 8601 instant or null');
      return clock();
    },
    'POST /reset': () => { engine.reset(); return { ok: true }; },
  };
}

function startControlServer(engine, { host, port }) {
  const table = routes(engine);
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://control');
      const handler = table[`${req.method} ${url.pathname}`];
      const answer = (status, obj) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(`${JSON.stringify(obj)}\n`);
      };
      if (!handler) return answer(404, { error: `no route ${req.method} ${url.pathname}` });
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text.trim() ? JSON.parse(text) : {};
        if (body === null || typeof body !== 'object') throw new BadRequest('body must be a JSON object or array');
        return answer(200, handler(body, url.searchParams));
      } catch (e) {
        if (e instanceof SyntaxError || e instanceof BadRequest || e instanceof FaultError || e instanceof ConfigError) {
          return answer(400, { error: e.message });
        }
        process.stderr.write(`p2apst-sim: control: internal error: ${e.stack}\n`);
        return answer(500, { error: e.message });
      }
    });
  });
  server.listen(port, host);
  return server;
}

module.exports = { startControlServer };
