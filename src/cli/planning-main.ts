/** The `throughline planning ...` commands alone: like consumers-main.ts, they need neither database nor server. */
import { Command } from 'commander';
import { registerPlanningCommands } from './planning-command.ts';

const program = new Command('throughline').showHelpAfterError();
registerPlanningCommands(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
}
