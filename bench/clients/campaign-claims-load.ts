/**
 * The load generator of the campaign-claims benchmark, in its own process (as real phones are): CONNECTIONS
 * connections, each request a claim of a different code with its hidden verification code from a different phone
 * (a new device cookie), or (MODE `point`) the reference route with one point query. Prints autocannon's figures as one
 * JSON line. Usage: node --import tsx bench/clients/campaign-claims-load.ts URL MODE SECONDS CONNECTIONS CLAIMS_FILE
 * (CLAIMS_FILE: one `path<TAB>code` a line).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import autocannon from 'autocannon';

const [url, mode, seconds, connections, claimsFile] = process.argv.slice(2);
const claims = fs
  .readFileSync(claimsFile as string, 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split('\t') as [string, string]);
let i = 0;
/** A distinct address per claim (10.0.0.0/8), as a crowd of phones on their carriers' networks. */
const addressOf = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

const result = await autocannon({
  url: url as string,
  connections: Number(connections ?? 100),
  duration: Number(seconds ?? 10),
  requests: [
    {
      setupRequest: (req) => {
        const [path, code] = claims[i++ % claims.length] as [string, string];
        if (mode === 'point') return { ...req, method: 'GET', path: `/bench/point?epc=${encodeURIComponent(path)}` };
        return {
          ...req,
          method: 'POST',
          path: `${path}/claim`,
          // each claim a phone of its own: its device cookie and its address (the fraud rules count bursts per address)
          headers: { 'content-type': 'application/json', cookie: `tl_device=${randomUUID()}`, 'x-forwarded-for': addressOf(i) },
          body: JSON.stringify({ code }),
        };
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
    requests: result.requests.total,
  }),
);
