import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.ts';

/**
 * A server killed with SIGKILL in the middle of a capture: the document is either all there or not there at all,
 * an acknowledged one is never lost, and sending it again stores each event once. The server runs as its own
 * process (`throughline start` on this file's database), so the kill is a real one.
 */
let db: TestDb;
let server: ChildProcess | null = null;
const port = 4300 + Math.floor(Math.random() * 500);
const base = `http://127.0.0.1:${port}`;

async function startServer(): Promise<void> {
  server = spawn(process.execPath, ['bin/throughline.js', 'start'], {
    env: { ...process.env, DATABASE_URL: db.url, PORT: String(port) },
    stdio: 'ignore',
  });
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not start');
}

async function killServer(): Promise<void> {
  const p = server;
  if (!p || p.exitCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await gone;
  server = null;
}

beforeAll(async () => {
  db = await createTestDb();
  await startServer();
});
afterAll(async () => {
  await killServer();
  await db?.drop();
});

async function token(): Promise<string> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', username: 'admin', password: 'Admin#2026' }),
  });
  return ((await r.json()) as { token: string }).token;
}

/** A document of one commissioning event of 6,000 units and 250 packings of 24: heavy enough to be cut half-way. */
function document(tag: string) {
  const units = Array.from({ length: 6000 }, (_, i) => `https://id.gs1.org/01/06901234001013/21/${tag}${i}`);
  const events = [
    {
      type: 'ObjectEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: '2026-06-01T08:00:00.000Z',
      eventTimeZoneOffset: '+08:00',
      epcList: units,
      action: 'ADD',
      bizStep: 'commissioning',
    },
    ...Array.from({ length: 250 }, (_, c) => ({
      type: 'AggregationEvent',
      eventID: `urn:uuid:${randomUUID()}`,
      eventTime: '2026-06-01T08:01:00.000Z',
      eventTimeZoneOffset: '+08:00',
      parentID: `https://id.gs1.org/01/16901234001010/21/${tag}C${c}`,
      childEPCs: units.slice(c * 24, (c + 1) * 24),
      action: 'ADD',
      bizStep: 'packing',
    })),
  ];
  return {
    ids: events.map((e) => e.eventID),
    body: JSON.stringify({
      '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-06-01T08:02:00.000Z',
      epcisBody: { eventList: events },
    }),
  };
}

async function stored(ids: string[]): Promise<{ events: number; packed: number }> {
  const [e] = await db.sql<{ n: number }[]>`select count(*)::int as n from epcis_events where body->>'eventID' = any(${ids}::text[])`;
  const [k] = await db.sql<{ n: number }[]>`
    select count(*)::int as n from containment k join epcis_events e on e.event_time = k.packed_at and e.id = k.pack_event_id
    where e.body->>'eventID' = any(${ids}::text[])`;
  return { events: e?.n ?? 0, packed: k?.n ?? 0 };
}

describe('a capture cut by SIGKILL', () => {
  // five server starts and kills: generous under a loaded full-suite run (it takes ~15 s alone)
  it('leaves all of a document or none, loses nothing acknowledged, and stores a retried one once', { timeout: 240_000 }, async () => {
    const outcomes: string[] = [];
    for (const [round, delay] of [5, 40, 90, 150, 400].entries()) {
      const doc = document(`K${round}X`);
      const auth = await token();
      const sent = fetch(`${base}/epcis/capture`, {
        method: 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/ld+json' },
        body: doc.body,
      }).then(
        (r) => r.status,
        () => 0,
      );
      await new Promise((r) => setTimeout(r, delay));
      await killServer();
      const status = await sent;
      await startServer();
      const after = await stored(doc.ids);
      // nothing half-written: every event with its packing rows, or nothing
      expect([0, doc.ids.length]).toContain(after.events);
      expect(after.packed).toBe(after.events ? 250 * 24 : 0);
      if (status === 202) expect(after.events).toBe(doc.ids.length);
      outcomes.push(status === 202 ? 'acknowledged' : after.events ? 'stored, answer lost' : 'not stored');
      // the device sends it again: each event once
      const retry = await fetch(`${base}/epcis/capture`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/ld+json' },
        body: doc.body,
      });
      expect(retry.status).toBe(202);
      expect(await stored(doc.ids)).toEqual({ events: doc.ids.length, packed: 250 * 24 });
    }
    console.log(`SIGKILL during capture, 5 rounds: ${outcomes.join(', ')}`);
  });
});
