import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Sql } from '../../db/connection.ts';
import { CSRF_HEADER, ctxOf, SESSION_COOKIE } from '../../http/access.ts';
import { Id, IdParams, Paging, strictObject } from '../../http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor } from './actor.ts';
import { createApiKey, listApiKeys, revokeApiKey, whoOf } from './api-keys.ts';
import { ROLES } from './roles.ts';
import { actorForSession, login, logout } from './sessions.ts';
import { assertNoErrors, checkUser, insertUsers, listUsers } from './users.ts';

export async function authRoutes(api: FastifyInstance, sql: Sql, opts: { loginRateLimit: number }) {
  api.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: { max: opts.loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in; returns a bearer token and sets the console session cookie',
        security: [],
        body: strictObject({
          tenant: Type.String({ minLength: 1, maxLength: 40 }),
          username: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 200 }),
        }),
      },
    },
    async (req, reply) => {
      const r = await login(sql, req.body as { tenant: string; username: string; password: string }, req.ip);
      // the answer carries the session token: no cache keeps it
      reply.header('cache-control', 'no-store');
      reply.setCookie(SESSION_COOKIE, r.token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: req.protocol === 'https',
        expires: r.expiresAt,
      });
      return {
        token: r.token,
        expiresAt: r.expiresAt,
        user: { id: r.actor.id, username: r.actor.name, role: r.actor.role, partyId: r.actor.partyId, tenant: r.actor.tenantCode },
      };
    },
  );

  api.post('/auth/logout', { config: { access: 'session:read' }, schema: { tags: ['auth'] } }, async (req, reply) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? req.cookies[SESSION_COOKIE];
    if (token && !token.startsWith('tlk_')) await logout(sql, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  /** Who is signed in, and the names the console shows for them. */
  async function meOf(a: Actor) {
    const [u] =
      a.kind === 'user'
        ? await sql`select u.display_name, u.locale, p.name as party_name, p.code as party_code, t.name as tenant_name from users u
          join tenants t on t.id = u.tenant_id left join parties p on p.tenant_id = u.tenant_id and p.id = u.party_id
          where u.tenant_id = ${a.tenantId} and u.id = ${a.id}`
        : await sql`select ${a.name} as display_name, 'zh-CN' as locale, p.name as party_name, p.code as party_code, t.name as tenant_name
          from parties p join tenants t on t.id = p.tenant_id where p.tenant_id = ${a.tenantId} and p.id = ${a.partyId}`;
    return {
      user: {
        id: a.id,
        kind: a.kind,
        username: a.name,
        displayName: u?.display_name ?? a.name,
        role: a.role,
        locale: u?.locale ?? 'zh-CN',
        partyId: a.partyId,
        partyName: u?.party_name ?? null,
        partyCode: u?.party_code ?? null,
        territories: a.territories,
      },
      tenant: { code: a.tenantCode, name: u?.tenant_name ?? a.tenantCode },
      csrfHeader: CSRF_HEADER,
    };
  }

  api.get('/auth/me', { config: { access: 'session:read' }, schema: { tags: ['auth'] } }, async (req) => meOf(ctxOf(req, sql).actor));

  // The console's start: answered 200 whether or not the session cookie is (still) good, so a signed-out browser
  // logs no failed request on the login page; a client with a token or an API key asks /auth/me.
  api.get(
    '/auth/session',
    { config: { access: 'public' }, schema: { tags: ['auth'], summary: "The console session's user, or { user: null } when signed out" } },
    async (req) => {
      const cookie = req.cookies?.[SESSION_COOKIE];
      const actor = cookie ? await actorForSession(sql, cookie) : undefined;
      return actor ? meOf(actor) : { user: null };
    },
  );

  api.get(
    '/users',
    {
      config: { access: 'users:read' },
      schema: { tags: ['users'], querystring: strictObject({ ...Paging, q: Type.Optional(Type.String({ maxLength: 64 })) }) },
    },
    async (req) => listUsers(ctxOf(req, sql), req.query as { page: number; pageSize: number; q?: string }),
  );

  api.post(
    '/users',
    {
      config: { access: 'users:write' },
      schema: {
        tags: ['users'],
        body: strictObject({
          username: Type.String(),
          displayName: Type.Optional(Type.String({ maxLength: 100 })),
          password: Type.String(),
          role: Type.Union(ROLES.map((r) => Type.Literal(r))),
          partyCode: Type.Optional(Type.String()),
          locale: Type.Optional(Type.Union([Type.Literal('zh-CN'), Type.Literal('en')])),
          territories: Type.Optional(Type.Array(Type.String(), { maxItems: 500 })),
        }),
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(req, sql);
      const input = req.body as Parameters<typeof checkUser>[0];
      assertNoErrors(checkUser(input, '/body'));
      const id = await sql.begin(async (tx) => {
        const r = await insertUsers(tx, ctx.actor.tenantId, [input], (_i, f) => `/body/${f}`);
        assertNoErrors(r.errors);
        await appendAudit(tx, whoOf(ctx), {
          action: 'user.create',
          entityType: 'user',
          entityId: r.ids[0],
          details: { username: input.username, role: input.role, partyCode: input.partyCode ?? null },
        });
        return r.ids[0];
      });
      return reply.status(201).send({ id });
    },
  );

  api.get('/api-keys', { config: { access: 'apikeys:read' }, schema: { tags: ['api keys'] } }, async (req) => ({
    items: await listApiKeys(ctxOf(req, sql)),
  }));

  api.post(
    '/api-keys',
    {
      config: { access: 'apikeys:write' },
      schema: {
        tags: ['api keys'],
        summary: 'Create a device key; the key is shown once',
        body: strictObject({
          name: Type.String({ minLength: 1, maxLength: 100 }),
          partyId: Id(),
          actions: Type.Array(Type.String(), { minItems: 1, maxItems: 50 }),
        }),
      },
    },
    async (req, reply) => reply.status(201).send(await createApiKey(ctxOf(req, sql), req.body as never)),
  );

  api.delete(
    '/api-keys/:id',
    { config: { access: 'apikeys:write' }, schema: { tags: ['api keys'], params: IdParams } },
    async (req, reply) => {
      await revokeApiKey(ctxOf(req, sql), (req.params as { id: number }).id);
      return reply.status(204).send();
    },
  );
}
