'use strict';

// A bad control API request: reported as HTTP 400 with the message.
class RequestError extends Error {}

// A number given as JSON number or "0x.." / decimal string, within 0..max.
function parseNumber(v, what, max = 0xffffffff) {
  const n = typeof v === 'string' && v !== '' ? Number(v) : v; // Number('0x58') === 88
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RequestError(`${what} must be an integer 0..${max} or a "0x.." string`);
  return n;
}

module.exports = { RequestError, parseNumber };
