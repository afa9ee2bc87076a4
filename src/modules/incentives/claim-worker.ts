/**
 * The claim batches' own thread (claim-thread.ts starts it): a ClaimProcessor on connections of its own, answering the
 * claims the HTTP thread posts. Structured cloning hands Buffers over as plain Uint8Arrays; they are wrapped again here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSql, openConnections, SERVER_IDLE_SECONDS } from '../../db/connection.ts';
import { perTurn } from '../../platform/per-turn.ts';
import type { ThrottleLimits } from '../resolver/throttle.ts';
import { ClaimProcessor, type VerifiedClaim } from './claim-batch.ts';
import type { ClaimOutcome, ClaimThreadInit, FromClaimThread, ToClaimThread } from './claim-thread.ts';

const init = workerData as ClaimThreadInit;
const port = parentPort;
if (!port) throw new Error('claim-worker.ts runs as a worker thread');
// its connections kept through quiet spells and opened before the thread says it is ready (server.ts does the same)
const sql = createSql(init.databaseUrl, { max: init.connections, application: 'throughline-claims', idleSeconds: SERVER_IDLE_SECONDS });
const processor = new ClaimProcessor(sql, init.limits as ThrottleLimits, {
  onRedecided: () => port.postMessage({ kind: 'redecided' } satisfies FromClaimThread),
});
const asBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

// the answers of one turn of this thread's event loop go back as one message
const answer = perTurn<ClaimOutcome>((outcomes) => port.postMessage({ kind: 'outcomes', outcomes } satisfies FromClaimThread));

port.on('message', (m: ToClaimThread) => {
  if (m.kind === 'close') {
    void sql.end({ timeout: 5 }).finally(() => port.postMessage({ kind: 'closed' } satisfies FromClaimThread));
    return;
  }
  for (const { id, claim: sent } of m.claims) {
    const claim: VerifiedClaim = { ...sent, deviceHash: asBuffer(sent.deviceHash), ipHash: asBuffer(sent.ipHash) };
    processor.claim(claim).then(
      (a) => answer({ id, answer: a }),
      (err: unknown) => {
        const e = err as { message?: string; code?: string };
        answer({ id, failed: { message: String(e?.message ?? err), code: e?.code } });
      },
    );
  }
});
void openConnections(sql, init.connections)
  .catch(() => {}) // a database not reachable yet: the claims connect as they come
  .finally(() => port.postMessage({ kind: 'ready' } satisfies FromClaimThread));
