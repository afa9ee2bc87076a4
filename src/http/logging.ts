import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import { normalizeStatement } from '../db/statement-observer.ts';

/**
 * The JSON log's rules: one access line per request (app.ts), each line bound to the request id; no secret
 * (passwords, tokens, API keys, cookies, the CSRF header) and no personal data (mobile numbers, e-mail
 * addresses, resident ID numbers) ever reaches it. Bodies and query strings are never logged; paths and error
 * messages are masked; errors are reduced to fields that cannot carry a statement's parameter values.
 */

const MOBILE = /(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)/g;
const RESIDENT_ID = /(?<!\d)[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dXx])/g;
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** Replaces mobile numbers, resident ID numbers and e-mail addresses in a text meant for the log. */
export function maskPersonalData(text: string): string {
  return text.replace(RESIDENT_ID, '[id-number]').replace(MOBILE, '[phone]').replace(EMAIL, '[email]');
}

/** A URL as the log may show it: the path without its query string, personal data masked. */
export function loggablePath(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // keep it as sent
  }
  return maskPersonalData(decoded).slice(0, 300);
}

const REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The request id: a sane incoming `x-request-id` (a proxy's or a client's, up to 128 safe characters) or a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Only fields that cannot carry secrets or parameter values; a PostgreSQL error keeps its code and names, not its DETAIL. */
export function serializeError(err: unknown): { type: string; message: string; stack: string; [k: string]: unknown } {
  if (!(err instanceof Error)) return { type: typeof err, message: maskPersonalData(String(err)).slice(0, 500), stack: '' };
  const e = err as Error & Record<string, unknown>;
  const out: { type: string; message: string; stack: string; [k: string]: unknown } = {
    type: e.name,
    message: maskPersonalData(e.message).slice(0, 1000),
    stack: e.stack ? maskPersonalData(e.stack).slice(0, 4000) : '',
  };
  for (const k of ['code', 'severity', 'routine', 'schema_name', 'table_name', 'column_name', 'constraint_name', 'statusCode']) {
    if (e[k] !== undefined) out[k] = e[k];
  }
  if (typeof e.query === 'string') out.statement = normalizeStatement(e.query, 500);
  if (e.cause) out.cause = serializeError(e.cause);
  return out;
}

/** Paths pino blanks wherever a caller logs an object carrying them anyway. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-throughline-csrf"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'password',
  'token',
  'apiKey',
  'secret',
  'phone',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.key',
  '*.secret',
  '*.phone',
  '*.mobile',
  '*.verificationCode',
];

/** Fastify's logger options: pino's, plus a destination stream. */
export type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** The logger's options (level, optional destination stream), with the redaction and serializers above. */
export function loggerOptions(opts: { level?: string; stream?: { write(s: string): void } } = {}): LoggerOptions {
  return {
    level: opts.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: serializeError,
      error: serializeError,
      req: (req: { method?: string; url?: string }) => ({ method: req.method, path: loggablePath(req.url ?? '') }),
      res: (res: { statusCode?: number }) => ({ status: res.statusCode }),
    },
    ...(opts.stream ? { stream: opts.stream } : {}),
  };
}
