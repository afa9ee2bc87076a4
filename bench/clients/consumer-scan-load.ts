/**
 * The load generator of the consumer-scan benchmark, in its own process (as real phones are): CONNECTIONS connections
 * asking for codes of a list, each request a different code, as a browser (text/html), a machine
 * (application/linkset+json) or the reference route (one point query). Prints autocannon's figures as one JSON line.
 * Usage: node --import tsx bench/clients/consumer-scan-load.ts URL MODE SECONDS CONNECTIONS PATHS_FILE
 */
import fs from 'node:fs';
import autocannon from 'autocannon';

const [url, mode, seconds, connections, pathsFile] = process.argv.slice(2);
const paths = fs
  .readFileSync(pathsFile as string, 'utf8')
  .trim()
  .split('\n');
const accept = mode === 'linkset' ? 'application/linkset+json' : 'text/html';
let i = 0;
const result = await autocannon({
  url: url as string,
  connections: Number(connections ?? 100),
  duration: Number(seconds ?? 10),
  requests: [
    {
      setupRequest: (req) => {
        const p = paths[i++ % paths.length] as string;
        return { ...req, path: mode === 'point' ? `/bench/point?epc=${encodeURIComponent(p)}` : p, headers: { accept } };
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
    bytesPerRequest: result.requests.total ? result.throughput.total / result.requests.total : 0,
  }),
);
