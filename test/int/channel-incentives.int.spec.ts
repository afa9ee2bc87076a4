import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/connection.ts';
import { Keystore } from '../../src/modules/codes/keystore.ts';
import { serialsFor } from '../../src/modules/codes/serials.ts';
import { verificationCodeFor } from '../../src/modules/codes/verification.ts';
import { issueOneMoreTicket } from '../../src/modules/incentives/channel/one-more.ts';
import { payClaims } from '../../src/modules/incentives/channel/payouts.ts';
import { readTable } from '../../src/platform/tabular/index.ts';
import { type ApiAnswer, apiClient, problems } from '../support/api-client.ts';
import { startTestServer, type TestServer } from '../support/app.ts';

/**
 * Channel incentive programs end to end: a brand's case goes factory -> distributor -> store by scan; the store's
 * receipt pays the distributor's rebate, the clerk's sell scan the clerk's bonus, the store opening a case its
 * reward, a consumer's verification the sell-out rebate of store and distributor, a winning code the store's
 * "one more" reimbursement. Budgets hold under concurrency; each code pays once per program.
 */
const UNIT = '06901234001013';
const CASE = '16901234001010';
let server: TestServer;
const call = apiClient(() => server.baseUrl);
let tenantId: number;
let units: string[];
let cases: string[];
let unitSerials: string[];
let keys: Awaited<ReturnType<Keystore['keyring']>>;
let store: { id: number; code: string; province: string };
let dist: { id: number; code: string };
let farStore: { id: number; code: string };
let clerkId: number;

const scan = (user: string, body: Record<string, unknown>) => call(user, 'POST', '/api/v1/scans', { scanId: randomUUID(), ...body });
const ok = async (p: Promise<ApiAnswer>) => {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
  return r;
};
const rebateOf = async (partyId: number) =>
  Number(
    (
      await server.db.sql<{ fen: string }[]>`
        select coalesce(balance_fen, 0)::text as fen from funds_accounts where tenant_id = ${tenantId} and party_id = ${partyId} and kind = 'rebate'`
    )[0]?.fen ?? 0,
  );
const program = async (body: Record<string, unknown>) => {
  const created = await ok(
    call('admin', 'POST', '/api/v1/channel-programs', {
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      totalBudgetFen: 1_000_000,
      ...body,
    }),
  );
  const id = created.body.id as number;
  await ok(call('admin', 'POST', `/api/v1/channel-programs/${id}/status`, { status: 'active' }));
  return id;
};
const payoutsOf = (programId: number) =>
  server.db.sql<{ epc: string; payee_role: string; payee_party_id: string; payee_user_id: string | null; amount_fen: string }[]>`
    select epc, payee_role, payee_party_id::text, payee_user_id::text, amount_fen::text from channel_payouts
    where tenant_id = ${tenantId} and program_id = ${programId} order by id`;
const unitsOfCase = (k: number) => units.slice(k * 24, k * 24 + 24);

