import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { ctxOf } from '../../http/access.ts';
import { AppError } from '../../http/problem.ts';
import { Id, IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { canonicalQuery, type ReadCache } from '../../platform/read-cache.ts';
import { appendAudit } from '../audit/index.ts';
import { partyScope, scopeKey, seesWholeTenant, whoOf } from '../auth/index.ts';
import { allDivisions, childDivisions, divisionName } from './divisions.ts';
import { getParty, listParties, type PartyListQuery, partyOverview } from './party-queries.ts';
import { checkParty, PARTY_KINDS, type PartyInput } from './party-rules.ts';
import { insertParties } from './party-writes.ts';

const Kind = Type.Union(PARTY_KINDS.map((k) => Type.Literal(k)));
const DivisionCode = Type.String({ pattern: '^\\d{2}(\\d{2}){0,2}$' });

export async function partiesRoutes(api: FastifyInstance, sql: Sql, readCache: ReadCache) {
  api.get(
    '/parties',
    {
      config: { access: 'parties:read' },
      schema: {
        tags: ['parties'],
        summary: 'Channel members within your data scope',
        querystring: strictObject({
          ...Paging,
          kind: Type.Optional(Kind),
          q: Type.Optional(Type.String({ maxLength: 100 })),
          provinceCode: Type.Optional(DivisionCode),
          cityCode: Type.Optional(DivisionCode),
          districtCode: Type.Optional(DivisionCode),
          tier: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
          parentId: Type.Optional(Id()),
          sort: Type.Union([Type.Literal('name'), Type.Literal('-name'), Type.Literal('code'), Type.Literal('-code')], { default: 'name' }),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const query = req.query as PartyListQuery;
      const key = `${scopeKey(ctx.actor)}|${ctx.locale}|${canonicalQuery(query)}`;
      const body = await readCache.json('parties', key, () => listParties(ctx, query));
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );

  api.get('/parties/:id', { config: { access: 'parties:read' }, schema: { tags: ['parties'], params: IdParams } }, async (req) =>
    getParty(ctxOf(req, sql), (req.params as { id: number }).id),
  );

  api.post(
    '/parties',
    {
      config: { access: 'parties:write', invalidates: ['parties'] },
      schema: {
        tags: ['parties'],
        body: strictObject({
          code: Type.String(),
          name: Type.String({ minLength: 1 }),
          kind: Kind,
          gln: Type.Optional(Type.String()),
          tier: Type.Optional(Type.Integer({ maximum: 100 })),
          parentCode: Type.Optional(Type.String()),
          provinceCode: Type.Optional(Type.String()),
          cityCode: Type.Optional(Type.String()),
          districtCode: Type.Optional(Type.String()),
          address: Type.Optional(Type.String({ maxLength: 300 })),
          lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
          lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
          contactName: Type.Optional(Type.String({ maxLength: 100 })),
          phone: Type.Optional(Type.String({ maxLength: 30 })),
          territories: Type.Optional(Type.Array(Type.String(), { maxItems: 3000 })),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const checked = checkParty(req.body as PartyInput, '/body');
      if (!checked.party) throw AppError.invalid(checked.errors);
      const party = checked.party;
      const id = await sql.begin(async (tx) => {
        const r = await insertParties(tx, ctx.actor.tenantId, [party], (_i, f) => `/body/${f}`);
        if (r.errors.length) throw AppError.invalid(r.errors);
        await appendAudit(tx, whoOf(ctx), {
          action: 'party.create',
          entityType: 'party',
          entityId: r.ids[0],
          details: { code: party.code, kind: party.kind },
        });
        return r.ids[0] as number;
      });
      return reply.status(201).send(await getParty(ctx, id));
    },
  );

  api.get(
    '/divisions',
    {
      config: { access: 'divisions:read' },
      schema: {
        tags: ['parties'],
        summary: "China's administrative divisions",
        querystring: strictObject({ parentCode: Type.Optional(DivisionCode) }),
      },
    },
    async (req) => {
      const { parentCode } = req.query as { parentCode?: string };
      if (parentCode && !allDivisions().has(parentCode))
        throw AppError.field('/query/parentCode', 'division.unknown', { value: parentCode });
      const locale = ctxOf(req, sql).locale;
      return {
        items: childDivisions(parentCode ?? null).map((d) => ({
          code: d.code,
          name: divisionName(d.code, locale) ?? d.name,
          level: d.level,
        })),
      };
    },
  );

  api.get('/overview', { config: { access: 'overview:read' }, schema: { tags: ['overview'] } }, async (req) => {
    const ctx = ctxOf(req, sql);
    const [parties, products, users] = await Promise.all([
      partyOverview(ctx),
      sql<{ category: string; count: number }[]>`select category, count(*)::int as count from products
        where tenant_id = ${ctx.actor.tenantId} group by category order by count desc`,
      // the users of the parties the caller sees (a store counts its own people, not the brand's)
      seesWholeTenant(ctx.actor)
        ? sql<{ n: number }[]>`select count(*)::int as n from users where tenant_id = ${ctx.actor.tenantId}`
        : sql<{ n: number }[]>`
            select count(*)::int as n from users u join parties p on p.tenant_id = u.tenant_id and p.id = u.party_id
            where u.tenant_id = ${ctx.actor.tenantId} and ${partyScope(sql, ctx.actor)}`,
    ]);
    const c = parties.counts;
    return {
      counts: {
        products: products.reduce((s, r) => s + r.count, 0),
        factories: c.factory ?? 0,
        warehouses: c.warehouse ?? 0,
        distributors: c.distributor ?? 0,
        stores: c.store ?? 0,
        users: users[0]?.n ?? 0,
      },
      storesByProvince: parties.storesByProvince,
      productsByCategory: products,
    };
  });
}
