/**
 * The paced load generator of the consumer-scan benchmark: RATE page requests a second (each a different code, as a
 * browser asks: text/html), sent on schedule over at most CONNECTIONS keep-alive connections whatever the speed of
 * the answers (an open loop, like bench/clients/order-place-paced.ts). Each latency counts from the moment the
 * request was due, so a queue cannot hide. The first WARMUP seconds (default 3) are sent, not counted.
 * Usage: node --import tsx bench/clients/consumer-scan-paced.ts URL SECONDS CONNECTIONS PATHS_FILE RATE
 */
import fs from 'node:fs';
import http from 'node:http';

const [url, seconds, connections, pathsFile, rate] = process.argv.slice(2);
const paths = fs
  .readFileSync(pathsFile as string, 'utf8')
  .trim()
  .split('\n');
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(connections ?? 100) });
const perSecond = Number(rate ?? 1000);
const warmup = Number(process.env.WARMUP ?? 3);
const total = Math.round(perSecond * (Number(seconds ?? 10) + warmup));
const latencies: number[] = [];
let non2xx = 0;
let errors = 0;
let bytes = 0;
const start = performance.now();
const counted = (due: number) => due >= start + warmup * 1000;

function send(n: number, due: number): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(new URL(paths[n % paths.length] as string, url), { agent, headers: { accept: 'text/html' } }, (res) => {
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => {
        if (counted(due)) latencies.push(performance.now() - due);
        if ((res.statusCode ?? 0) >= 300) non2xx++;
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
}

const pending: Promise<void>[] = [];
let sent = 0;
await new Promise<void>((done) => {
  const tick = () => {
    const now = performance.now();
    while (sent < total && start + (sent * 1000) / perSecond <= now) {
      pending.push(send(sent, start + (sent * 1000) / perSecond));
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
console.log(
  JSON.stringify({ rps: latencies.length / elapsed, p50: q(0.5), p99: q(0.99), non2xx, errors, bytesPerRequest: sent ? bytes / sent : 0 }),
);
