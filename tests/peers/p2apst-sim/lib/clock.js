'use strict';
// The simulator's clock: real time, or real time shifted so that "now" was a
// chosen instant when it was set (it keeps ticking from there).

class Clock {
  constructor() {
    this.offsetMs = 0;
  }

  now() {
    return Date.now() + this.offsetMs;
  }

  // iso: an ISO 8601 instant, or null for real time. Returns false if unparsable.
  set(iso) {
    if (iso === null) {
      this.offsetMs = 0;
      return true;
    }
    const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
    if (Number.isNaN(t)) return false;
    this.offsetMs = t - Date.now();
    return true;
  }
}

// Calendar fields of instant `ms` in a zone `offsetMinutes` east of UTC.
function localParts(ms, offsetMinutes) {
  const d = new Date(ms + offsetMinutes * 60000);
  const p2 = (n) => String(n).padStart(2, '0');
  return {
    date: `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}`,
    time: `${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`,
    month: `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}`,
    minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
  };
}

const minutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

// True inside [start, end), the window may wrap past midnight.
function inWindow(minuteOfDay, start, end) {
  const s = minutes(start);
  const e = minutes(end);
  return s <= e ? minuteOfDay >= s && minuteOfDay < e : minuteOfDay >= s || minuteOfDay < e;
}

module.exports = { Clock, localParts, inWindow };
