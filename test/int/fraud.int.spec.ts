import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/connection.ts';
import { assessConsumerClaim, type ConsumerClaim } from '../../src/modules/incentives/fraud/assess.ts';
import { apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * The fraud check of consumer claims over the consumer scan tables (migration 0018) and the review list: each
 * rule raises a flag with its subject, evidence and action; staff confirm or dismiss it with a note.
 */
let server: TestServer;
const call = apiClient(() => server.baseUrl);
let tenantId: number;
const epc = () => `https://id.gs1.org/01/06901234001013/21/T${randomUUID().slice(0, 12)}`;
const claim = (over: Partial<ConsumerClaim> = {}): ConsumerClaim => ({
  tenantId,
  epc: epc(),
  deviceId: randomUUID(),
  ipHash: randomBytes(16),
  regionCode: null,
  ...over,
});
const assess = (c: ConsumerClaim) => server.db.sql.begin((tx) => assessConsumerClaim(tx as unknown as Tx, c));
const scanRows = (rows: { epc: string; device?: string | null; ip?: Buffer; region?: string | null; minutesAgo?: number }[]) =>
  server.db.sql`insert into consumer_scans ${server.db.sql(
    rows.map((r) => ({
      tenant_id: tenantId,
      epc: r.epc,
      verdict: 'genuine_repeat',
      ip_hash: r.ip ?? randomBytes(16),
      device_id: r.device === undefined ? randomUUID() : r.device,
      region_code: r.region ?? null,
      scanned_at: new Date(Date.now() - (r.minutesAgo ?? 0) * 60_000),
    })),
  )}`;

beforeAll(async () => {
  server = await startTestServer();
  const [t] = await server.db.sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
});
afterAll(async () => server?.close());

describe('consumer claim rules', () => {
  it('passes an ordinary claim and writes no flag', async () => {
    const c = claim();
    await scanRows([{ epc: c.epc, device: c.deviceId }]);
    expect(await assess(c)).toEqual({ refuse: false, flags: [] });
  });

  it('refuses a code scanned by more distinct devices than the limit', async () => {
    const c = claim();
    await scanRows(Array.from({ length: 6 }, () => ({ epc: c.epc })));
    const r = await assess(c);
    expect(r.refuse).toBe(true);
    expect(r.flags).toEqual([
      expect.objectContaining({
        rule: 'repeat_scans',
        subjectKind: 'code',
        subject: c.epc,
        action: 'refused',
        evidence: { distinctDevices: 6, limit: 5 },
      }),
    ]);
  });

  it('refuses the same code in another province within hours, not after them', async () => {
    const c = claim({ regionCode: '110105' });
    await scanRows([{ epc: c.epc, region: '440103', minutesAgo: 60 }]);
    expect((await assess(c)).flags.map((f) => f.rule)).toEqual(['far_apart']);
    const old = claim({ regionCode: '110105' });
    await scanRows([{ epc: old.epc, region: '440103', minutesAgo: 7 * 60 }]);
    expect((await assess(old)).flags).toEqual([]);
  });

  it('refuses the same code claimed from coordinates further apart than the limit (haversine)', async () => {
    const code = epc();
    expect((await assess(claim({ epc: code, lat: 39.9042, lng: 116.4074 }))).flags).toEqual([]);
    expect((await assess(claim({ epc: code, lat: 39.3434, lng: 117.3616 }))).flags).toEqual([]);
    const far = await assess(claim({ epc: code, lat: 31.2304, lng: 121.4737 }));
    expect(far.refuse).toBe(true);
    expect(far.flags[0]).toMatchObject({ rule: 'far_apart', evidence: { limitKm: 300 } });
  });

  it('refuses a burst from one device and, over its own higher limit, from one address', async () => {
    const device = randomUUID();
    await scanRows(Array.from({ length: 21 }, () => ({ epc: epc(), device })));
    const d = await assess(claim({ deviceId: device }));
    expect(d.flags.map((f) => [f.rule, f.subject])).toEqual([['device_burst', device]]);
    const ip = randomBytes(16);
    await scanRows(Array.from({ length: 60 }, () => ({ epc: epc(), ip })));
    await server.db.sql`insert into code_verifications ${server.db.sql(
      Array.from({ length: 41 }, () => ({ tenant_id: tenantId, epc: epc(), ip_hash: ip, device_id: randomUUID() })),
    )}`;
    const a = await assess(claim({ ipHash: ip }));
    expect(a.flags.map((f) => [f.rule, f.subject])).toEqual([['address_burst', ip.toString('hex')]]);
  });

  it("follows the tenant's thresholds: a rule set to flag only does not refuse", async () => {
    const settings = (await call('admin', 'GET', '/api/v1/fraud/settings')).body;
    await call('admin', 'PUT', '/api/v1/fraud/settings', { ...settings, repeatDevices: 1, repeatAction: 'flagged' });
    const c = claim();
    await scanRows([{ epc: c.epc }, { epc: c.epc }]);
    const r = await assess(c);
    expect(r).toMatchObject({ refuse: false, flags: [expect.objectContaining({ rule: 'repeat_scans', action: 'flagged' })] });
    await call('admin', 'PUT', '/api/v1/fraud/settings', settings);
  });

  it('counts a repeated burst within the hour as hits of one flag', async () => {
    const c = claim();
    await scanRows(Array.from({ length: 6 }, () => ({ epc: c.epc })));
    await assess(c);
    await assess(c);
    const [f] = await server.db.sql<{ n: number; hits: number }[]>`
      select count(*)::int as n, max(hits)::int as hits from fraud_flags where tenant_id = ${tenantId} and subject = ${c.epc}`;
    expect(f).toEqual({ n: 1, hits: 2 });
  });

  it('has an index for every read of the consumer tables (the consumer hot path)', async () => {
    // the test tables are small, so the planner would rightly scan them: forbid that and see an index serve each read
    const plans = await server.db.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      const out: string[] = [];
      for (const q of [
        tx`explain select 1 from consumer_scans where tenant_id = ${tenantId} and device_id = ${randomUUID()} and scanned_at >= now() - interval '10 minutes' limit 21`,
        tx`explain select 1 from code_verifications where tenant_id = ${tenantId} and ip_hash = ${randomBytes(16)} and verified_at >= now() - interval '10 minutes' limit 101`,
        tx`explain select 1 from consumer_scans where tenant_id = ${tenantId} and ip_hash = ${randomBytes(16)} and scanned_at >= now() - interval '10 minutes' limit 101`,
        tx`explain select 1 from code_verifications where tenant_id = ${tenantId} and device_id = ${randomUUID()} and verified_at >= now() - interval '10 minutes' limit 21`,
        tx`explain select device_id from consumer_scans where tenant_id = ${tenantId} and epc = ${epc()} and device_id is not null order by id desc limit 500`,
      ])
        out.push((await q).map((r) => Object.values(r)[0]).join('\n'));
      return out;
    });
    for (const plan of plans) {
      expect(plan).toMatch(/Index (Only )?Scan/);
      expect(plan).not.toMatch(/Seq Scan/);
    }
  });
});

