'use strict';
// One ESME connection: SMPP framing (§3.2) on a TCP or TLS socket, bind state, and the
// per-connection timers and outstanding deliver_sm. The SMSC logic lives in smsc.js.

const EventEmitter = require('events');
const smpp = require('smpp');
const codec = require('./codec');

// Largest PDU accepted from an ESME: a submit_sm with a full 64 KiB message_payload fits.
const MAX_PDU_LENGTH = 70000;

const BIND_MODES = {
  bind_transmitter: { mode: 'transmitter', transmit: true, receive: false },
  bind_receiver: { mode: 'receiver', transmit: false, receive: true },
  bind_transceiver: { mode: 'transceiver', transmit: true, receive: true },
};

class Connection extends EventEmitter {
  // Emits 'pdu' (decoded PDU), 'malformed' (PduError, sequence_number) and 'close'.
  // A framing error (command_length outside 16..MAX_PDU_LENGTH) emits 'malformed' and then
  // closes the connection, because the stream cannot be resynchronised.
  // trace: null, or a function given one line per PDU read or written (--verbose).
  constructor(socket, id, trace) {
    super();
    this.id = id;
    this.trace = trace;
    this.socket = socket;
    this.remotePort = socket.remotePort;
    this.bind = null; // {mode, transmit, receive, systemId, boundAt}
    this.outstanding = new Map(); // deliver_sm sequence_number -> {item, timer}
    this.sequence = 0;
    this.tokens = null; // TPS token bucket, created on first submit_sm
    this.unanswered = 0; // submit_sm whose answer resp_delay_ms still holds back
    this.enquireTimer = null;
    this.enquirePending = false;
    this._pending = null;
    this._closed = false;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this._onData(chunk));
    socket.on('error', () => {}); // 'close' follows; peers resetting the socket is normal here
    socket.on('close', () => {
      this._closed = true;
      this.emit('close');
    });
  }

  get closed() {
    return this._closed;
  }

  nextSequence() {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }

  write(buffer) {
    if (this.trace) this._trace('->', buffer);
    if (!this._closed && this.socket.writable) this.socket.write(buffer);
  }

  _trace(direction, pdu) {
    if (pdu.length < codec.HEADER_LENGTH) {
      this.trace(`bind ${this.id} ${direction} ${pdu.length} raw octets`);
      return;
    }
    const def = smpp.commandsById[pdu.readUInt32BE(4)];
    this.trace(`bind ${this.id} ${direction} ${def ? def.command : 'unknown'} seq=${pdu.readUInt32BE(12)}`
      + ` status=0x${pdu.readUInt32BE(8).toString(16)} length=${pdu.length}`);
  }

  // Ends the connection after pending writes are flushed.
  end() {
    this.socket.end();
  }

  destroy() {
    this.socket.destroy();
  }

  _onData(chunk) {
    let buf = this._pending ? Buffer.concat([this._pending, chunk]) : chunk;
    this._pending = null;
    // Batch the responses to everything in this chunk into as few TCP segments as possible.
    this.socket.cork();
    try {
      while (buf.length >= 4 && !this._closed) {
        const length = buf.readUInt32BE(0);
        if (length < codec.HEADER_LENGTH || length > MAX_PDU_LENGTH) {
          const seq = buf.length >= 16 ? buf.readUInt32BE(12) : 0;
          this.emit('malformed', new codec.PduError(0x02, `command_length ${length} out of range`), seq);
          this.end();
          this._closed = true;
          return;
        }
        if (buf.length < length) break;
        const frame = buf.subarray(0, length);
        buf = buf.subarray(length);
        if (this.trace) this._trace('<-', frame);
        let pdu;
        try {
          pdu = codec.decode(frame);
        } catch (e) {
          if (!(e instanceof codec.PduError)) throw e;
          this.emit('malformed', e, frame.readUInt32BE(12));
          continue;
        }
        this.emit('pdu', pdu);
      }
      if (buf.length > 0) this._pending = Buffer.from(buf);
    } finally {
      process.nextTick(() => this.socket.uncork());
    }
  }
}

module.exports = { Connection, BIND_MODES };
