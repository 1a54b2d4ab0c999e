'use strict';
// Length-prefixed framing of ISO messages on the TCP stream.
//   bin2   : 2-byte big-endian length, excluding the header itself.
//   ascii4 : 4 ASCII decimal digits, excluding the header itself.
// With `etx`, every message is followed by ETX (0x03) and the length counts
// that byte (the "length + 1, then ETX" convention of some switchers).

const ETX = 0x03;
const HEADERS = {
  bin2: {
    size: 2,
    max: 0xffff,
    write: (n) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; },
    read: (b) => b.readUInt16BE(0),
  },
  ascii4: {
    size: 4,
    max: 9999,
    write: (n) => Buffer.from(String(n).padStart(4, '0'), 'latin1'),
    read: (b) => {
      const s = b.toString('latin1', 0, 4);
      return /^[0-9]{4}$/.test(s) ? Number(s) : NaN;
    },
  },
};

class FramingError extends Error {}

function header(framing) {
  const h = HEADERS[framing];
  if (!h) throw new FramingError(`unknown framing ${framing}`);
  return h;
}

function encodeFrame(body, { framing, etx }) {
  const h = header(framing);
  const len = body.length + (etx ? 1 : 0);
  if (len > h.max) throw new FramingError(`message of ${len} bytes does not fit ${framing}`);
  return Buffer.concat([h.write(len), body, etx ? Buffer.from([ETX]) : Buffer.alloc(0)]);
}

// Splits a byte stream into message bodies. push() returns the complete bodies
// so far and throws FramingError on a stream that cannot be resynchronised.
class FrameDecoder {
  constructor({ framing, etx }) {
    this.h = header(framing);
    this.etx = etx;
    this.pending = Buffer.alloc(0);
  }

  push(chunk) {
    this.pending = Buffer.concat([this.pending, chunk]);
    const bodies = [];
    for (;;) {
      if (this.pending.length < this.h.size) break;
      const len = this.h.read(this.pending);
      if (!Number.isInteger(len) || len < (this.etx ? 2 : 1)) {
        throw new FramingError(`bad length header ${this.pending.subarray(0, this.h.size).toString('hex')}`);
      }
      const end = this.h.size + len;
      if (this.pending.length < end) break;
      let body = this.pending.subarray(this.h.size, end);
      if (this.etx) {
        if (body[body.length - 1] !== ETX) throw new FramingError('frame does not end with ETX');
        body = body.subarray(0, body.length - 1);
      }
      bodies.push(Buffer.from(body));
      this.pending = this.pending.subarray(end);
    }
    return bodies;
  }
}

module.exports = { FramingError, FrameDecoder, encodeFrame, ETX };
