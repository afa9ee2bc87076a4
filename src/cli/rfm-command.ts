/** `throughline consumers rfm`: RFM segmentation of an imported transactions file, no database involved. */
import fs from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import {
  DuplicateEdgesError,
  type OnDuplicateEdges,
  rfmOfTransactionsFile,
  TRANSACTION_FORMATS,
  type TransactionFormat,
  TransactionsFormatError,
  writeRfmCsv,
} from '../modules/consumers/rfm/index.ts';

const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (v: string): T => {
    if (!allowed.includes(v as T)) throw new InvalidArgumentError(`one of ${allowed.join(', ')}`);
    return v as T;
  };

export function registerConsumersCommands(program: Command): void {
  const consumers = program.command('consumers').description('consumers: segmentation');
  consumers
    .command('rfm')
    .description(
      'RFM segmentation of a transactions file (gzip or plain CSV): one row per customer with recency, frequency, monetary, ' +
        'the three 1-5 scores and the segment (the recipe is in the README)',
    )
    .requiredOption('--transactions <file>', 'the transactions file (.csv or .csv.gz)')
    .requiredOption('--format <format>', TRANSACTION_FORMATS.join(' | '), oneOf(TRANSACTION_FORMATS))
    .requiredOption('--out <file>', 'the CSV to write')
    .option(
      '--on-duplicate-edges <how>',
      'when a variable has repeated quintile edges: raise (as pandas.qcut) | rank-first (score that variable on its rank)',
      oneOf<OnDuplicateEdges>(['raise', 'rank-first']),
      'raise',
    )
    .action(async (o: { transactions: string; format: TransactionFormat; out: string; onDuplicateEdges: OnDuplicateEdges }) => {
      const started = performance.now();
      try {
        const r = await rfmOfTransactionsFile(o.transactions, o.format, { onDuplicateEdges: o.onDuplicateEdges });
        try {
          await writeRfmCsv(r.rows, fs.createWriteStream(o.out));
        } catch (e) {
          throw new TransactionsFormatError(`cannot write ${o.out}: ${(e as Error).message}`);
        }
        const seconds = (performance.now() - started) / 1000;
        const d = r.dropped;
        console.error(
          `read ${r.linesRead.toLocaleString('en')} lines: ${r.purchases.toLocaleString('en')} purchase lines kept; dropped ` +
            `${d.cancellation} cancellations, ${d.no_customer} without a customer, ${d.non_positive} with a quantity or price not positive`,
        );
        if (r.snapshot !== null) console.error(`snapshot ${new Date(r.snapshot).toISOString().slice(0, 10)} 00:00`);
        for (const v of r.rankedInstead) console.error(`warning: ${v} had repeated quintile edges: scored on its rank instead`);
        console.log(`wrote ${o.out}: ${r.rows.length.toLocaleString('en')} customers in ${seconds.toFixed(2)} s`);
      } catch (e) {
        if (!(e instanceof TransactionsFormatError || e instanceof DuplicateEdgesError)) throw e;
        console.error(`error: ${e.message}`);
        if (e instanceof DuplicateEdgesError) console.error('  --on-duplicate-edges rank-first scores such a variable on its rank');
        process.exitCode = 2;
      }
    });
}
