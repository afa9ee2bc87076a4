/**
 * The offline queue: scans that could not be sent (no network, a network error, 5xx/503, an expired session) wait
 * here, in IndexedDB (localStorage where IndexedDB is unavailable), across reloads. They are sent in the order they
 * were queued, each with its ORIGINAL scanId and time, so a scan whose earlier attempt did reach the server is stored
 * once (the server de-duplicates by event hash and answers 200 with newEvents 0). A 4xx answer marks an item failed:
 * it is kept for the user to read and discard, never retried.
 */
import { sendScan, storedBefore } from './submit.ts';
import type { QueueItem, ScanBody, ScanOutcome } from './types.ts';

const DB_NAME = 'throughline-scan';
const STORE = 'queue';
const LS_KEY = 'tl.scan.queue.v1';
const LOCK = 'throughline-scan-queue';
const CHANNEL = 'throughline-scan-queue';

export interface QueueState {
  items: QueueItem[];
  /** scanId being sent right now */
  sending: string | null;
  loaded: boolean;
}

let state: QueueState = { items: [], sending: null, loaded: false };
const listeners = new Set<() => void>();

function setState(next: Partial<QueueState>): void {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

export function subscribeQueue(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function queueSnapshot(): QueueState {
  return state;
}

// ---- storage -------------------------------------------------------------------------------------------------------

let dbPromise: Promise<IDBDatabase | null> | null = null;

function openDb(): Promise<IDBDatabase | null> {
  dbPromise ??= new Promise((resolve) => {
    try {
      if (typeof indexedDB === 'undefined') {
        resolve(null);
        return;
      }
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'scanId' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return dbPromise;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function lsRead(): QueueItem[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(LS_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as QueueItem[]) : [];
  } catch {
    return [];
  }
}

function lsWrite(items: QueueItem[]): void {
  localStorage.setItem(LS_KEY, JSON.stringify(items));
}

async function readAll(): Promise<QueueItem[]> {
  const db = await openDb();
  const items = db ? await request(db.transaction(STORE, 'readonly').objectStore(STORE).getAll() as IDBRequest<QueueItem[]>) : lsRead();
  return items.sort((a, b) => a.seq - b.seq);
}

/**
 * Writes to the queue so far. A read of the whole queue that began before a write may end after it (the 30-s flush,
 * another tab's news) and would put back what the write changed (a scan the user had just discarded): such a read is
 * made again (loadQueue).
 */
let writes = 0;

/**
 * Scan ids this page dropped from the queue (sent, or discarded by the user). Whatever a send or a read still in
 * flight does afterwards, such an item is never written back nor shown again: a scan the user discarded stays gone.
 */
const dropped = new Set<string>();

async function write(item: QueueItem): Promise<void> {
  if (dropped.has(item.scanId)) return;
  writes++;
  const db = await openDb();
  if (db) {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(item);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } else {
    lsWrite([...lsRead().filter((i) => i.scanId !== item.scanId), item]);
  }
}

async function erase(scanId: string): Promise<void> {
  writes++;
  const db = await openDb();
  if (db) {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(scanId);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } else {
    lsWrite(lsRead().filter((i) => i.scanId !== scanId));
  }
}

// ---- other tabs ----------------------------------------------------------------------------------------------------

const channel: BroadcastChannel | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);
channel?.addEventListener('message', () => void loadQueue());

function changed(): void {
  channel?.postMessage('changed');
}

/** Runs `fn` holding the queue lock of this origin (other tabs wait), where the Web Locks API exists. */
function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? (locks.request(LOCK, fn) as Promise<T>) : fn();
}

// ---- operations ----------------------------------------------------------------------------------------------------

/** Reads the queue from storage (on page load and when another tab changed it). */
export async function loadQueue(): Promise<QueueItem[]> {
  for (;;) {
    const before = writes;
    const stored = await readAll();
    if (writes !== before) continue;
    // one this page dropped is still stored (its deletion raced another write): deleted again, not shown
    const back = stored.filter((i) => dropped.has(i.scanId));
    for (const i of back) await erase(i.scanId);
    const items = back.length ? stored.filter((i) => !dropped.has(i.scanId)) : stored;
    setState({ items, loaded: true });
    return items;
  }
}

let lastSeq = 0;

/** Puts a scan at the end of the queue, exactly as it was built (same scanId and time). */
export async function enqueue(owner: string, body: ScanBody, lastError?: string, maybeStored = false): Promise<QueueItem> {
  const seq = Math.max(Date.now(), lastSeq + 1, ...state.items.map((i) => i.seq + 1));
  lastSeq = seq;
  const item: QueueItem = {
    scanId: body.scanId,
    seq,
    owner,
    body,
    queuedAt: new Date().toISOString(),
    status: 'pending',
    attempts: 0,
    ...(lastError ? { lastError } : {}),
    ...(maybeStored ? { maybeStored } : {}),
  };
  dropped.delete(item.scanId);
  await write(item);
  setState({ items: [...state.items.filter((i) => i.scanId !== item.scanId), item].sort((a, b) => a.seq - b.seq) });
  changed();
  return item;
}

/** Drops an item (a failed one the user has read, or a pending one the user gives up on). */
export async function discard(scanId: string): Promise<void> {
  dropped.add(scanId);
  await erase(scanId);
  setState({ items: state.items.filter((i) => i.scanId !== scanId) });
  changed();
}

export function pendingOf(items: QueueItem[], owner: string): QueueItem[] {
  return items.filter((i) => i.status === 'pending' && i.owner === owner);
}

export interface FlushReport {
  sent: { item: QueueItem; outcome: ScanOutcome }[];
  failed: QueueItem[];
  /** why it stopped before the end of the queue */
  stopped: 'offline' | 'retry' | 'unauthorized' | null;
}

/** The flush running now, and the one asked for while it runs (it starts when the running one ends). */
let flushing: Promise<FlushReport> | null = null;
let flushAfter: Promise<FlushReport> | null = null;

/**
 * Sends the owner's pending scans, oldest first. Stops at the first that cannot get through now (it and those after it
 * wait for the next try); a refused one is marked failed and the next is sent.
 *
 * Asked for while a flush runs, it answers with a flush that starts when that one ends (one for all who ask meanwhile),
 * never with the running one's report: the network may have come back (an 'online' event, the retry timer) while the
 * running flush was failing on its first scan, and that report would say "try again later" for a network that works.
 */
export function flushQueue(owner: string): Promise<FlushReport> {
  if (!flushing) return startFlush(owner);
  flushAfter ??= flushing
    .catch(() => undefined)
    .then(() => {
      flushAfter = null;
      // one started since the running one ended is as fresh
      return flushing ?? startFlush(owner);
    });
  return flushAfter;
}

function startFlush(owner: string): Promise<FlushReport> {
  const run = withLock(() => runFlush(owner)).finally(() => {
    if (flushing === run) flushing = null;
  });
  flushing = run;
  return run;
}

async function runFlush(owner: string): Promise<FlushReport> {
  const report: FlushReport = { sent: [], failed: [], stopped: null };
  const items = await loadQueue(); // another tab may have sent some
  for (const item of pendingOf(items, owner)) {
    if (navigator.onLine === false) {
      report.stopped = 'offline';
      break;
    }
    setState({ sending: item.scanId });
    const r = await sendScan(item.body);
    const tried = { ...item, attempts: item.attempts + 1, lastTriedAt: new Date().toISOString() };
    if (r.type === 'ok') {
      await discard(item.scanId);
      report.sent.push({ item, outcome: r.outcome });
      continue;
    }
    if (r.type === 'rejected' && r.status === 422 && item.maybeStored && (await storedBefore(item.body))) {
      // an earlier attempt was stored; this refusal is its own effect (e.g. "already commissioned")
      await discard(item.scanId);
      const outcome: ScanOutcome = {
        scanId: item.scanId,
        kind: item.body.kind,
        events: 0,
        newEvents: 0,
        codes: item.body.codes.length,
        warnings: [],
      };
      report.sent.push({ item, outcome });
      continue;
    }
    if (r.type === 'rejected') {
      const failed: QueueItem = { ...tried, status: 'failed', httpStatus: r.status, problem: r.problem };
      await write(failed);
      setState({ items: state.items.map((i) => (i.scanId === item.scanId ? failed : i)) });
      changed();
      report.failed.push(failed);
      continue;
    }
    const waiting: QueueItem = {
      ...tried,
      lastError: r.type === 'retry' ? r.detail : 'unauthorized',
      ...(r.type === 'retry' && r.maybeStored ? { maybeStored: true } : {}),
    };
    await write(waiting);
    setState({ items: state.items.map((i) => (i.scanId === item.scanId ? waiting : i)) });
    report.stopped = r.type;
    break;
  }
  setState({ sending: null });
  return report;
}
