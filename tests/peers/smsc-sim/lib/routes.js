'use strict';
// Destination-address patterns: an exact number, or a prefix ending in '*' ('*' alone
// matches everything). The best match is an exact number, else the longest prefix.

function score(pattern, dest) {
  if (pattern.endsWith('*')) {
    const prefix = pattern.slice(0, -1);
    return dest.startsWith(prefix) ? prefix.length : -1;
  }
  return pattern === dest ? Infinity : -1;
}

// entries: iterable of [pattern, value]; returns the value of the best match, or null.
function bestMatch(entries, dest) {
  let best = null;
  let bestScore = -1;
  for (const [pattern, value] of entries) {
    const s = score(pattern, dest);
    if (s > bestScore) {
      best = value;
      bestScore = s;
    }
  }
  return best;
}

module.exports = { bestMatch };
