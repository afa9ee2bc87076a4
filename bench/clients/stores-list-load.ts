/**
 * The load generator of the stores-list benchmark, in its own process (as real clients are): 100 connections
 * asking for pages of stores by province, sorted by name. Prints autocannon's figures as one JSON line.
 * Usage: node bench/clients/stores-list-load.ts URL TOKEN SECONDS
 */
import autocannon from 'autocannon';

const [url, token, seconds] = process.argv.slice(2);
const provinces = ['44', '37', '41', '51', '32', '13', '33', '42'];
let i = 0;
const result = await autocannon({
  url: url as string,
  connections: 100,
  duration: Number(seconds ?? 15),
  requests: [
    {
      setupRequest: (req) => ({
        ...req,
        path: `/api/v1/parties?kind=store&provinceCode=${provinces[i++ % provinces.length]}&sort=name&pageSize=50&page=${1 + (i % 20)}`,
        headers: { authorization: `Bearer ${token}` },
      }),
    },
  ],
});
console.log(JSON.stringify({ rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx }));
