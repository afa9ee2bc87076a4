/**
 * The SIGKILL harness, a hundred rounds (issue 7): `npm run sigkill -- [ROUNDS]`. A real server process under
 * capture and ordering is killed at a random moment each round; the counts it prints must show nothing lost,
 * duplicated or half-written (test/support/sigkill-harness.ts). Takes about 5 s a round on the 2-core machine.
 */
import { runSigkillHarness } from '../test/support/sigkill-harness.ts';
import { freshDatabase } from './support.ts';

const rounds = Number(process.argv[2] ?? 100);
const db = await freshDatabase(54391);
try {
  const started = performance.now();
  const counts = await runSigkillHarness({
    sql: db.sql,
    url: db.url,
    rounds,
    port: 4790,
    log: (line) => console.error(line),
  });
  console.log(JSON.stringify({ ...counts, seconds: Math.round((performance.now() - started) / 1000) }));
} finally {
  await db.close();
}
