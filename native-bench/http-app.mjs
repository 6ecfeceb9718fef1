// Cache-aside HTTP service used by the HTTP scenario: GET /product/N reads
// product:N from the backing store; on a miss it builds the record, caches it
// for 60 s and serves it. Usage: node http-app.mjs --redis-port P [--port 0]
import http from 'node:http';
import Redis from 'ioredis';

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : def;
}
const redisPort = Number(arg('--redis-port', process.env.REDIS_PORT || 6379));
const listenPort = Number(arg('--port', 0));

const redis = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true, maxRetriesPerRequest: 2 });
// Failed requests already answer 500; a lost backend is reported by the harness.
redis.on('error', () => {});

// Deterministic filler so the record is ~300 bytes of JSON, as a real product row might be.
function buildProduct(id) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];
  let desc = '';
  for (let i = 0; desc.length < 175; i++) desc += (i ? ' ' : '') + words[(id + i * 7) % words.length];
  return JSON.stringify({
    id,
    sku: `SKU-${String(id).padStart(8, '0')}`,
    name: `Product ${id}`,
    price: Math.round(((id * 7919) % 100000)) / 100,
    stock: (id * 31) % 500,
    tags: [words[id % 8], words[(id >> 3) % 8]],
    description: desc,
  });
}

const server = http.createServer(async (req, res) => {
  const m = /^\/product\/(\d+)$/.exec(req.url);
  if (req.method !== 'GET' || !m) { res.writeHead(404).end(); return; }
  const key = `product:${m[1]}`;
  try {
    let body = await redis.get(key);
    if (body === null) {
      body = buildProduct(Number(m[1]));
      await redis.set(key, body, 'EX', 60);
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } catch (e) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e && e.message));
  }
});

try {
  await redis.connect();
} catch (e) {
  process.stderr.write(`Error: http-app cannot use the backend on port ${redisPort} (ioredis connect + INFO ready check): ${e && e.message}\n`);
  process.exit(1);
}
server.listen(listenPort, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
const stop = () => { server.close(); redis.disconnect(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
