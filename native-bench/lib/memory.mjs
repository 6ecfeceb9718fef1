// Memory per key: FLUSHALL, load N keys with 16-byte values over one
// pipelined connection, compare VmRSS and INFO used_memory before/after.
import net from 'node:net';
import { command } from './resp.mjs';
import { rssBytes, info, sleep } from './servers.mjs';

const BATCH = 5000;
const WINDOW = 4; // batches in flight: keeps the socket busy without buffering everything
const OK = Buffer.from('+OK\r\n');

function batchPayload(from, to) {
  const parts = [];
  for (let i = from; i < to; i++) {
    const key = `key:${String(i).padStart(10, '0')}`;
    const val = `v${String(i).padStart(15, '0')}`; // 16 bytes
    parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$16\r\n${val}\r\n`);
  }
  return parts.join('');
}

export function loadKeys(port, keys) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection({ host: '127.0.0.1', port });
    let sent = 0;
    let acked = 0;
    let pendingTail = Buffer.alloc(0);
    const pump = () => {
      while (sent < keys && sent - acked < BATCH * WINDOW) {
        const to = Math.min(keys, sent + BATCH);
        sock.write(batchPayload(sent, to), 'latin1');
        sent = to;
      }
    };
    sock.on('connect', pump);
    sock.on('data', (d) => {
      // Every reply must be +OK; anything else means the load is not what we measure.
      const buf = pendingTail.length ? Buffer.concat([pendingTail, d]) : d;
      let p = 0;
      while (p + 5 <= buf.length) {
        if (buf[p] !== 0x2b || !buf.subarray(p, p + 5).equals(OK)) {
          const eol = buf.indexOf('\r\n', p);
          sock.destroy();
          reject(new Error(`unexpected reply during load: ${buf.latin1Slice(p, eol > 0 ? eol : p + 60)}`));
          return;
        }
        p += 5;
        acked++;
      }
      pendingTail = buf.subarray(p);
      if (acked === keys) { sock.end(); resolve(); return; }
      pump();
    });
    sock.on('error', reject);
    sock.on('close', () => { if (acked < keys) reject(new Error(`connection closed after ${acked}/${keys} replies`)); });
  });
}

async function usedMemory(port) {
  try {
    const m = await info(port, 'memory');
    const v = Number(m.used_memory);
    return Number.isFinite(v) ? v : null;
  } catch { return null; }
}

async function dbsize(port) {
  try {
    const n = await command(port, ['DBSIZE']);
    return typeof n === 'number' ? n : null;
  } catch { return null; }
}

export async function measureMemory(srv, keys, log) {
  await command(srv.port, ['FLUSHALL']);
  await sleep(300);
  const rss0 = rssBytes(srv.pid);
  const used0 = await usedMemory(srv.port);
  const t0 = Date.now();
  await loadKeys(srv.port, keys);
  const loadMs = Date.now() - t0;
  // Let lazy frees / GC settle so RSS reflects the resident dataset.
  await sleep(1000);
  const rss1 = rssBytes(srv.pid);
  const used1 = await usedMemory(srv.port);
  const size = await dbsize(srv.port);
  log(`  memory ${srv.spec.name}: ${keys} keys in ${loadMs} ms, dbsize ${size}`);
  return {
    keys, dbsize: size, loadMs,
    rssBefore: rss0, rssAfter: rss1, rssPerKey: (rss1 - rss0) / keys,
    usedMemoryBefore: used0, usedMemoryAfter: used1,
    usedMemoryPerKey: used0 !== null && used1 !== null ? (used1 - used0) / keys : null,
  };
}
