#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so there is no separate build step for the server.
import { register } from 'tsx/esm/api';

register();
// `consumers` (RFM of a file) and `planning` (M5 backtest) need no database nor server: each has a small entry of its own that starts in a fraction of the time
if (process.argv[2] === 'consumers') await import('../src/cli/consumers-main.ts');
else if (process.argv[2] === 'planning') await import('../src/cli/planning-main.ts');
else await import('../src/cli/main.ts');
