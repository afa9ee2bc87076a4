/**
 * The open loop the paced load generators share: RATE requests a second sent on schedule over at most CONNECTIONS
 * keep-alive connections, whatever the speed of the answers. Each latency counts from the moment the request was due,
 * not from when a connection was free, so a slow server cannot hide its queue (no coordinated omission; autocannon's
 * own rate limit sends in bursts). The first WARMUP seconds (default 3) are sent but not counted: a server just started
 * compiles its code paths and prepares its statements then.
 */
import http from 'node:http';

export type PacedRequest = { path: string; method?: string; headers?: Record<string, string>; body?: string };

export type PacedResult = {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** answers with the status `okStatus` names (201 for a placed order), counted or not */
  acknowledged: number;
  bytesPerRequest: number;
};

export async function runPaced(options: {
  url: string;
  seconds: number;
  connections: number;
  rate: number;
  /** the n-th request to send */
  request: (n: number) => PacedRequest;
  okStatus?: number;
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const warmup = Number(process.env.WARMUP ?? 3);
  const total = Math.round(options.rate * (options.seconds + warmup));
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let acknowledged = 0;
  let bytes = 0;
  const start = performance.now();
  const counted = (due: number) => due >= start + warmup * 1000;
  // PACED_TIMELINE=1: the slowest answer of each second, on stderr (are slow answers spread out, or one stall?), and
  // how late this process itself sent that second's requests (a client short of CPU is not the server's tail)
  const timeline: number[] | null = process.env.PACED_TIMELINE ? [] : null;
  const sendLag: number[] = [];

  const send = (n: number, due: number) =>
    new Promise<void>((resolve) => {
      if (timeline) {
        const second = Math.floor((due - start) / 1000);
        sendLag[second] = Math.max(sendLag[second] ?? 0, performance.now() - due);
      }
      const r = options.request(n);
      const headers = { ...r.headers, ...(r.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(r.body)) }) };
      const req = http.request(new URL(r.path, options.url), { method: r.method ?? 'GET', agent, headers }, (res) => {
        res.on('data', (c: Buffer) => {
          bytes += c.length;
        });
        res.on('end', () => {
          if (counted(due)) latencies.push(performance.now() - due);
          if (timeline) {
            const second = Math.floor((due - start) / 1000);
            timeline[second] = Math.max(timeline[second] ?? 0, performance.now() - due);
          }
          if (res.statusCode === options.okStatus) acknowledged++;
          else if ((res.statusCode ?? 0) >= 300) non2xx++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(r.body);
    });

  const pending: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      // every request due by now goes out, each stamped with the instant it was due
      const now = performance.now();
      while (sent < total && start + (sent * 1000) / options.rate <= now) {
        pending.push(send(sent, start + (sent * 1000) / options.rate));
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
  if (timeline) console.error(`slowest answer per second (ms): ${timeline.map((x) => Math.round(x)).join(' ')}`);
  if (timeline) console.error(`latest send per second (ms): ${sendLag.map((x) => Math.round(x)).join(' ')}`);
  return {
    rps: latencies.length / elapsed,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    max: q(1),
    non2xx,
    errors,
    acknowledged,
    bytesPerRequest: sent ? bytes / sent : 0,
  };
}
