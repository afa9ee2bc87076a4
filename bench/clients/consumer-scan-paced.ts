/**
 * The paced load generator of the consumer-scan benchmark: RATE page requests a second (each a different code, as a
 * browser asks: text/html) in an open loop (bench/clients/paced.ts).
 * Usage: node --import tsx bench/clients/consumer-scan-paced.ts URL SECONDS CONNECTIONS PATHS_FILE RATE
 */
import fs from 'node:fs';
import { runPaced } from './paced.ts';

const [url, seconds, connections, pathsFile, rate] = process.argv.slice(2);
const paths = fs
  .readFileSync(pathsFile as string, 'utf8')
  .trim()
  .split('\n');
const result = await runPaced({
  url: url as string,
  seconds: Number(seconds ?? 10),
  connections: Number(connections ?? 100),
  rate: Number(rate ?? 1000),
  request: (n) => ({ path: paths[n % paths.length] as string, headers: { accept: 'text/html' } }),
});
console.log(JSON.stringify(result));
