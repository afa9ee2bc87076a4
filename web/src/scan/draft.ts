/** The scan being collected, one per step, kept on the device (a reload or a login in between loses nothing). */
import type { ScanKind } from './types.ts';

export interface Read {
  /** as the scanner or camera gave it */
  raw: string;
  /** as it is sent */
  code: string;
  /** equal for the same code however written */
  key: string;
}

export interface Entry extends Read {
  /** #n shown to the user, in reading order */
  id: number;
  at: number;
}

export interface Draft {
  entries: Entry[];
  parent: Read | null;
  lot: string;
  to: string;
  order: string;
  nextId: number;
}

export type Drafts = Record<ScanKind, Draft>;

export const emptyDraft = (): Draft => ({ entries: [], parent: null, lot: '', to: '', order: '', nextId: 1 });

const key = (owner: string) => `tl.scan.drafts.v1:${owner}`;

export function loadDrafts(owner: string): Partial<Drafts> {
  try {
    const parsed = JSON.parse(localStorage.getItem(key(owner)) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Partial<Drafts>) : {};
  } catch {
    return {};
  }
}

export function saveDrafts(owner: string, drafts: Partial<Drafts>): void {
  try {
    localStorage.setItem(key(owner), JSON.stringify(drafts));
  } catch {
    // storage full: the draft lives in memory only
  }
}

/** For each entry, the #id of the first entry with the same code (undefined for the first itself). */
export function duplicatesOf(entries: Entry[]): Map<number, number> {
  const first = new Map<string, number>();
  const dup = new Map<number, number>();
  for (const e of [...entries].sort((a, b) => a.id - b.id)) {
    const f = first.get(e.key);
    if (f === undefined) first.set(e.key, e.id);
    else dup.set(e.id, f);
  }
  return dup;
}

const ME_KEY = 'tl.scan.me.v1';

export interface CachedMe {
  user: { username: string; displayName: string; role: string; partyName?: string | null };
  tenant: { code: string; name: string };
}

/** Who was logged in on this page last, to keep scanning offline when the session cannot be checked. */
export function cachedMe(): CachedMe | null {
  try {
    const m = JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as CachedMe | null;
    return m?.user?.username && m.tenant?.code ? m : null;
  } catch {
    return null;
  }
}

export function rememberMe(me: CachedMe | null): void {
  try {
    if (me) {
      const { username, displayName, role, partyName } = me.user;
      localStorage.setItem(ME_KEY, JSON.stringify({ user: { username, displayName, role, partyName }, tenant: me.tenant }));
    } else localStorage.removeItem(ME_KEY);
  } catch {
    // storage unavailable
  }
}
