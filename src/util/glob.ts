// Glob-style matching with the exact semantics of Redis 7.0's stringmatchlen
// (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET …). Pattern and subject are
// latin1 strings (one char = one byte).
//
// Redis recurses once per '*' but gives up on every outer '*' as soon as an
// inner one has tried all its positions (a failed suffix can't match later
// either). That makes only the most recent '*' a useful backtrack point, so
// this runs as a loop with a single saved position: same answers, constant
// stack, linear work per backtrack.
//
// Quirks kept on purpose because clients can observe them:
// - '*' never matches the empty string (the loop needs a char to start);
//   callers special-case the pattern "*" as Redis does.
// - Inside [...], range ends and the subject byte compare as *signed* chars
//   (x86 C), so a range reaching past 0x7f wraps around oddly (with nocase
//   glibc's tolower turns them unsigned again); an escaped
//   char inside brackets ignores nocase; "[a-]" is the range 'a'..']'.
// - An unterminated '[' ends the class at the pattern's last char.

/**
 * tolower of the C locale as glibc implements it: ASCII only, and a negative
 * (signed char) argument comes back as its unsigned byte value, except -1
 * (0xff), which is EOF and comes back unchanged.
 */
function lc(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c < -1 ? c + 256 : c;
}

/** The byte as a signed char. */
function sc(c: number): number {
  return c >= 128 ? c - 256 : c;
}

export function globMatch(pattern: string, s: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = s.length;
  let p = 0;
  let i = 0;
  // Backtrack point: pattern index just after the last '*' seen and the
  // subject index the current attempt for it started at.
  let starP = -1;
  let starI = 0;

  for (;;) {
    let failed = false;
    while (p < plen && i < slen) {
      const pc = pattern.charCodeAt(p);
      if (pc === 42) {
        // '*'
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === 42) p++;
        if (p + 1 === plen) return true;
        starP = ++p;
        starI = i;
        continue;
      }
      if (pc === 63) {
        // '?'
        i++;
      } else if (pc === 91) {
        // '['
        const c = s.charCodeAt(i);
        p++;
        let not = false;
        if (p < plen && pattern.charCodeAt(p) === 94) {
          not = true;
          p++;
        }
        let match = false;
        for (;;) {
          const rem = plen - p;
          const q = rem > 0 ? pattern.charCodeAt(p) : -1;
          if (q === 92 && rem >= 2) {
            p++;
            if (pattern.charCodeAt(p) === c) match = true;
          } else if (q === 93) {
            break;
          } else if (rem === 0) {
            p--;
            break;
          } else if (rem >= 3 && pattern.charCodeAt(p + 1) === 45) {
            let lo = sc(q);
            let hi = sc(pattern.charCodeAt(p + 2));
            let cc = sc(c);
            if (lo > hi) {
              const t = lo;
              lo = hi;
              hi = t;
            }
            if (nocase) {
              lo = lc(lo);
              hi = lc(hi);
              cc = lc(cc);
            }
            p += 2;
            if (cc >= lo && cc <= hi) match = true;
          } else if (nocase ? lc(q) === lc(c) : q === c) {
            match = true;
          }
          p++;
        }
        if (not) match = !match;
        if (!match) {
          failed = true;
          break;
        }
        i++;
      } else {
        let q = pc;
        if (pc === 92 && plen - p >= 2) q = pattern.charCodeAt(++p);
        const c = s.charCodeAt(i);
        if (nocase ? lc(q) !== lc(c) : q !== c) {
          failed = true;
          break;
        }
        i++;
      }
      p++;
      if (i === slen) {
        while (p < plen && pattern.charCodeAt(p) === 42) p++;
        break;
      }
    }
    if (!failed && p === plen && i === slen) return true;
    // Retry the text after the last '*' one char further on.
    if (starP < 0 || ++starI >= slen) return false;
    p = starP;
    i = starI;
  }
}

/** True when the pattern has no glob metacharacters: it matches only itself. */
export function isPlainPattern(p: string): boolean {
  for (let i = 0; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 42 || c === 63 || c === 91 || c === 92) return false;
  }
  return true;
}
