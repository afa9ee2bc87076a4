/**
 * The `throughline consumers ...` commands alone: they need no database, so bin/throughline.js loads this instead of
 * main.ts (whose imports take seconds to load) when the first argument is `consumers`. main.ts registers the same
 * commands, so `throughline --help` lists them.
 */
import { Command } from 'commander';
import { registerConsumersCommands } from './rfm-command.ts';

const program = new Command('throughline').showHelpAfterError();
registerConsumersCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
