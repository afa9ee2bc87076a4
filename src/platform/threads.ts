/** Worker threads started from a module of this code base, whether it runs from TypeScript sources or compiled. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The URL of a worker module beside the caller (`import.meta.url`), with the extension the caller itself has:
 * `.ts` from sources (tsx, vitest), `.js` once compiled.
 */
export function workerModule(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}

/**
 * From TypeScript sources a worker inherits no loader, so it starts from a line of JavaScript that registers tsx and
 * then imports the worker module; from compiled JavaScript it starts from the module itself.
 */
export function startWorker(module: URL, workerData: unknown): Worker {
  if (!module.pathname.endsWith('.ts')) return new Worker(module, { workerData });
  // the ESM build of tsx's API (require.resolve finds the CommonJS one, which cannot register from a worker)
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(module.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}
