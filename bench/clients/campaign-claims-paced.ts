/**
 * The paced load generator of the campaign-claims benchmark: RATE claims a second in an open loop
 * (bench/clients/paced.ts), each a different code with its hidden verification code from a different phone
 * (claims-file.ts; addresses in 11.0.0.0/8, apart from the closed loop's).
 * Usage: node --import tsx bench/clients/campaign-claims-paced.ts URL SECONDS CONNECTIONS CLAIMS_FILE RATE
 */
import { claimsOf } from './claims-file.ts';
import { runPaced } from './paced.ts';

const [url, seconds, connections, claimsFile, rate] = process.argv.slice(2);
const claim = claimsOf(claimsFile as string);
const result = await runPaced({
  url: url as string,
  seconds: Number(seconds ?? 10),
  connections: Number(connections ?? 200),
  rate: Number(rate ?? 2500),
  request: (n) => ({ method: 'POST', ...claim(n, 11) }),
});
console.log(JSON.stringify({ ...result, requests: Math.round(result.rps * Number(seconds ?? 10)) }));
