// Number formatting exactly as Redis prints it.

/** C's printf("%.17g", d), which Redis uses for double replies. */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(16); // d.dddddddddddddddde±x, 17 significant digits
  const ei = e.indexOf('e');
  const exp = Number(e.slice(ei + 1));
  if (exp < -4 || exp >= 17) {
    let mant = e.slice(0, ei);
    if (mant.indexOf('.') >= 0) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ae = Math.abs(exp);
    return mant + (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  }
  // Fixed notation with 17 significant digits, trailing zeros removed.
  let s = d.toFixed(Math.max(0, 16 - exp));
  if (s.indexOf('.') >= 0) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/**
 * Redis's "human" long double format (INCRBYFLOAT, HINCRBYFLOAT): plain
 * decimal, no exponent, trailing zeros removed. Redis computes in long
 * double with 17 fractional digits; the shortest round-trip decimal of the
 * double is what that prints for every value a double can hold exactly
 * enough to matter.
 */
export function formatHumanDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Object.is(d, -0)) return '0';
  let s = String(d);
  if (s.indexOf('e') < 0) return s;
  const neg = d < 0;
  if (neg) s = s.slice(1);
  const [m, ex] = s.split('e');
  const exp = Number(ex);
  const dot = m.indexOf('.');
  const digits = dot < 0 ? m : m.slice(0, dot) + m.slice(dot + 1);
  const intLen = (dot < 0 ? m.length : dot) + exp;
  let out: string;
  if (intLen <= 0) out = '0.' + '0'.repeat(-intLen) + digits;
  else if (intLen >= digits.length) out = digits + '0'.repeat(intLen - digits.length);
  else out = digits.slice(0, intLen) + '.' + digits.slice(intLen);
  return (neg ? '-' : '') + out;
}
