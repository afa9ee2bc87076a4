/**
 * The claim batches' own thread (claim-thread.ts starts it): a ClaimProcessor on connections of its own, answering the
 * claims the HTTP thread posts. Structured cloning hands Buffers over as plain Uint8Arrays; they are wrapped again here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSql } from '../../db/connection.ts';
import type { ThrottleLimits } from '../resolver/throttle.ts';
import { ClaimProcessor, type VerifiedClaim } from './claim-batch.ts';
import type { ClaimThreadInit, FromClaimThread, ToClaimThread } from './claim-thread.ts';

const init = workerData as ClaimThreadInit;
const port = parentPort;
if (!port) throw new Error('claim-worker.ts runs as a worker thread');
const sql = createSql(init.databaseUrl, { max: init.connections, application: 'throughline-claims' });
const processor = new ClaimProcessor(sql, init.limits as ThrottleLimits, {
  onRedecided: () => port.postMessage({ kind: 'redecided' } satisfies FromClaimThread),
});
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

port.on('message', (m: ToClaimThread) => {
  if (m.kind === 'close') {
    void sql.end({ timeout: 5 }).finally(() => port.postMessage({ kind: 'closed' } satisfies FromClaimThread));
    return;
  }
  const claim: VerifiedClaim = { ...m.claim, deviceHash: asBuffer(m.claim.deviceHash), ipHash: asBuffer(m.claim.ipHash) };
  processor.claim(claim).then(
    (answer) => port.postMessage({ kind: 'answer', id: m.id, answer } satisfies FromClaimThread),
    (err: unknown) => {
      const e = err as { message?: string; code?: string };
      port.postMessage({ kind: 'failed', id: m.id, message: String(e?.message ?? err), code: e?.code } satisfies FromClaimThread);
    },
  );
});
port.postMessage({ kind: 'ready' } satisfies FromClaimThread);
