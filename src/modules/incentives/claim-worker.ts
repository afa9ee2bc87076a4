/**
 * The claims' own thread (claim-thread.ts starts it): the code identified and its hidden code checked (claim-desk.ts),
 * then a ClaimProcessor on connections of its own decides, answering the claims the HTTP thread posts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createSql, openConnections, SERVER_IDLE_SECONDS } from '../../db/connection.ts';
import { perTurn } from '../../platform/per-turn.ts';
import { Keystore } from '../codes/keystore.ts';
import type { ThrottleLimits } from '../resolver/throttle.ts';
import { ClaimProcessor } from './claim-batch.ts';
import { ClaimVerifier, type DeskAnswer } from './claim-desk.ts';
import type { ClaimOutcome, ClaimThreadInit, FromClaimThread, ToClaimThread } from './claim-thread.ts';

const init = workerData as ClaimThreadInit;
const port = parentPort;
if (!port) throw new Error('claim-worker.ts runs as a worker thread');
// its connections kept through quiet spells and opened before the thread says it is ready (server.ts does the same)
const sql = createSql(init.databaseUrl, { max: init.connections, application: 'throughline-claims', idleSeconds: SERVER_IDLE_SECONDS });
const processor = new ClaimProcessor(sql, init.limits as ThrottleLimits, {
  onRedecided: () => port.postMessage({ kind: 'redecided' } satisfies FromClaimThread),
});
// structured cloning hands a Buffer over as a plain Uint8Array
const masterKey = Buffer.from(init.masterKey);
const desk = new ClaimVerifier(sql, new Keystore(masterKey), masterKey, processor);

// the answers of one turn of this thread's event loop go back as one message
const answer = perTurn<ClaimOutcome>((outcomes) => port.postMessage({ kind: 'outcomes', outcomes } satisfies FromClaimThread));

port.on('message', (m: ToClaimThread) => {
  if (m.kind === 'close') {
    void sql.end({ timeout: 5 }).finally(() => port.postMessage({ kind: 'closed' } satisfies FromClaimThread));
    return;
  }
  const answers = desk.claimAll(m.claims.map((c) => c.claim));
  m.claims.forEach(({ id }, i) => {
    (answers[i] as Promise<DeskAnswer>).then(
      (a) => answer({ id, answer: a }),
      (err: unknown) => {
        const e = err as { message?: string; code?: string };
        answer({ id, failed: { message: String(e?.message ?? err), code: e?.code } });
      },
    );
  });
});
void openConnections(sql, init.connections)
  .catch(() => {}) // a database not reachable yet: the claims connect as they come
  .finally(() => port.postMessage({ kind: 'ready' } satisfies FromClaimThread));
