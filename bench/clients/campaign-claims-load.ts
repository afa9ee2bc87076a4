/**
 * The load generator of the campaign-claims benchmark, in its own process (as real phones are): CONNECTIONS
 * connections, each request a claim of a different code with its hidden verification code from a different phone
 * (a new device cookie), or (MODE `point`) the reference route with one point query. Prints autocannon's figures as one
 * JSON line. Usage: node --import tsx bench/clients/campaign-claims-load.ts URL MODE SECONDS CONNECTIONS CLAIMS_FILE
 * (CLAIMS_FILE: one `path<TAB>code` a line).
 */
import autocannon from 'autocannon';
import { claimsOf } from './claims-file.ts';

const [url, mode, seconds, connections, claimsFile] = process.argv.slice(2);
const claim = claimsOf(claimsFile as string);
let i = 0;

const result = await autocannon({
  url: url as string,
  connections: Number(connections ?? 100),
  duration: Number(seconds ?? 10),
  requests: [
    {
      setupRequest: (req) => {
        const c = claim(i++, 10);
        if (mode === 'point') return { ...req, method: 'GET', path: `/bench/point?epc=${encodeURIComponent(c.unit)}` };
        return { ...req, method: 'POST', path: c.path, headers: c.headers, body: c.body };
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
