import { ApiError, api, isRetryStatus, type Problem } from '../api.ts';
import type { ScanBody, ScanOutcome } from './types.ts';

/** What became of one attempt to send a scan. */
export type SendResult =
  | { type: 'ok'; outcome: ScanOutcome }
  /** the server refused it (4xx): sending it again would not help */
  | { type: 'rejected'; status: number; problem: Problem }
  /** the session is gone: send it again after logging in */
  | { type: 'unauthorized' }
  /**
   * offline, network error, timeout, 5xx, 429: send it again later, unchanged. `maybeStored`: the request may have
   * reached the server and been stored (the answer was lost), so a later refusal may be this very scan's effect.
   */
  | { type: 'retry'; status: number; detail: string; maybeStored: boolean };

const TIMEOUT_MS = 30_000;

/** POST /api/v1/scans (session cookie + CSRF header + Accept-Language, as every console call). */
export async function sendScan(body: ScanBody): Promise<SendResult> {
  if (typeof navigator !== 'undefined' && navigator.onLine === false)
    return { type: 'retry', status: 0, detail: 'offline', maybeStored: false };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const outcome = await api<ScanOutcome>('/scans', { method: 'POST', body, signal: controller.signal });
    return { type: 'ok', outcome };
  } catch (e) {
    if (e instanceof ApiError) {
      if (e.status === 401) return { type: 'unauthorized' };
      if (isRetryStatus(e.status)) {
        // a 5xx may come after the scan was stored (a proxy timing out); 408/429 were not processed
        const detail = e.problem.detail ?? e.problem.title ?? `HTTP ${e.status}`;
        return { type: 'retry', status: e.status, detail, maybeStored: e.status >= 500 };
      }
      return { type: 'rejected', status: e.status, problem: e.problem };
    }
    // fetch failed (offline, connection reset, DNS) or timed out: the scan may or may not have reached the server
    return { type: 'retry', status: 0, detail: e instanceof Error ? e.message : String(e), maybeStored: true };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the server already holds this scan's events (event id `urn:uuid:<scanId>`), read from the journey of its
 * first code. For a queued scan whose earlier attempt may have been stored: the server answers a repeated commission
 * (or ship, unpack) with 422 "already commissioned" (in transit, not in the case) instead of 200 with newEvents 0.
 */
export async function storedBefore(body: ScanBody): Promise<boolean> {
  const code = body.codes[0] ?? body.parent;
  if (!code) return false;
  try {
    const journey = await api<unknown>(`/codes/${encodeURIComponent(code)}/journey`);
    return JSON.stringify(journey).includes(`"urn:uuid:${body.scanId}`);
  } catch {
    return false;
  }
}

/** The index in `codes` a problem pointer names (`/body/codes/3` -> 3), or null. */
export function codeIndexOf(pointer: string | undefined): number | null {
  const m = /^\/body\/codes\/(\d+)$/.exec(pointer ?? '');
  return m ? Number(m[1]) : null;
}

/** The body field a problem pointer names (`/body/lot` -> lot), or null for codes and unknown pointers. */
export function fieldOf(pointer: string | undefined): 'lot' | 'parent' | 'to' | 'order' | 'codes' | null {
  const m = /^\/body\/(lot|parent|to|order|codes)$/.exec(pointer ?? '');
  return m ? (m[1] as 'lot' | 'parent' | 'to' | 'order' | 'codes') : null;
}