describe('the review list (风控审核)', () => {
  it('lists flags by rule and status; staff confirm or dismiss one with a note, audited, and cannot reverse it', async () => {
    const list = await call('admin', 'GET', '/api/v1/fraud/flags?rule=repeat_scans&status=open&pageSize=100');
    expect(list.status).toBe(200);
    expect(list.body.total).toBeGreaterThan(0);
    expect(list.body.items.every((f: { rule: string; status: string }) => f.rule === 'repeat_scans' && f.status === 'open')).toBe(true);
    const id = list.body.items[0].id as number;
    const r = await call('quality', 'POST', `/api/v1/fraud/flags/${id}/review`, { decision: 'confirmed', note: '标签被复制' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ changed: true, flag: { status: 'confirmed', review: { note: '标签被复制' } } });
    expect((await call('quality', 'POST', `/api/v1/fraud/flags/${id}/review`, { decision: 'confirmed' })).body.changed).toBe(false);
    const reverse = await call('admin', 'POST', `/api/v1/fraud/flags/${id}/review`, { decision: 'dismissed' });
    expect(reverse.status).toBe(409);
    expect(problems(reverse)).toEqual([['/body/decision', 'fraud.already_reviewed']]);
    const audit = await server.db.sql<{ action: string; details: { decision: string } }[]>`
      select action, details from audit_log where tenant_id = ${tenantId} and entity_type = 'fraud_flag' and entity_id = ${String(id)}`;
    expect(audit).toEqual([{ action: 'fraud.review', details: { decision: 'confirmed', note: '标签被复制' } }]);
    const confirmed = await call('admin', 'GET', '/api/v1/fraud/flags?status=confirmed');
    expect(confirmed.body.items.map((f: { id: number }) => f.id)).toContain(id);
  });

  it('refuses bad input with pointers and changes nothing; other roles may not review', async () => {
    const bad = await call('admin', 'GET', '/api/v1/fraud/flags?rule=everything&page=0');
    expect(bad.status).toBe(400);
    expect(
      problems(bad)
        .map(([p]) => p)
        .sort(),
    ).toEqual(['/query/page', '/query/rule']);
    const [open] = (await call('admin', 'GET', '/api/v1/fraud/flags?status=open')).body.items;
    const review = await call('admin', 'POST', `/api/v1/fraud/flags/${open.id}/review`, { decision: 'maybe', note: 'x'.repeat(501) });
    expect(
      problems(review)
        .map(([p]) => p)
        .sort(),
    ).toEqual(['/body/decision', '/body/note']);
    const settings = await call('admin', 'PUT', '/api/v1/fraud/settings', { repeatDevices: 0, farKm: 'far' });
    expect(settings.status).toBe(400);
    expect(problems(settings).map(([p]) => p)).toEqual(expect.arrayContaining(['/body/repeatDevices', '/body/farKm']));
    const [still] = await server.db.sql<{ status: string }[]>`select status from fraud_flags where id = ${open.id}`;
    expect(still?.status).toBe('open');
    expect((await call('store', 'GET', '/api/v1/fraud/flags')).status).toBe(403);
    expect((await call('sales', 'POST', `/api/v1/fraud/flags/${open.id}/review`, { decision: 'dismissed' })).status).toBe(403);
  });
});
