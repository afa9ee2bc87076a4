import { loginAs } from './app.ts';

/** An API answer as the tests read it: status, content type and the JSON body. */
export interface ApiAnswer {
  status: number;
  type: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers field by field
  body: Record<string, any>;
}

/**
 * Calls the API as a demo user, logged in once per user (tokens kept in `tokens`), JSON in and JSON out.
 * `baseUrl` is read at each call: the server starts in the test file's beforeAll.
 */
export function apiClient(baseUrl: () => string, tokens: Record<string, string> = {}) {
  return async function call(
    user: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> {
    tokens[user] ??= await loginAs(baseUrl(), user);
    const r = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, type: r.headers.get('content-type') ?? '', body: (await r.json()) as ApiAnswer['body'] };
  };
}

/** The field errors of a problem+json answer as [pointer, code] pairs. */
export const problems = (r: { body: ApiAnswer['body'] }): [string, string][] =>
  (r.body.errors ?? []).map((e: { pointer: string; code: string }) => [e.pointer, e.code]);
