import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp, type DeclaredRoute } from '../../src/http/app.ts';
import { createTestDb, type TestDb } from './db.ts';

export interface TestServer {
  baseUrl: string;
  app: FastifyInstance;
  routes: DeclaredRoute[];
  db: TestDb;
  close(): Promise<void>;
}

/**
 * The real HTTP server (API and built console) on a free loopback port, over a fresh demo database.
 * `options` override the app's (e.g. a logger writing to a test's stream); `setup` may add routes before it listens.
 */
export async function startTestServer(
  /** `claimThread: true`: claim batches on their own thread with its own connections, as the server runs them;
   * `demoHistory: true`: the demo history's job kind, as the server registers it */
  options: Partial<Omit<AppOptions, 'sql' | 'claimThread' | 'demoHistory'>> & { claimThread?: boolean; demoHistory?: boolean } = {},
  setup?: (app: FastifyInstance, db: TestDb) => void,
): Promise<TestServer> {
  const db = await createTestDb();
  const { claimThread, demoHistory, ...appOptions } = options;
  const { app, routes } = await buildApp({
    sql: db.sql,
    loginRateLimit: 1000,
    logger: process.env.TEST_LOG ? { level: 'error' } : false,
    ...appOptions,
    ...(claimThread ? { claimThread: { databaseUrl: db.url } } : {}),
    ...(demoHistory ? { demoHistory: { databaseUrl: db.url } } : {}),
  });
  setup?.(app, db);
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl,
    app,
    routes,
    db,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}

export async function loginAs(baseUrl: string, username: string, tenant = 'demo'): Promise<string> {
  const password = username === 'admin' ? 'Admin#2026' : 'Demo#2026';
  const r = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, username, password }),
  });
  if (r.status !== 200) throw new Error(`login ${username}@${tenant} failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { token: string }).token;
}