beforeAll(async () => {
  server = await startTestServer();
  const sql = server.db.sql;
  const [t] = await sql<{ id: number }[]>`select id from tenants where code = 'demo'`;
  tenantId = Number(t?.id);
  const keystore = new Keystore(Buffer.from(fs.readFileSync('.data/master.key', 'utf8'), 'base64'));
  keys = await keystore.keyring(sql, tenantId);
  const u = await ok(call('admin', 'POST', '/api/v1/code-batches', { gtin: UNIT, quantity: 240 }));
  const c = await ok(call('admin', 'POST', '/api/v1/code-batches', { gtin: CASE, quantity: 10 }));
  unitSerials = serialsFor(keys, { gtin: UNIT, keyVersion: u.body.keyVersion, batchNo: u.body.batchNo }, 0, 240);
  units = unitSerials.map((s) => `https://id.gs1.org/01/${UNIT}/21/${s}`);
  cases = serialsFor(keys, { gtin: CASE, keyVersion: c.body.keyVersion, batchNo: c.body.batchNo }, 0, 10).map(
    (s) => `https://id.gs1.org/01/${CASE}/21/${s}`,
  );
  // the clerk's store, the distributor that supplies it (its territory holds the store), a store far outside it
  const [s] = await sql<{ id: string; code: string; province_code: string; parent: string; parent_code: string }[]>`
    select s.id::text, s.code, s.province_code, d.id::text as parent, d.code as parent_code
    from parties s join parties d on d.tenant_id = s.tenant_id and d.id = s.parent_id
      join users u on u.tenant_id = s.tenant_id and u.party_id = s.id
    where s.tenant_id = ${tenantId} and u.username = 'clerk'`;
  store = { id: Number(s?.id), code: s?.code as string, province: s?.province_code as string };
  dist = { id: Number(s?.parent), code: s?.parent_code as string };
  const [far] = await sql<{ id: string; code: string }[]>`
    select id::text, code from parties where tenant_id = ${tenantId} and kind = 'store' and province_code <> ${store.province}
      and not exists (select 1 from party_territories pt where pt.tenant_id = ${tenantId} and pt.party_id = ${dist.id}
        and (district_code like pt.division_code || '%'))
    order by id limit 1`;
  farStore = { id: Number(far?.id), code: far?.code as string };
  // the distributor supplies that far store too (a distributor ships only to the parties it supplies: trace/scans.ts),
  // so its shipment there is recorded and the rebate rule, not the ship scan, is what pays nothing for it
  await sql`update parties set parent_id = ${dist.id} where tenant_id = ${tenantId} and id = ${farStore.id}`;
  for (const [username, role, partyCode] of [
    ['dist-x', 'distributor_admin', dist.code],
    ['far-owner', 'store_owner', farStore.code],
    ['clerk-2', 'store_clerk', store.code],
  ])
    await ok(call('admin', 'POST', '/api/v1/users', { username, displayName: username, password: 'Demo#2026', role, partyCode }));
  const [clerk] = await sql<{ id: string }[]>`select id::text from users where tenant_id = ${tenantId} and username = 'clerk'`;
  clerkId = Number(clerk?.id);
  // factory -> distributor: 8 cases of 24
  await ok(scan('line', { kind: 'commission', lot: 'L1', range: { batchId: u.body.id, from: 0, count: 192 } }));
  await ok(scan('line', { kind: 'commission', lot: 'L1', codes: cases.slice(0, 8) }));
  for (let k = 0; k < 8; k++) await ok(scan('line', { kind: 'pack', parent: cases[k], codes: unitsOfCase(k) }));
  await ok(scan('line', { kind: 'ship', codes: cases.slice(0, 8), to: dist.code }));
  await ok(scan('dist-x', { kind: 'receive', codes: cases.slice(0, 8) }));
});
afterAll(async () => server?.close());

describe('distributor rebate on scan-verified sales', () => {
  it("credits the distributor's rebate balance per unit when its store receives the case, and nothing for a store outside its territory", async () => {
    const id = await program({ name: '经销商动销返利', kind: 'distributor_rebate', amountFen: 10 });
    await ok(scan('dist-x', { kind: 'ship', codes: [cases[0], cases[1], cases[2], cases[3]], to: store.code }));
    await ok(scan('dist-x', { kind: 'ship', codes: [cases[4]], to: farStore.code }));
    const before = await rebateOf(dist.id);
    await ok(scan('store', { kind: 'receive', codes: [cases[0], cases[1], cases[2], cases[3]] }));
    expect(await rebateOf(dist.id)).toBe(before + 4 * 24 * 10);
    await ok(scan('far-owner', { kind: 'receive', codes: [cases[4]] }));
    expect(await rebateOf(dist.id)).toBe(before + 4 * 24 * 10);
    const paid = await payoutsOf(id);
    expect(paid.map((p) => p.epc).sort()).toEqual(cases.slice(0, 4).sort());
    expect(paid.every((p) => p.payee_role === 'distributor' && Number(p.payee_party_id) === dist.id && p.amount_fen === '240')).toBe(true);
    // double entry: the brand's external account paid exactly what the distributor got
    const [entries] = await server.db.sql<{ sum: string; n: number }[]>`
      select coalesce(sum(e.amount_fen), 0)::text as sum, count(*)::int as n from funds_entries e
      join funds_transactions t on t.tenant_id = e.tenant_id and t.id = e.transaction_id
      where t.tenant_id = ${tenantId} and t.kind = 'rebate' and t.memo = 'funds.note.channel_program' and t.memo_params->>'program' = ${String(id)}`;
    expect(entries).toEqual({ sum: '0', n: 8 });
    // the distributor reads what each rebate was for in its own language (the note is a key, orders/funds-notes.ts)
    const notes = async (lang: string) =>
      (
        (await call('dist-x', 'GET', `/api/v1/funds/${dist.code}/ledger`, undefined, { 'accept-language': lang })).body.items as {
          kind: string;
          memoText: string;
        }[]
      )
        .filter((i) => i.kind === 'rebate')
        .map((i) => i.memoText);
    const [zh, en] = [await notes('zh-CN'), await notes('en')];
    expect(zh).toHaveLength(4);
    for (const n of zh) expect(n).toMatch(new RegExp(`^渠道激励 #${id}（经销商扫码返利）：\\S+`));
    for (const n of en) expect(n).toMatch(new RegExp(`^Channel program #${id} \\(distributor scan rebate\\): \\S+`));
    await ok(call('admin', 'POST', `/api/v1/channel-programs/${id}/status`, { status: 'ended' }));
  });
});

