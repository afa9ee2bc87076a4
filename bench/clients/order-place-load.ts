/**
 * The load generator of the order-placement benchmark, in its own process: CONNECTIONS clients placing orders for
 * random distributors and stores (1-5 lines of whole cases), each with its own idempotency key. Prints autocannon's
 * figures and the keys of the orders acknowledged as one JSON line.
 * Usage: node bench/clients/order-place-load.ts URL TOKEN SECONDS CONNECTIONS SETUP.json
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import autocannon from 'autocannon';

const [url, token, seconds, connections, setupFile] = process.argv.slice(2);
const setup = JSON.parse(fs.readFileSync(setupFile as string, 'utf8')) as { buyers: string[]; skus: string[] };
const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)] as T;
let acknowledged = 0;
const result = await autocannon({
  url: url as string,
  connections: Number(connections ?? 200),
  duration: Number(seconds ?? 20),
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => {
        const n = 1 + Math.floor(Math.random() * 5);
        const skus = new Set<string>();
        while (skus.size < n) skus.add(pick(setup.skus));
        return {
          ...req,
          path: '/api/v1/orders',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify({
            buyer: pick(setup.buyers),
            lines: [...skus].map((sku) => ({ sku, quantity: 6 * (1 + Math.floor(Math.random() * 4)) })),
          }),
        };
      },
      onResponse: (status) => {
        if (status === 201) acknowledged++;
      },
    },
  ],
});
console.log(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    acknowledged,
  }),
);
