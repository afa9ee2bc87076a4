/**
 * The paced load generator of the order-placement benchmark: RATE orders a second in an open loop
 * (bench/clients/paced.ts), each of one to five random SKUs for a random buyer. Prints one JSON line like the
 * closed-loop client's.
 * Usage: node --import tsx bench/clients/order-place-paced.ts URL TOKEN SECONDS CONNECTIONS SETUP.json RATE
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { runPaced } from './paced.ts';

const [url, token, seconds, connections, setupFile, rate] = process.argv.slice(2);
const setup = JSON.parse(fs.readFileSync(setupFile as string, 'utf8')) as { buyers: string[]; skus: string[] };
const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)] as T;

function order(): string {
  const n = 1 + Math.floor(Math.random() * 5);
  const skus = new Set<string>();
  while (skus.size < n) skus.add(pick(setup.skus));
  return JSON.stringify({
    buyer: pick(setup.buyers),
    lines: [...skus].map((sku) => ({ sku, quantity: 6 * (1 + Math.floor(Math.random() * 4)) })),
  });
}

const result = await runPaced({
  url: url as string,
  seconds: Number(seconds ?? 20),
  connections: Number(connections ?? 200),
  rate: Number(rate ?? 1000),
  okStatus: 201,
  request: () => ({
    path: '/api/v1/orders',
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: order(),
  }),
});
console.log(JSON.stringify({ ...result, timeouts: 0 }));