describe('clerk sell-scan bonus', () => {
  it('pays the clerk per unit sold from stock delivered to the store, once per code', async () => {
    const id = await program({ name: '店员扫码奖励', kind: 'clerk_sell', amountFen: 50 });
    const sold = await ok(scan('clerk', { kind: 'sell', codes: unitsOfCase(0).slice(0, 3) }));
    // the clerk sees the bonus in the scan's answer
    expect(sold.body.earnings).toEqual({ payee: 'clerk', paidFen: 150, refused: [] });
    let paid = await payoutsOf(id);
    expect(paid.map((p) => [p.epc, p.payee_role, Number(p.payee_user_id), Number(p.payee_party_id), p.amount_fen]).sort()).toEqual(
      unitsOfCase(0)
        .slice(0, 3)
        .map((e) => [e, 'clerk', clerkId, store.id, '50'])
        .sort(),
    );
    // the same unit scanned as sold again, by another clerk: no second bonus
    const again = await ok(scan('clerk-2', { kind: 'sell', codes: [unitsOfCase(0)[0]] }));
    expect(again.body.earnings).toMatchObject({ payee: 'clerk', paidFen: 0, refused: [{ epc: unitsOfCase(0)[0] }] });
    paid = await payoutsOf(id);
    expect(paid).toHaveLength(3);
    // a clerk bonus is no money in the funds ledger: the store's rebate balance does not move
    expect(await rebateOf(store.id)).toBe(0);
  });

  it('pays nothing for units never delivered to the store and flags the clerk', async () => {
    const [id] = (
      await server.db.sql<{ id: string }[]>`select id::text from channel_programs where tenant_id = ${tenantId} and kind = 'clerk_sell'`
    ).map((r) => Number(r.id));
    const notHere = unitsOfCase(6).slice(0, 2);
    const r = await ok(scan('clerk', { kind: 'sell', codes: notHere }));
    expect(r.body.warnings.map((w: { code: string }) => w.code)).toEqual(['sell.not_delivered_here', 'sell.not_delivered_here']);
    expect((await payoutsOf(id as number)).filter((p) => notHere.includes(p.epc))).toEqual([]);
    const [flag] = await server.db.sql<
      { rule: string; subject_kind: string; subject: string; action: string; evidence: { codes: string[] } }[]
    >`
      select rule, subject_kind, subject, action, evidence from fraud_flags where tenant_id = ${tenantId} and rule = 'clerk_undelivered'`;
    expect(flag).toMatchObject({ rule: 'clerk_undelivered', subject_kind: 'clerk', subject: String(clerkId), action: 'refused' });
    expect(flag?.evidence.codes).toEqual(notHere);
  });
});

