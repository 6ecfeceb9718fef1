// Minimal RESP2 client for the harness's control commands (PING, INFO, FLUSHALL,
// CONFIG GET) and the pipelined memory load. Not used on any measured path.
import net from 'node:net';

export function encodeCommand(args) {
  let out = `*${args.length}\r\n`;
  for (const a of args) {
    const s = String(a);
    out += `$${Buffer.byteLength(s, 'latin1')}\r\n${s}\r\n`;
  }
  return out;
}

// Returns [value, nextOffset] or null when buf holds no complete reply at off.
export function parseReply(buf, off = 0) {
  if (off >= buf.length) return null;
  const eol = buf.indexOf('\r\n', off, 'latin1');
  if (eol < 0) return null;
  const type = buf[off];
  const line = buf.latin1Slice(off + 1, eol);
  const next = eol + 2;
  switch (type) {
    case 0x2b: return [line, next]; // +
    case 0x2d: return [new RespError(line), next]; // -
    case 0x3a: return [Number(line), next]; // :
    case 0x24: { // $
      const len = Number(line);
      if (len < 0) return [null, next];
      if (buf.length < next + len + 2) return null;
      return [buf.latin1Slice(next, next + len), next + len + 2];
    }
    case 0x2a: { // *
      const n = Number(line);
      if (n < 0) return [null, next];
      const items = [];
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p);
        if (r === null) return null;
        items.push(r[0]);
        p = r[1];
      }
      return [items, p];
    }
    default:
      throw new Error(`bad RESP type byte 0x${type.toString(16)}`);
  }
}

export class RespError extends Error {}

// One-shot: connect, send one command, read one reply, close.
export function command(port, args, { host = '127.0.0.1', timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host, port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err, val) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(val);
    };
    const timer = setTimeout(() => finish(new Error(`timeout waiting for ${args[0]} on port ${port}`)), timeoutMs);
    sock.on('connect', () => sock.write(encodeCommand(args), 'latin1'));
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      let r;
      try { r = parseReply(buf, 0); } catch (e) { finish(e); return; }
      if (r !== null) finish(null, r[0]);
    });
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`connection closed by port ${port} before a reply to ${args[0]}`)));
  });
}

export function parseInfo(text) {
  const out = {};
  for (const line of String(text).split('\r\n')) {
    if (!line || line[0] === '#') continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
