/**
 * The paced load generator of the order-placement benchmark: RATE orders a second, sent on schedule over at most
 * CONNECTIONS keep-alive connections, whatever the speed of the answers (an open loop). Each order's latency is
 * counted from the moment it was due, not from when a connection was free, so a slow server cannot hide its queue
 * (no coordinated omission). The first WARMUP seconds (default 3) are sent but not counted: a server just started
 * compiles its code paths and prepares its statements then. Prints one JSON line like the closed-loop client's.
 * Usage: node bench/clients/order-place-paced.ts URL TOKEN SECONDS CONNECTIONS SETUP.json RATE
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

const [url, token, seconds, connections, setupFile, rate] = process.argv.slice(2);
const setup = JSON.parse(fs.readFileSync(setupFile as string, 'utf8')) as { buyers: string[]; skus: string[] };
const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)] as T;
const target = new URL('/api/v1/orders', url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections ?? 200) });
const perSecond = Number(rate ?? 1000);
const warmup = Number(process.env.WARMUP ?? 3);
const total = Math.round(perSecond * (Number(seconds ?? 20) + warmup));
const counted = (due: number) => due >= start + warmup * 1000;

const latencies: number[] = [];
let acknowledged = 0;
let non2xx = 0;
let errors = 0;

function send(due: number): Promise<void> {
  const n = 1 + Math.floor(Math.random() * 5);
  const skus = new Set<string>();
  while (skus.size < n) skus.add(pick(setup.skus));
  const body = JSON.stringify({
    buyer: pick(setup.buyers),
    lines: [...skus].map((sku) => ({ sku, quantity: 6 * (1 + Math.floor(Math.random() * 4)) })),
  });
  return new Promise((resolve) => {
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'idempotency-key': randomUUID(),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          if (counted(due)) latencies.push(performance.now() - due);
          if (res.statusCode === 201) acknowledged++;
          else if ((res.statusCode ?? 0) >= 300) non2xx++;
          resolve();
        });
      },
    );
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end(body);
  });
}

const start = performance.now();
const pending: Promise<void>[] = [];
let sent = 0;
await new Promise<void>((done) => {
  const tick = () => {
    // every order that is due by now goes out, each stamped with the instant it was due
    const now = performance.now();
    while (sent < total && start + (sent * 1000) / perSecond <= now) {
      pending.push(send(start + (sent * 1000) / perSecond));
      sent++;
    }
    if (sent < total) setTimeout(tick, 1);
    else done();
  };
  tick();
});
await Promise.all(pending);
const elapsed = (performance.now() - start) / 1000 - warmup;
latencies.sort((a, b) => a - b);
const q = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 10) / 10;
agent.destroy();
console.log(JSON.stringify({ rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), non2xx, errors, timeouts: 0, acknowledged }));
