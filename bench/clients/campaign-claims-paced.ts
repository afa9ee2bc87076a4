/**
 * The paced load generator of the campaign-claims benchmark: RATE claims a second in an open loop
 * (bench/clients/paced.ts), each a different code with its hidden verification code from a different phone (a new
 * device cookie and address), as in bench/clients/campaign-claims-load.ts.
 * Usage: node --import tsx bench/clients/campaign-claims-paced.ts URL SECONDS CONNECTIONS CLAIMS_FILE RATE
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { runPaced } from './paced.ts';

const [url, seconds, connections, claimsFile, rate] = process.argv.slice(2);
const claims = fs
  .readFileSync(claimsFile as string, 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split('\t') as [string, string]);
/** A distinct address per claim (11.0.0.0/8, apart from the closed-loop phase's), as phones on their carriers' networks. */
const addressOf = (n: number) => `11.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

const result = await runPaced({
  url: url as string,
  seconds: Number(seconds ?? 10),
  connections: Number(connections ?? 200),
  rate: Number(rate ?? 2500),
  request: (n) => {
    const [path, code] = claims[n % claims.length] as [string, string];
    return {
      path: `${path}/claim`,
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `tl_device=${randomUUID()}`, 'x-forwarded-for': addressOf(n) },
      body: JSON.stringify({ code }),
    };
  },
});
console.log(JSON.stringify({ ...result, requests: Math.round(result.rps * Number(seconds ?? 10)) }));
