'use strict';
// TCP listener for the ISO 8583 link. One session (sign-on state) per
// connection; requests are answered as they complete, so a delayed request
// does not hold back the ones behind it (responses matched by STAN).

const net = require('net');
const { encode, decode, IsoError } = require('./iso');
const { FrameDecoder, FramingError, encodeFrame } = require('./framing');

function startIsoServer(engine, { host, port, framing, etx, log }) {
  const frameOpts = { framing, etx };
  const sockets = new Set();
  const timers = new Set();
  let nextSession = 1;

  const later = (ms, fn) => {
    if (ms === 0) return fn();
    const t = setTimeout(() => { timers.delete(t); fn(); }, ms);
    timers.add(t);
    return undefined;
  };

  const server = net.createServer((socket) => {
    const session = { id: nextSession++, signedOn: false };
    const decoder = new FrameDecoder(frameOpts);
    sockets.add(socket);
    log(`session ${session.id}: connected from ${socket.remotePort}`);
    const open = () => !socket.destroyed && socket.writable;
    const send = (msg) => {
      log(`session ${session.id}: -> ${msg.mti} ${JSON.stringify(msg.fields)}`);
      socket.write(encodeFrame(encode(msg), frameOpts));
    };

    const onRequest = (body) => {
      let msg;
      try {
        msg = decode(body);
      } catch (e) {
        if (!(e instanceof IsoError)) throw e;
        log(`session ${session.id}: undecodable message (${e.message})`);
        const reply = engine.formatErrorReply(e.partial);
        if (reply) send(reply);
        return;
      }
      log(`session ${session.id}: <- ${msg.mti} ${JSON.stringify(msg.fields)}`);
      let out;
      try {
        out = engine.handle(session, msg);
      } catch (e) {
        // A simulator bug must not take the link down: report it loudly, answer 0030.
        process.stderr.write(`p2apst-sim: internal error on ${msg.mti}: ${e.stack}\n`);
        const reply = engine.formatErrorReply(msg);
        if (reply) send(reply);
        return;
      }
      later(out.delayMs, () => {
        if (!open()) return;
        switch (out.action) {
          case 'reply':
          case 'duplicate':
            send(out.response);
            if (out.action === 'duplicate') send(out.response);
            out.onSent();
            break;
          case 'truncate': {
            const frame = encodeFrame(encode(out.response), frameOpts);
            log(`session ${session.id}: sending half of ${out.mti}, closing (fault)`);
            socket.end(frame.subarray(0, Math.ceil(frame.length / 2)));
            break;
          }
          case 'close':
            log(`session ${session.id}: closing (fault)`);
            socket.destroy();
            break;
          case 'garbage':
            socket.write(encodeFrame(Buffer.from(`${out.mti}GARBAGE!GARBAGE!`, 'latin1'), frameOpts));
            break;
          default: // drop, ignore
            break;
        }
      });
    };

    socket.on('data', (chunk) => {
      let bodies;
      try {
        bodies = decoder.push(chunk);
      } catch (e) {
        if (!(e instanceof FramingError)) throw e;
        log(`session ${session.id}: framing error (${e.message}), closing`);
        socket.destroy();
        return;
      }
      bodies.forEach(onRequest);
    });
    socket.on('error', (e) => log(`session ${session.id}: ${e.message}`));
    socket.on('close', () => {
      sockets.delete(socket);
      log(`session ${session.id}: closed`);
    });
  });

  server.listen(port, host);
  server.stopAll = () => {
    timers.forEach(clearTimeout);
    sockets.forEach((s) => s.destroy());
    server.close();
  };
  return server;
}

module.exports = { startIsoServer };