describe('open-case reward (开箱有礼)', () => {
  it("credits the store that opens a case it received and binds the case's units to it; a case not delivered earns nothing", async () => {
    const id = await program({ name: '开箱有礼', kind: 'open_case', per: 'case', amountFen: 300 });
    const before = await rebateOf(store.id);
    await ok(scan('store', { kind: 'unpack', parent: cases[1], codes: unitsOfCase(1) }));
    expect(await rebateOf(store.id)).toBe(before + 300);
    const holders = await server.db.sql<{ holder: string; parent: string | null }[]>`
      select holder_party_id::text as holder, parent_epc as parent from code_now where tenant_id = ${tenantId} and epc = any(${unitsOfCase(1)}::text[])`;
    expect(holders).toHaveLength(24);
    expect(holders.every((h) => Number(h.holder) === store.id && h.parent === null)).toBe(true);
    // a unit of another received case scanned by the store opens that case: paid once, the later unpack pays nothing more
    await ok(scan('store', { kind: 'inspect', codes: [unitsOfCase(2)[0]] }));
    await ok(scan('store', { kind: 'unpack', parent: cases[2], codes: unitsOfCase(2) }));
    expect(await rebateOf(store.id)).toBe(before + 600);
    expect((await payoutsOf(id)).map((p) => p.epc)).toEqual([cases[1], cases[2]]);
    // a case shipped to the store but not yet received (still on its way, the distributor's) earns nothing when opened
    await ok(scan('dist-x', { kind: 'ship', codes: [cases[5]], to: store.code }));
    await ok(scan('store', { kind: 'unpack', parent: cases[5], codes: unitsOfCase(5) }));
    expect((await payoutsOf(id)).map((p) => p.epc)).toEqual([cases[1], cases[2]]);
  });
});

