import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../context.ts';
import type { Sql } from '../db/connection.ts';
import { type Action, type Actor, actorForApiKey, actorForSession, isAction, roleMay } from '../modules/auth/index.ts';
import { type Locale, pickLocale } from './messages.ts';
import { AppError } from './problem.ts';

/** Every route declares who may call it: `public`, or the action it performs (roles.ts says which roles may). */
export type Access = 'public' | Action;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** read-cache topics a successful call of this (writing) route makes stale */
    invalidates?: string[];
  }
  interface FastifyRequest {
    actor: Actor | null;
    locale: Locale;
  }
}

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access;
  /** the largest body the route reads, in bytes (its own limit, else the app's) */
  bodyLimit: number;
}

export const SESSION_COOKIE = 'tl_session';
export const CSRF_HEADER = 'x-throughline-csrf';
/** Routes added by plugins (API docs UI, static console files) that are public by nature. */
const PLUGIN_PUBLIC_PREFIXES = ['/api/docs', '/assets', '/favicon'];

/**
 * Installs the one gate every request passes: a route without a declared access fails at start-up;
 * a request is authenticated (session cookie, bearer token or device API key), then checked against
 * the route's action for the actor's role and, for API keys, the key's granted actions.
 */
export function installAccessControl(app: FastifyInstance, sql: Sql): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  app.decorateRequest('actor', null);
  app.decorateRequest('locale', 'zh-CN');
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: Access };
    if (!config.access) {
      if (PLUGIN_PUBLIC_PREFIXES.some((p) => route.url.startsWith(p)) || route.url === '/*' || route.url === '/') {
        route.config = { ...(route.config ?? {}), access: 'public' };
        config.access = 'public';
      } else {
        throw new Error(`route ${route.method} ${route.url} declares no access (config.access)`);
      }
    }
    if (config.access !== 'public' && !isAction(config.access)) {
      throw new Error(`route ${route.method} ${route.url} declares an unknown action ${config.access}`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') {
        routes.push({
          method,
          url: route.url,
          access: config.access,
          bodyLimit: route.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024,
        });
      }
    }
  });
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    req.locale = pickLocale(req.headers['accept-language']);
    const access = req.routeOptions.config?.access ?? 'public';
    if (access === 'public') return;
    const { actor, via } = await authenticate(sql, req);
    if (!actor)
      throw AppError.unauthorized(via === 'none' ? 'auth.required' : via === 'key' ? 'auth.api_key_invalid' : 'auth.token_invalid');
    if (via === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.headers[CSRF_HEADER] === undefined) {
      throw new AppError(403, 'auth.csrf');
    }
    if (!roleMay(actor.role, access)) throw AppError.forbidden();
    if (actor.kind === 'api_key' && !actor.keyActions?.includes(access)) throw AppError.forbidden('access.key_scope', { action: access });
    req.actor = actor;
    void reply;
  });
  return routes;
}

async function authenticate(sql: Sql, req: FastifyRequest): Promise<{ actor?: Actor; via: 'none' | 'cookie' | 'bearer' | 'key' }> {
  const auth = req.headers.authorization;
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string') return { actor: await actorForApiKey(sql, apiKey), via: 'key' };
  if (auth?.startsWith('Bearer ')) {
    const token = auth.slice(7).trim();
    if (token.startsWith('tlk_')) return { actor: await actorForApiKey(sql, token), via: 'key' };
    return { actor: await actorForSession(sql, token), via: 'bearer' };
  }
  const cookie = req.cookies?.[SESSION_COOKIE];
  if (cookie) return { actor: await actorForSession(sql, cookie), via: 'cookie' };
  return { via: 'none' };
}

/** The context every service call takes first. Only for routes that are not public. */
export function ctxOf(req: FastifyRequest, sql: Sql): RequestContext {
  if (!req.actor) throw AppError.unauthorized();
  return { sql, actor: req.actor, locale: req.locale, ip: req.ip ?? null, requestId: String(req.id) };
}