describe('BbC-linked sell-out rebate (动销返利)', () => {
  const verify = (i: number, device = randomUUID(), address = '198.51.100.7') =>
    fetch(`${server.baseUrl}/01/${UNIT}/21/${unitSerials[i]}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `tl_device=${device}`, 'x-forwarded-for': address },
      body: JSON.stringify({ code: verificationCodeFor(keys, UNIT, unitSerials[i] as string) }),
    });

  it('pays the store that sold the unit and the distributor that supplied it when a consumer verifies it, once per code', async () => {
    const id = await program({ name: '动销返利', kind: 'sellout_rebate', amountFen: 20, upstreamAmountFen: 10 });
    const [s0, d0] = [await rebateOf(store.id), await rebateOf(dist.id)];
    const i = 24 * 3; // a unit of case 3, received by the store
    expect((await verify(i)).status).toBe(200);
    expect([await rebateOf(store.id), await rebateOf(dist.id)]).toEqual([s0 + 20, d0 + 10]);
    expect((await verify(i)).status).toBe(200);
    expect([await rebateOf(store.id), await rebateOf(dist.id)]).toEqual([s0 + 20, d0 + 10]);
    expect((await payoutsOf(id)).map((p) => [p.payee_role, p.amount_fen])).toEqual([
      ['store', '20'],
      ['distributor', '10'],
    ]);
    // the store's ledger says what paid it and for what, in words: the consumer's verification, not a blank
    const [rebate] = ((await call('admin', 'GET', `/api/v1/funds/${store.code}/ledger`)).body.items ?? []).filter(
      (r: { kind: string }) => r.kind === 'rebate',
    );
    expect(rebate?.actorName).toBe('消费者验真');
    expect(rebate?.memoText).toMatch(new RegExp(`^渠道激励 #${id}（动销返利）：GTIN`));
  });

  it('pays nothing for a unit not yet at a store, nor for a claim the fraud check refuses', async () => {
    const [s0, d0] = [await rebateOf(store.id), await rebateOf(dist.id)];
    expect((await verify(24 * 7)).status).toBe(200); // case 7 is still at the distributor
    // one code scanned by many phones: over the tenant's limit of 2 distinct devices
    await ok(
      call('admin', 'PUT', '/api/v1/fraud/settings', {
        repeatDevices: 2,
        repeatAction: 'refused',
        farHours: 6,
        farKm: 300,
        farAction: 'refused',
        burstCount: 20,
        burstMinutes: 10,
        burstAction: 'refused',
        addressBurstCount: 100,
      }),
    );
    const i = 24 * 3 + 1;
    for (let k = 0; k < 3; k++)
      await fetch(`${server.baseUrl}/01/${UNIT}/21/${unitSerials[i]}`, {
        headers: { accept: 'text/html', cookie: `tl_device=${randomUUID()}` },
      });
    expect((await verify(i)).status).toBe(200);
    expect([await rebateOf(store.id), await rebateOf(dist.id)]).toEqual([s0, d0]);
    const [flag] = await server.db.sql<{ action: string; evidence: { distinctDevices: number } }[]>`
      select action, evidence from fraud_flags where tenant_id = ${tenantId} and rule = 'repeat_scans' and subject = ${units[i] as string}`;
    expect(flag).toMatchObject({ action: 'refused', evidence: { distinctDevices: 3 } });
    await server.db.sql`delete from fraud_settings where tenant_id = ${tenantId}`;
  });

  it('pays it too when the consumer claims the campaigns with the hidden code (the claim batch pays per claim)', async () => {
    const [s0, d0] = [await rebateOf(store.id), await rebateOf(dist.id)];
    const i = 24 * 3 + 2;
    const r = await fetch(`${server.baseUrl}/01/${UNIT}/21/${unitSerials[i]}/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `tl_device=${randomUUID()}`, 'x-forwarded-for': '198.51.100.8' },
      body: JSON.stringify({ code: verificationCodeFor(keys, UNIT, unitSerials[i] as string) }),
    });
    expect(r.status, await r.text()).toBe(200);
    expect([await rebateOf(store.id), await rebateOf(dist.id)]).toEqual([s0 + 20, d0 + 10]);
  });
});

describe('one more (再来一瓶) redemption', () => {
  it('reimburses the first participating store that scans the winning code, refuses a second with the reason', async () => {
    const id = await program({ name: '再来一瓶', kind: 'one_more', amountFen: 350 });
    const winning = unitsOfCase(3)[5] as string;
    await server.db.sql.begin((tx) => issueOneMoreTicket(tx as unknown as Tx, tenantId, winning, 'campaign:42'));
    const again = await server.db.sql.begin((tx) => issueOneMoreTicket(tx as unknown as Tx, tenantId, winning, 'campaign:42'));
    expect(again).toEqual({ issued: false });
    const before = await rebateOf(store.id);
    const r = await call('store', 'POST', '/api/v1/one-more/redeem', { code: winning });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ code: winning, programId: id, amountFen: 350, campaignRef: 'campaign:42' });
    expect(await rebateOf(store.id)).toBe(before + 350);
    const second = await call('far-owner', 'POST', '/api/v1/one-more/redeem', { code: winning });
    expect(second.status).toBe(409);
    expect(problems(second)).toEqual([['/body/code', 'channel.ticket_redeemed']]);
    const [name] = await server.db.sql<{ name: string }[]>`select name from parties where id = ${store.id}`;
    expect(second.body.detail).toContain(name?.name);
    // which store and when as members too, for a page to say it in its own language
    expect(second.body.errors[0]).toMatchObject({ store: name?.name, redeemedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
    expect(await rebateOf(farStore.id)).toBe(0);
    const none = await call('store', 'POST', '/api/v1/one-more/redeem', { code: unitsOfCase(3)[6] });
    expect(none.status).toBe(422);
    expect(problems(none)).toEqual([['/body/code', 'channel.no_ticket']]);
    // the unit in words as printed under its QR, not its link; the code as the redemption answer names it, for a page
    const serial = /\/21\/(.+)$/.exec(unitsOfCase(3)[6] as string)?.[1];
    expect(none.body.errors[0]).toEqual({
      pointer: '/body/code',
      code: 'channel.no_ticket',
      detail: `该码没有中奖：GTIN ${UNIT} · 序列号 ${serial}`,
      epc: unitsOfCase(3)[6],
    });
    const bad = await call('store', 'POST', '/api/v1/one-more/redeem', { code: 'not a code' });
    expect(problems(bad)).toEqual([['/body/code', 'code.unrecognised']]);
  });

  it('refuses a store outside the program region, and leaves the ticket for a participating one', async () => {
    await server.db.sql`update channel_programs set status = 'ended' where tenant_id = ${tenantId} and kind = 'one_more'`;
    await program({ name: '再来一瓶（本省）', kind: 'one_more', amountFen: 300, regionPrefixes: [store.province] });
    const winning = unitsOfCase(3)[7] as string;
    await server.db.sql.begin((tx) => issueOneMoreTicket(tx as unknown as Tx, tenantId, winning, 'campaign:43'));
    const far = await call('far-owner', 'POST', '/api/v1/one-more/redeem', { code: winning });
    expect(far.status).toBe(409);
    expect(problems(far)).toEqual([['/body/code', 'channel.not_participating']]);
    expect((await call('store', 'POST', '/api/v1/one-more/redeem', { code: winning })).status).toBe(200);
  });

  it('pays a ticket scanned by three clerks of one store at the same instant once, answering each with the redemption', async () => {
    const winning = unitsOfCase(3)[8] as string;
    await server.db.sql.begin((tx) => issueOneMoreTicket(tx as unknown as Tx, tenantId, winning, 'campaign:44'));
    const before = await rebateOf(store.id);
    const answers = await Promise.all(
      ['store', 'clerk', 'clerk-2'].map((u) => call(u, 'POST', '/api/v1/one-more/redeem', { code: winning })),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.replayed).sort()).toEqual([false, true, true]);
    expect(answers.every((a) => a.body.amountFen === 300)).toBe(true);
    expect(await rebateOf(store.id)).toBe(before + 300);
  });
});

describe('budgets under concurrency', () => {
  const claim = (programId: number, k: number, epc = `urn:test:${programId}:${k}`) => ({
    programId,
    kind: 'clerk_sell',
    epc,
    day: '2026-06-01',
    source: 'test',
    payees: [{ role: 'clerk' as const, partyId: store.id, userId: clerkId, units: 1, amountFen: 100 }],
  });
  const race = (n: number, make: (k: number) => ReturnType<typeof claim>) =>
    Promise.all(
      Array.from({ length: n }, (_, k) => server.db.sql.begin((tx) => payClaims(tx as unknown as Tx, tenantId, [make(k)], 'test'))),
    );

  it('pays exactly 50 of 200 simultaneous claims against a budget of 50 units', async () => {
    const id = await program({ name: '预算竞争', kind: 'clerk_sell', amountFen: 100, totalBudgetFen: 5000 });
    const results = (await race(200, (k) => claim(id, k))).flat();
    expect(results.filter((r) => r.paid)).toHaveLength(50);
    expect(results.filter((r) => !r.paid).every((r) => !r.paid && r.reason === 'budget_total')).toBe(true);
    const [p] = await server.db.sql<{ spent: string; n: number }[]>`
      select spent_fen::text as spent, (select count(*)::int from channel_payouts where tenant_id = ${tenantId} and program_id = ${id}) as n
      from channel_programs where tenant_id = ${tenantId} and id = ${id}`;
    expect(p).toEqual({ spent: '5000', n: 50 });
  });

  it('holds the daily budget and the per-payee cap the same way', async () => {
    const daily = await program({ name: '日预算', kind: 'clerk_sell', amountFen: 100, totalBudgetFen: 100_000, dailyBudgetFen: 3000 });
    expect((await race(100, (k) => claim(daily, k))).flat().filter((r) => r.paid)).toHaveLength(30);
    const capped = await program({ name: '单人上限', kind: 'clerk_sell', amountFen: 100, totalBudgetFen: 100_000, perPayeeCapFen: 700 });
    expect((await race(40, (k) => claim(capped, k))).flat().filter((r) => r.paid)).toHaveLength(7);
  });

  it('pays one of 50 simultaneous claims for the same code', async () => {
    const id = await program({ name: '一码一次', kind: 'clerk_sell', amountFen: 100 });
    const results = (await race(50, () => claim(id, 0, 'urn:test:same'))).flat();
    expect(results.filter((r) => r.paid)).toHaveLength(1);
    expect(results.filter((r) => !r.paid && r.reason === 'already_paid')).toHaveLength(49);
  });
});

describe('the programs API', () => {
  it('refuses bad input with a pointer per field and creates nothing', async () => {
    const count = async () => (await server.db.sql<{ n: number }[]>`select count(*)::int as n from channel_programs`)[0]?.n;
    const before = await count();
    const r = await call('admin', 'POST', '/api/v1/channel-programs', {
      name: '坏方案',
      kind: 'clerk_sell',
      skus: ['NO-SUCH-SKU'],
      regionPrefixes: ['99'],
      startsAt: '2026-06-02T00:00:00Z',
      endsAt: '2026-06-01T00:00:00Z',
      amountFen: 10,
      upstreamAmountFen: 5,
      totalBudgetFen: 100,
      dailyBudgetFen: 200,
    });
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/problem+json');
    expect(problems(r)).toEqual(
      expect.arrayContaining([
        ['/body/skus/0', 'import.reference'],
        ['/body/regionPrefixes/0', 'division.unknown'],
        ['/body/endsAt', 'channel.ends_before_start'],
        ['/body/dailyBudgetFen', 'channel.daily_over_total'],
        ['/body/upstreamAmountFen', 'channel.upstream_only_sellout'],
      ]),
    );
    const schema = await call('admin', 'POST', '/api/v1/channel-programs', { name: 'x', kind: 'bonus', amountFen: -1, extra: 1 });
    expect(schema.status).toBe(400);
    expect(problems(schema).map(([p]) => p)).toEqual(expect.arrayContaining(['/body/kind', '/body/amountFen']));
    expect(await count()).toBe(before);
  });

  it('edits a draft, refuses an impossible status change and a budget below what was paid, and audits every change', async () => {
    const body = { name: '草稿', kind: 'clerk_sell', startsAt: '2026-01-01T00:00:00Z', amountFen: 10, totalBudgetFen: 1000 };
    const created = await ok(call('admin', 'POST', '/api/v1/channel-programs', { ...body, skus: [] }));
    const id = created.body.id as number;
    expect(created.body).toMatchObject({ status: 'draft', spentFen: 0, remainingFen: 1000 });
    const edited = await ok(call('sales', 'PUT', `/api/v1/channel-programs/${id}`, { ...body, name: '改名', totalBudgetFen: 2000 }));
    expect(edited.body).toMatchObject({ name: '改名', totalBudgetFen: 2000 });
    const pause = await call('admin', 'POST', `/api/v1/channel-programs/${id}/status`, { status: 'paused' });
    expect(pause.status).toBe(409);
    expect(problems(pause)).toEqual([['/body/status', 'channel.status_change']]);
    const spentId = (await server.db.sql<{ id: string }[]>`select id::text from channel_programs where name = '预算竞争'`)[0]?.id;
    const below = await call('admin', 'PUT', `/api/v1/channel-programs/${spentId}`, { ...body, totalBudgetFen: 10 });
    expect(problems(below)).toEqual([['/body/totalBudgetFen', 'channel.budget_below_spent']]);
    const audit = await server.db.sql<{ action: string }[]>`
      select action from audit_log where tenant_id = ${tenantId} and entity_type = 'channel_program' and entity_id = ${String(id)} order by seq`;
    expect(audit.map((a) => a.action)).toEqual(['channel_program.create', 'channel_program.update']);
    expect((await call('store', 'POST', '/api/v1/channel-programs', body)).status).toBe(403);
  });

  it('creates one program for a create retried with its Idempotency-Key, and refuses the key reused for another', async () => {
    const body = { name: '幂等方案', kind: 'open_case', startsAt: '2026-01-01T00:00:00Z', amountFen: 10, totalBudgetFen: 1000 };
    const headers = { 'idempotency-key': `create-${randomUUID()}` };
    const first = await call('admin', 'POST', '/api/v1/channel-programs', body, headers);
    const again = await call('admin', 'POST', '/api/v1/channel-programs', body, headers);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toMatchObject({ id: first.body.id, replayed: true });
    expect((await server.db.sql<{ n: number }[]>`select count(*)::int as n from channel_programs where name = '幂等方案'`)[0]?.n).toBe(1);
    const other = await call('admin', 'POST', '/api/v1/channel-programs', { ...body, name: '另一个' }, headers);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('channel.key_reused');
  });

  it('shows the live budget of each program', async () => {
    const r = await ok(call('admin', 'GET', '/api/v1/channel-programs?kind=clerk_sell'));
    const race = r.body.items.find((p: { name: string }) => p.name === '预算竞争');
    expect(race).toMatchObject({ totalBudgetFen: 5000, spentFen: 5000, remainingFen: 0, payouts: 50 });
  });
});

describe('the payout ledger', () => {
  it('shows each channel member its own earnings only, and a clerk only the clerk bonuses', async () => {
    // one payout to a store of the sales rep's territory (Beijing, 11) and one to a store outside it
    const pid = await program({ name: '区域可见性', kind: 'open_case', amountFen: 100 });
    const stores = await server.db.sql<{ id: string }[]>`
      (select id::text from parties where tenant_id = ${tenantId} and kind = 'store' and province_code = '11' order by id limit 1)
      union all
      (select id::text from parties where tenant_id = ${tenantId} and kind = 'store' and province_code not in ('11', '13')
        and id <> ${farStore.id} order by id limit 1)`;
    await server.db.sql.begin((tx) =>
      payClaims(
        tx as unknown as Tx,
        tenantId,
        stores.map((st, k) => ({
          programId: pid,
          kind: 'open_case',
          epc: `urn:test:scope:${k}`,
          day: '2026-06-01',
          source: 'test',
          payees: [{ role: 'store' as const, partyId: Number(st.id), units: 1, amountFen: 100 }],
        })),
        'test',
      ),
    );
    const all = await ok(call('admin', 'GET', '/api/v1/channel-payouts?pageSize=500'));
    const asStore = await ok(call('store', 'GET', '/api/v1/channel-payouts?pageSize=500'));
    const asClerk = await ok(call('clerk', 'GET', '/api/v1/channel-payouts?pageSize=500'));
    const asDist = await ok(call('dist-x', 'GET', '/api/v1/channel-payouts?pageSize=500'));
    const asFar = await ok(call('far-owner', 'GET', '/api/v1/channel-payouts?pageSize=500'));
    const [expected] = await server.db.sql<{ store: number; clerk: number; dist: number }[]>`
      select count(*) filter (where payee_party_id = ${store.id})::int as store,
        count(*) filter (where payee_role = 'clerk' and payee_user_id = ${clerkId})::int as clerk,
        count(*) filter (where payee_party_id = ${dist.id})::int as dist
      from channel_payouts where tenant_id = ${tenantId}`;
    expect(asStore.body.total).toBe(expected?.store);
    expect(asClerk.body.total).toBe(expected?.clerk);
    expect(asDist.body.total).toBe(expected?.dist);
    expect(asFar.body.total).toBe(0);
    expect(all.body.total).toBeGreaterThan(asStore.body.total + asDist.body.total - 1);
    expect(asClerk.body.items.every((p: { payeeRole: string }) => p.payeeRole === 'clerk')).toBe(true);
    // a sales rep (territories 11 and 13) sees the payouts to parties of its territories, by an independent query
    const asSales = await ok(call('sales', 'GET', '/api/v1/channel-payouts?pageSize=1'));
    const [sales] = await server.db.sql<{ n: number }[]>`
      select count(*)::int as n from channel_payouts o join parties p on p.tenant_id = o.tenant_id and p.id = o.payee_party_id
      where o.tenant_id = ${tenantId} and (p.province_code in ('11', '13') or exists (select 1 from party_territories t
        where t.tenant_id = p.tenant_id and t.party_id = p.id and t.division_code in ('11', '13')))`;
    expect(asSales.body.total).toBe(sales?.n);
    expect(sales?.n).toBeGreaterThan(0);
    expect(sales?.n).toBeLessThan(all.body.total);
    const filtered = await ok(call('admin', 'GET', `/api/v1/channel-payouts?payee=${dist.code}&pageSize=500`));
    expect(filtered.body.total).toBe(expected?.dist);
  });

  it('exports the ledger of a program filtered by payee to Excel', async () => {
    const [p] = await server.db.sql<{ id: string }[]>`select id::text from channel_programs where name = '预算竞争'`;
    const token = await (await import('../support/app.ts')).loginAs(server.baseUrl, 'admin');
    const r = await fetch(`${server.baseUrl}/api/v1/channel-payouts/export?program=${p?.id}&payee=clerk`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('spreadsheetml');
    const rows = [];
    for await (const row of readTable(Buffer.from(await r.arrayBuffer()), 'xlsx')) rows.push(row);
    expect(rows).toHaveLength(50);
    const bad = await call('admin', 'GET', '/api/v1/channel-payouts?payeeRole=boss');
    expect(bad.status).toBe(400);
    expect(problems(bad).map(([ptr]) => ptr)).toEqual(['/query/payeeRole']);
  });
});
