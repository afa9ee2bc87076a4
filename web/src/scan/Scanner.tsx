/**
 * The scanning screen: pick the step, fill its few fields, read codes (keyboard-wedge scanner into a focused input, or
 * the camera), check the list, submit. Duplicates are flagged as they are read; the server's verdict on each code is
 * shown next to it. Scans that cannot be sent now go to the offline queue.
 */
import { Alert, App as AntApp, Badge, Button, Input, type InputRef, Popconfirm, Tag, Typography } from 'antd';
import { type ClipboardEvent, type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import type { Problem, ProblemError } from '../api.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { formatFen } from '../format.ts';
import { CameraScanner, cameraAvailable, type ReadVerdict } from './Camera.tsx';
import { codeKey, GS, gtinOf, newScanId, normaliseRead } from './codes.ts';
import { type CachedMe, type Draft, type Drafts, duplicatesOf, emptyDraft, loadDrafts, saveDrafts } from './draft.ts';
import { feedback, primeFeedback } from './feedback.ts';
import { type PackInfo, packInfo } from './packaging.ts';
import { cacheForOffline } from './pwa.ts';
import { QueueDrawer } from './QueueDrawer.tsx';
import { discard as discardQueued, enqueue, flushQueue, loadQueue, pendingOf, queueSnapshot, subscribeQueue } from './queue.ts';
import { ReceiverInput } from './ReceiverInput.tsx';
import { codeIndexOf, fieldOf, sendScan } from './submit.ts';
import { kindsFor, type ScanBody, type ScanKind, type ScanOutcome } from './types.ts';

const FLUSH_EVERY_MS = 30_000;
/**
 * After a queued scan could not get through the network, the queue is tried again sooner, 1 s then doubling up to
 * 10 s, until it gets through: a device's network often comes back without an 'online' event (navigator.onLine said
 * online all along: a Wi-Fi that reconnects, a captive portal, an emulated offline mode), and 30 s is a long wait with
 * a truck at the dock.
 */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 10_000;
const ORDER_PATTERN = /^[A-Za-z0-9._-]+$/;
const TEAL = '#0f766e';
const KIND_KEY = 'tl.scan.kind';

type Field = 'lot' | 'parent' | 'to' | 'order' | 'codes';

/** What the last submission came to, shown above the list. */
type Outcome =
  | { status: 'ok'; outcome: ScanOutcome; codes: string[] }
  | { status: 'queued'; reason: 'offline' | 'retry' | 'unauthorized' | 'behind' }
  | { status: 'rejected'; problem: Problem; httpStatus: number }
  | null;

interface Verdicts {
  errors: Map<number, string[]>;
  warnings: Map<number, string[]>;
  fields: Partial<Record<Field, string[]>>;
  general: string[];
}
const unique = (list: string[]): string[] => [...new Set(list)];
const noVerdicts = (): Verdicts => ({ errors: new Map(), warnings: new Map(), fields: {}, general: [] });

function useOnline(): boolean {
  return useSyncExternalStore(
    (cb) => {
      window.addEventListener('online', cb);
      window.addEventListener('offline', cb);
      return () => {
        window.removeEventListener('online', cb);
        window.removeEventListener('offline', cb);
      };
    },
    () => navigator.onLine,
  );
}

/** Whether the soft keyboard should stay down for the wedge input (touch devices: the scanner types, not the user). */
function coarsePointer(): boolean {
  try {
    return window.matchMedia('(pointer: coarse)').matches;
  } catch {
    return false;
  }
}

function isTypingTarget(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el as HTMLElement).isContentEditable;
}

function Entries({ draft, verdicts, onRemove }: { draft: Draft; verdicts: Verdicts; onRemove: (id: number) => void }) {
  const { t } = useTranslation();
  const dup = useMemo(() => duplicatesOf(draft.entries), [draft.entries]);
  if (!draft.entries.length) {
    return (
      <div data-testid="scan-empty" style={{ textAlign: 'center', color: '#9ca3af', padding: '24px 0' }}>
        {t('scan.empty')}
      </div>
    );
  }
  return (
    <div data-testid="scan-list">
      {[...draft.entries].reverse().map((e) => {
        const first = dup.get(e.id);
        const isParent = draft.parent?.key === e.key;
        const errors = verdicts.errors.get(e.id) ?? [];
        const warnings = verdicts.warnings.get(e.id) ?? [];
        const bad = errors.length > 0;
        const flagged = first !== undefined || isParent;
        return (
          <div
            key={e.id}
            data-testid="scan-entry"
            data-code={e.code}
            data-state={bad ? 'error' : flagged ? 'duplicate' : warnings.length ? 'warning' : 'ok'}
            style={{
              background: bad ? '#fff1f0' : flagged ? '#fff7e6' : '#fff',
              border: '1px solid #e5e7eb',
              borderLeft: `4px solid ${bad ? '#cf1322' : flagged ? '#fa8c16' : warnings.length ? '#faad14' : TEAL}`,
              borderRadius: 8,
              padding: '8px 8px 8px 12px',
              marginBottom: 6,
            }}
          >
            <div style={{ display: 'flex', alignItems: 'flex-start', gap: 8 }}>
              <span style={{ color: '#9ca3af', minWidth: 28, fontVariantNumeric: 'tabular-nums' }}>#{e.id}</span>
              <span data-testid="scan-entry-code" style={{ flex: 1, fontFamily: 'monospace', fontSize: 13, wordBreak: 'break-all' }}>
                {e.code}
              </span>
              <Button
                type="text"
                danger
                aria-label={t('scan.remove')}
                data-testid="scan-entry-remove"
                onClick={() => onRemove(e.id)}
                style={{ minWidth: 40, height: 40 }}
              >
                ✕
              </Button>
            </div>
            {first !== undefined ? (
              <Tag color="orange" data-testid="scan-entry-duplicate" style={{ marginTop: 4 }}>
                {t('scan.duplicateOf', { n: first })}
              </Tag>
            ) : null}
            {isParent ? (
              <Tag color="orange" data-testid="scan-entry-duplicate" style={{ marginTop: 4 }}>
                {t('scan.isParent')}
              </Tag>
            ) : null}
            {errors.map((m) => (
              <div
                key={m}
                data-testid="scan-entry-error"
                style={{ color: '#cf1322', fontSize: 13, marginTop: 4, overflowWrap: 'anywhere' }}
              >
                {m}
              </div>
            ))}
            {warnings.map((m) => (
              <div
                key={m}
                data-testid="scan-entry-warning"
                style={{ color: '#ad6800', fontSize: 13, marginTop: 4, overflowWrap: 'anywhere' }}
              >
                {m}
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}

function FieldErrors({ messages, testId }: { messages: string[] | undefined; testId: string }) {
  if (!messages?.length) return null;
  return (
    <div data-testid={testId} style={{ color: '#cf1322', fontSize: 13, marginTop: 2, overflowWrap: 'anywhere' }}>
      {messages.join('；')}
    </div>
  );
}

/** What the scan earned (a clerk's sell bonus, a store's open-case reward, a distributor's receipt rebate), at once. */
function Earned({ earnings }: { earnings: NonNullable<ScanOutcome['earnings']> }) {
  const { t } = useTranslation();
  return (
    <div data-testid="scan-result-earned" style={{ fontWeight: 600, marginBottom: 4 }}>
      {earnings.paidFen > 0
        ? t(`scan.result.earned.${earnings.payee}`, { amount: formatFen(earnings.paidFen) })
        : t('scan.result.earned.none', { count: earnings.refused.length })}
    </div>
  );
}

/** The order a ship or receive scan fulfilled: its number, its status now, the units of this scan. */
function FulfilledOrder({ order }: { order: NonNullable<ScanOutcome['order']> }) {
  const { t } = useTranslation();
  const units = Object.values(order.units).reduce((n, u) => n + u, 0);
  return (
    <div data-testid="scan-result-order" style={{ fontWeight: 600, marginBottom: 4 }}>
      {t('scan.result.order', { orderNo: order.orderNo, status: t(`orders.status.${order.status}`, order.status), count: units })}
      {order.over ? <div style={{ fontWeight: 400 }}>{t('scan.result.orderOver', { count: order.over })}</div> : null}
    </div>
  );
}

export function Scanner({ me, offlineSession, onLogout }: { me: CachedMe; offlineSession: boolean; onLogout: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const owner = `${me.tenant.code}/${me.user.username}`;
  const kinds = useMemo(() => kindsFor(me.user.role), [me.user.role]);
  const [kind, setKindState] = useState<ScanKind>(() => {
    let stored: ScanKind | null = null;
    try {
      stored = localStorage.getItem(KIND_KEY) as ScanKind | null;
    } catch {
      // storage unavailable: start with the first step
    }
    return stored && kinds.includes(stored) ? stored : (kinds[0] ?? 'commission');
  });
  const draftsRef = useRef<Partial<Drafts>>(loadDrafts(owner));
  const [drafts, setDrafts] = useState<Partial<Drafts>>(draftsRef.current);
  const draft = drafts[kind] ?? emptyDraft();
  const [verdicts, setVerdicts] = useState<Verdicts>(noVerdicts);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [submitting, setSubmitting] = useState(false);
  const [wedge, setWedge] = useState('');
  const [cameraOpen, setCameraOpen] = useState(false);
  const [queueOpen, setQueueOpen] = useState(false);
  const [keyboard, setKeyboard] = useState(() => !coarsePointer());
  const [pack, setPack] = useState<PackInfo | null>(null);
  const wedgeRef = useRef<InputRef>(null);
  const online = useOnline();
  const queue = useSyncExternalStore(subscribeQueue, queueSnapshot);
  const pending = pendingOf(queue.items, owner).length;
  const failed = queue.items.filter((i) => i.status === 'failed' && i.owner === owner).length;

  const focusWedge = useCallback(() => {
    wedgeRef.current?.focus({ preventScroll: true });
  }, []);

  const updateDraft = useCallback(
    (k: ScanKind, fn: (d: Draft) => Draft) => {
      const next = { ...draftsRef.current, [k]: fn(draftsRef.current[k] ?? emptyDraft()) };
      draftsRef.current = next;
      setDrafts(next);
      saveDrafts(owner, next);
    },
    [owner],
  );

  const setKind = (k: ScanKind) => {
    setKindState(k);
    setVerdicts(noVerdicts());
    setOutcome(null);
    try {
      localStorage.setItem(KIND_KEY, k);
    } catch {
      // remembered for this page only
    }
    setTimeout(focusWedge, 0);
  };

  // ---- the offline queue: load, then send on load, when the network returns, every 30 s, and soon after a failed try --
  const retry = useRef<{ timer?: ReturnType<typeof setTimeout>; delay: number }>({ delay: RETRY_FIRST_MS });
  const flush = useCallback(async () => {
    if (!navigator.onLine) return;
    const report = await flushQueue(owner);
    if (report.sent.length) message.success(t('scan.queue.sent', { count: report.sent.length }));
    if (report.failed.length) message.error(t('scan.queue.failedN', { count: report.failed.length }));
    clearTimeout(retry.current.timer);
    if (report.stopped === 'retry') {
      retry.current.timer = setTimeout(() => void flushNow.current(), retry.current.delay);
      retry.current.delay = Math.min(RETRY_MAX_MS, retry.current.delay * 2);
    } else retry.current.delay = RETRY_FIRST_MS;
  }, [owner, message, t]);
  const flushNow = useRef(flush);
  flushNow.current = flush;

  useEffect(() => {
    void loadQueue().then(() => flush());
    const onOnline = () => void flush();
    window.addEventListener('online', onOnline);
    const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
    const pending = retry.current;
    return () => {
      window.removeEventListener('online', onOnline);
      clearInterval(timer);
      clearTimeout(pending.timer);
    };
  }, [flush]);

  // ---- focus stays on the wedge input (a scanner types into whatever has focus) ----------------------------------
  useEffect(() => {
    focusWedge();
  }, [focusWedge]);
  const onWedgeBlur = () => {
    setTimeout(() => {
      if (cameraOpen || queueOpen) return;
      const active = document.activeElement;
      if (isTypingTarget(active) || document.querySelector('.ant-popover:not(.ant-popover-hidden)')) return;
      focusWedge();
    }, 0);
  };

  // ---- expected children of the case/pallet being packed -------------------------------------------------------
  const parentGtin = draft.parent ? gtinOf(draft.parent.code) : null;
  useEffect(() => {
    setPack(null);
    if (kind !== 'pack' || !parentGtin) return;
    const controller = new AbortController();
    packInfo(parentGtin, controller.signal)
      .then((info) => setPack(info))
      .catch(() => setPack(null));
    return () => controller.abort();
  }, [kind, parentGtin]);

  // ---- reading ---------------------------------------------------------------------------------------------------
  const addRead = useCallback(
    (text: string): ReadVerdict | null => {
      const code = normaliseRead(text);
      if (!code) return null;
      const key = codeKey(code);
      const current = draftsRef.current[kind] ?? emptyDraft();
      setOutcome((o) => (o?.status === 'rejected' ? o : null));
      if ((kind === 'pack' || kind === 'unpack') && !current.parent) {
        updateDraft(kind, (d) => ({ ...d, parent: { raw: text, code, key } }));
        setVerdicts((v) => ({ ...v, fields: { ...v.fields, parent: undefined } }));
        feedback('ok');
        return 'parent';
      }
      const duplicate = current.entries.some((e) => e.key === key) || current.parent?.key === key;
      updateDraft(kind, (d) => ({
        ...d,
        entries: [...d.entries, { id: d.nextId, raw: text, code, key, at: Date.now() }],
        nextId: d.nextId + 1,
      }));
      feedback(duplicate ? 'warn' : 'ok');
      return duplicate ? 'duplicate' : 'added';
    },
    [kind, updateDraft],
  );

  const commitWedge = () => {
    const text = wedge;
    setWedge('');
    if (text.trim()) addRead(text);
  };

  const onWedgeKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (e.key === 'Enter' || (e.key === 'Tab' && wedge.trim())) {
      e.preventDefault();
      commitWedge();
      return;
    }
    // a GS1 scanner in keyboard mode sends FNC1/GS as Ctrl+]
    if (e.ctrlKey && (e.key === ']' || e.code === 'BracketRight' || e.key === '\u001d')) {
      e.preventDefault();
      const el = e.currentTarget;
      const at = el.selectionStart ?? wedge.length;
      setWedge(`${wedge.slice(0, at)}${GS}${wedge.slice(el.selectionEnd ?? at)}`);
    }
  };

  const onWedgePaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const text = e.clipboardData.getData('text');
    if (!/[\r\n]/.test(text)) return;
    e.preventDefault();
    for (const line of text.split(/[\r\n]+/)) if (line.trim()) addRead(line);
  };

  const removeEntry = (id: number) => {
    updateDraft(kind, (d) => ({ ...d, entries: d.entries.filter((e) => e.id !== id) }));
    setVerdicts((v) => {
      const errors = new Map(v.errors);
      errors.delete(id);
      return { ...v, errors };
    });
    focusWedge();
  };

  const clearDraft = () => {
    updateDraft(kind, (d) => ({ ...emptyDraft(), lot: d.lot, to: d.to }));
    setVerdicts(noVerdicts());
    setOutcome(null);
    focusWedge();
  };

  // ---- submitting ------------------------------------------------------------------------------------------------
  const dup = duplicatesOf(draft.entries);
  const sendable = draft.entries.filter((e) => !dup.has(e.id) && e.key !== draft.parent?.key);
  const duplicateCount = draft.entries.length - sendable.length;

  const validate = (): Partial<Record<Field, string[]>> => {
    const f: Partial<Record<Field, string[]>> = {};
    const need = (field: Field, label: string) => {
      f[field] = [t('scan.required', { field: label })];
    };
    if (kind === 'commission') {
      if (!draft.lot.trim()) need('lot', t('scan.fields.lot'));
      else if (draft.lot.trim().length > 20) f.lot = [t('scan.lotTooLong')];
    }
    if ((kind === 'pack' || kind === 'unpack') && !draft.parent) need('parent', t('scan.fields.parent'));
    // a ship scan naming an order goes to the order's buyer: the receiver may be left out then
    if (kind === 'ship' && !draft.to.trim() && !draft.order.trim()) need('to', t('scan.fields.to'));
    if ((kind === 'ship' || kind === 'receive') && draft.order.trim() && !ORDER_PATTERN.test(draft.order.trim()))
      f.order = [t('scan.orderInvalid')];
    if (!sendable.length) f.codes = [t('scan.nothingToSubmit')];
    return f;
  };

  const buildBody = (): ScanBody => {
    const body: ScanBody = { scanId: newScanId(), kind, at: new Date().toISOString(), codes: sendable.map((e) => e.code) };
    if (kind === 'commission') body.lot = draft.lot.trim();
    if ((kind === 'pack' || kind === 'unpack') && draft.parent) body.parent = draft.parent.code;
    if (kind === 'ship' && draft.to.trim()) body.to = draft.to.trim();
    if ((kind === 'ship' || kind === 'receive') && draft.order.trim()) body.order = draft.order.trim();
    return body;
  };

  /** After a scan is stored or queued: the codes go, the context (lot, receiver) stays for the next one. */
  const resetAfterSubmit = () => {
    updateDraft(kind, (d) => ({ ...emptyDraft(), lot: d.lot, to: d.to, nextId: 1 }));
    setVerdicts(noVerdicts());
  };

  const queueIt = async (body: ScanBody, reason: 'offline' | 'retry' | 'unauthorized' | 'behind', detail?: string, maybeStored = false) => {
    await enqueue(owner, body, detail, maybeStored);
    resetAfterSubmit();
    setOutcome({ status: 'queued', reason });
    feedback('ok');
  };

  const submit = async () => {
    const problems = validate();
    if (Object.keys(problems).length) {
      setVerdicts((v) => ({ ...v, fields: problems, general: [] }));
      feedback('warn');
      focusWedge();
      return;
    }
    const body = buildBody();
    const entryOf = sendable.map((e) => e.id);
    setSubmitting(true);
    try {
      if (!navigator.onLine) {
        await queueIt(body, 'offline');
        return;
      }
      // scans go in order: while older ones wait in the queue, this one waits behind them
      if (pendingOf(queueSnapshot().items, owner).length) {
        await flush();
        if (pendingOf(queueSnapshot().items, owner).length) {
          await queueIt(body, 'behind');
          void flush();
          return;
        }
      }
      const r = await sendScan(body);
      if (r.type === 'ok') {
        const codes = body.codes;
        resetAfterSubmit();
        setOutcome({ status: 'ok', outcome: r.outcome, codes });
        feedback(r.outcome.warnings.length ? 'warn' : 'ok');
        return;
      }
      if (r.type === 'retry') {
        await queueIt(body, navigator.onLine ? 'retry' : 'offline', r.detail, r.maybeStored);
        return;
      }
      if (r.type === 'unauthorized') {
        await queueIt(body, 'unauthorized');
        return;
      }
      // refused: show each problem where it belongs; the list stays for the user to fix
      const v = noVerdicts();
      for (const err of r.problem.errors ?? []) {
        const text = err.detail ?? err.code ?? '';
        const idx = codeIndexOf(err.pointer);
        const entryId = idx === null ? undefined : entryOf[idx];
        const field = fieldOf(err.pointer);
        if (entryId !== undefined) v.errors.set(entryId, unique([...(v.errors.get(entryId) ?? []), text]));
        else if (field) v.fields[field] = unique([...(v.fields[field] ?? []), text]);
        else v.general.push(text);
      }
      setVerdicts(v);
      setOutcome({ status: 'rejected', problem: r.problem, httpStatus: r.status });
      feedback('warn');
    } finally {
      setSubmitting(false);
      focusWedge();
    }
  };

  const warningsByCode = (o: Extract<Outcome, { status: 'ok' }>): { code: string | null; text: string }[] =>
    o.outcome.warnings.map((w: ProblemError) => {
      const idx = codeIndexOf(w.pointer);
      return { code: idx === null ? null : (o.codes[idx] ?? null), text: w.detail ?? w.code ?? '' };
    });

  // the camera fallback decoder's files: keep them for offline use once the worker runs
  const openCamera = () => {
    primeFeedback();
    setCameraOpen(true);
    if (!('BarcodeDetector' in window)) void import('./zxing.ts').then((z) => cacheForOffline([z.ZXING_WASM_URL]));
  };

  const place = me.user.partyName ?? me.tenant.name;
  const showOrder = kind === 'ship' || kind === 'receive';
  const bigButton = { height: 52, fontSize: 16 };

  return (
    <div
      data-testid="scan-page"
      style={{ minHeight: '100dvh', background: '#f5f7f7', display: 'flex', flexDirection: 'column', maxWidth: 640, margin: '0 auto' }}
    >
      <header style={{ background: TEAL, color: '#fff', padding: '10px 12px 8px' }}>
        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
          <div style={{ minWidth: 0 }}>
            <div style={{ fontSize: 18, fontWeight: 600 }}>{t('scan.title')}</div>
            <div
              data-testid="scan-user"
              style={{ fontSize: 12, opacity: 0.85, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
            >
              {me.user.displayName} · {place}
            </div>
          </div>
          <Badge count={pending} offset={[-4, 4]}>
            <Button
              size="large"
              onClick={() => setQueueOpen(true)}
              data-testid="queue-open"
              data-pending={pending}
              data-failed={failed}
              style={{ height: 44, background: failed ? '#fff1f0' : '#fff', borderColor: failed ? '#cf1322' : undefined }}
            >
              {t('scan.queue.button')}
              {failed ? (
                <Tag color="error" data-testid="queue-failed-count" style={{ marginInlineStart: 6, marginInlineEnd: 0 }}>
                  {failed}
                </Tag>
              ) : null}
            </Button>
          </Badge>
        </div>
        {/* thumb-sized (40 px) and apart: the language, then the store's "one more" page and logging out on the right;
            a row that cannot fit (a large system font) wraps rather than overlapping */}
        <div style={{ display: 'flex', alignItems: 'center', flexWrap: 'wrap', gap: 8, marginTop: 8 }}>
          <LangSwitch size="large" />
          <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginInlineStart: 'auto' }}>
            {/* a store honours the "one more" (再来一瓶) prizes consumers win: redeemed on a page of its own */}
            {me.user.role === 'store_owner' || me.user.role === 'store_clerk' ? (
              <Button
                ghost
                href="/m/one-more?from=scan"
                title={t('oneMore.title')}
                style={{ height: 40, paddingInline: 12 }}
                data-testid="scan-one-more"
              >
                {t('scan.oneMore')}
              </Button>
            ) : null}
            <Button type="text" onClick={onLogout} style={{ height: 40, paddingInline: 8, color: '#fff' }} data-testid="scan-logout">
              {t('header.logout')}
            </Button>
          </div>
        </div>
      </header>

      {!online || offlineSession ? (
        <Alert
          type="warning"
          banner
          data-testid="scan-offline"
          title={offlineSession ? t('scan.offlineSession') : t('scan.offline')}
          style={{ fontSize: 14 }}
        />
      ) : null}

      <main style={{ padding: 12, flex: 1, paddingBottom: 96 }}>
        <div
          role="tablist"
          aria-label={t('scan.kindLabel')}
          style={{ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(0, 1fr))', gap: 8, marginBottom: 12 }}
        >
          {kinds.map((k) => (
            <Button
              key={k}
              role="tab"
              aria-selected={k === kind}
              data-testid={`scan-kind-${k}`}
              type={k === kind ? 'primary' : 'default'}
              onClick={() => setKind(k)}
              style={{ ...bigButton, paddingInline: 4 }}
            >
              {t(`scan.kinds.${k}`)}
            </Button>
          ))}
        </div>

        <Typography.Paragraph type="secondary" style={{ marginBottom: 8, fontSize: 13 }}>
          {t(`scan.kindHint.${kind}`)}
        </Typography.Paragraph>

        {kind === 'commission' ? (
          <div style={{ marginBottom: 10 }}>
            <label htmlFor="scan-lot" style={{ display: 'block', marginBottom: 4 }}>
              {t('scan.fields.lot')}
            </label>
            <Input
              id="scan-lot"
              size="large"
              data-testid="scan-lot"
              maxLength={20}
              value={draft.lot}
              placeholder={t('scan.fields.lotPlaceholder')}
              status={verdicts.fields.lot ? 'error' : undefined}
              onChange={(e) => updateDraft(kind, (d) => ({ ...d, lot: e.target.value }))}
              onPressEnter={focusWedge}
              autoComplete="off"
            />
            <FieldErrors messages={verdicts.fields.lot} testId="scan-lot-error" />
          </div>
        ) : null}

        {kind === 'pack' || kind === 'unpack' ? (
          <div
            data-testid="scan-parent"
            style={{
              marginBottom: 10,
              padding: 10,
              borderRadius: 8,
              background: draft.parent ? '#ecfdf5' : '#fff',
              border: `1px dashed ${verdicts.fields.parent ? '#cf1322' : TEAL}`,
            }}
          >
            <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: 8 }}>
              <div style={{ minWidth: 0 }}>
                <div style={{ fontSize: 12, color: '#6b7280' }}>{t('scan.fields.parent')}</div>
                {draft.parent ? (
                  <div data-testid="scan-parent-code" style={{ fontFamily: 'monospace', fontSize: 13, wordBreak: 'break-all' }}>
                    {draft.parent.code}
                  </div>
                ) : (
                  <div style={{ fontWeight: 600 }}>{t('scan.fields.parentWaiting')}</div>
                )}
              </div>
              {draft.parent ? (
                <Button
                  size="large"
                  data-testid="scan-parent-clear"
                  onClick={() => {
                    updateDraft(kind, (d) => ({ ...d, parent: null }));
                    focusWedge();
                  }}
                >
                  {t('scan.rescanParent')}
                </Button>
              ) : null}
            </div>
            <FieldErrors messages={verdicts.fields.parent} testId="scan-parent-error" />
          </div>
        ) : null}

        {kind === 'ship' ? (
          <div style={{ marginBottom: 10 }}>
            <label htmlFor="scan-to" style={{ display: 'block', marginBottom: 4 }}>
              {t('scan.fields.to')}
            </label>
            <ReceiverInput
              id="scan-to"
              value={draft.to}
              onChange={(v) => updateDraft(kind, (d) => ({ ...d, to: v }))}
              onDone={focusWedge}
            />
            <FieldErrors messages={verdicts.fields.to} testId="scan-to-error" />
          </div>
        ) : null}

        {showOrder ? (
          <div style={{ marginBottom: 10 }}>
            <label htmlFor="scan-order" style={{ display: 'block', marginBottom: 4 }}>
              {t('scan.fields.order')}
            </label>
            <Input
              id="scan-order"
              size="large"
              data-testid="scan-order"
              maxLength={60}
              placeholder={kind === 'ship' ? t('scan.fields.orderShip') : t('scan.fields.orderReceive')}
              value={draft.order}
              status={verdicts.fields.order ? 'error' : undefined}
              onChange={(e) => updateDraft(kind, (d) => ({ ...d, order: e.target.value }))}
              onPressEnter={focusWedge}
              autoComplete="off"
            />
            <FieldErrors messages={verdicts.fields.order} testId="scan-order-error" />
          </div>
        ) : null}

        <div style={{ display: 'flex', gap: 8, marginBottom: 8 }}>
          <Input
            ref={wedgeRef}
            size="large"
            data-testid="scan-input"
            aria-label={t('scan.inputLabel')}
            placeholder={t('scan.inputPlaceholder')}
            value={wedge}
            onChange={(e) => setWedge(e.target.value)}
            onKeyDown={onWedgeKeyDown}
            onPaste={onWedgePaste}
            onBlur={onWedgeBlur}
            inputMode={keyboard ? 'text' : 'none'}
            enterKeyHint="enter"
            autoComplete="off"
            autoCapitalize="off"
            autoCorrect="off"
            spellCheck={false}
            style={{ height: 52, fontFamily: 'monospace' }}
            suffix={
              <Button
                type="text"
                size="small"
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  setKeyboard((k) => !k);
                  focusWedge();
                }}
                data-testid="scan-keyboard"
                aria-pressed={keyboard}
              >
                {t('scan.keyboard')}
              </Button>
            }
          />
          <Button
            type="primary"
            size="large"
            data-testid="camera-open"
            onClick={openCamera}
            disabled={!cameraAvailable()}
            style={{ ...bigButton, minWidth: 84 }}
          >
            {t('scan.camera.open')}
          </Button>
        </div>

        <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 8 }}>
          <span data-testid="scan-count" style={{ fontSize: 16, fontWeight: 600 }}>
            {kind === 'pack' && pack
              ? t('scan.countOf', { count: sendable.length, expected: pack.quantity })
              : t('scan.count', { count: sendable.length })}
            {kind === 'pack' && pack ? (
              <Tag
                color={sendable.length === pack.quantity ? 'success' : sendable.length > pack.quantity ? 'error' : 'processing'}
                style={{ marginInlineStart: 8 }}
                data-testid="scan-pack-state"
              >
                {sendable.length === pack.quantity
                  ? t('scan.packFull')
                  : sendable.length > pack.quantity
                    ? t('scan.packOver', { count: sendable.length - pack.quantity })
                    : t('scan.packLeft', { count: pack.quantity - sendable.length })}
              </Tag>
            ) : null}
          </span>
          {duplicateCount ? (
            <Tag color="orange" data-testid="scan-duplicates">
              {t('scan.duplicates', { count: duplicateCount })}
            </Tag>
          ) : null}
        </div>

        {outcome?.status === 'ok' ? (
          <Alert
            data-testid="scan-result"
            data-status="ok"
            type={outcome.outcome.warnings.length ? 'warning' : 'success'}
            showIcon
            style={{ marginBottom: 8 }}
            title={
              outcome.outcome.newEvents === 0
                ? t('scan.result.replay')
                : t('scan.result.ok', {
                    codes: t('scan.result.codeCount', { count: outcome.outcome.codes }),
                    events: t('scan.result.eventCount', { count: outcome.outcome.events }),
                  })
            }
            description={
              outcome.outcome.warnings.length || outcome.outcome.earnings || outcome.outcome.order ? (
                <>
                  {outcome.outcome.order ? <FulfilledOrder order={outcome.outcome.order} /> : null}
                  {outcome.outcome.earnings ? <Earned earnings={outcome.outcome.earnings} /> : null}
                  {outcome.outcome.warnings.length ? (
                    <div data-testid="scan-result-warnings">
                      {warningsByCode(outcome).map((w) => (
                        <div key={`${w.code}|${w.text}`} style={{ wordBreak: 'break-all', fontSize: 13 }}>
                          {w.code ? <span style={{ fontFamily: 'monospace' }}>{w.code}：</span> : null}
                          {w.text}
                        </div>
                      ))}
                    </div>
                  ) : null}
                </>
              ) : undefined
            }
          />
        ) : null}
        {outcome?.status === 'queued' ? (
          <Alert
            data-testid="scan-result"
            data-status="queued"
            type="info"
            showIcon
            style={{ marginBottom: 8 }}
            title={outcome.reason === 'unauthorized' ? t('scan.result.queuedAuth') : t('scan.result.queued')}
          />
        ) : null}
        {outcome?.status === 'rejected' ? (
          <Alert
            data-testid="scan-result"
            data-status="rejected"
            type="error"
            showIcon
            style={{ marginBottom: 8 }}
            title={outcome.problem.detail ?? outcome.problem.title ?? `HTTP ${outcome.httpStatus}`}
            description={
              verdicts.general.length || verdicts.fields.codes?.length ? (
                <div data-testid="scan-result-errors" style={{ overflowWrap: 'anywhere' }}>
                  {unique([...verdicts.general, ...(verdicts.fields.codes ?? [])]).map((m) => (
                    <div key={m}>{m}</div>
                  ))}
                </div>
              ) : undefined
            }
          />
        ) : null}
        {!outcome && verdicts.fields.codes ? <FieldErrors messages={verdicts.fields.codes} testId="scan-codes-error" /> : null}

        <Entries draft={draft} verdicts={verdicts} onRemove={removeEntry} />
      </main>

      <footer
        style={{
          position: 'sticky',
          bottom: 0,
          background: '#fff',
          borderTop: '1px solid #e5e7eb',
          padding: '10px 12px calc(10px + env(safe-area-inset-bottom))',
          display: 'flex',
          gap: 8,
        }}
      >
        <Popconfirm
          title={t('scan.clearConfirm')}
          onConfirm={clearDraft}
          okText={t('scan.clear')}
          disabled={!draft.entries.length && !draft.parent}
        >
          <Button size="large" style={bigButton} disabled={!draft.entries.length && !draft.parent} data-testid="scan-clear">
            {t('scan.clear')}
          </Button>
        </Popconfirm>
        <Button
          type="primary"
          size="large"
          block
          loading={submitting}
          onClick={() => void submit()}
          data-testid="scan-submit"
          style={{ ...bigButton, fontSize: 18 }}
        >
          {sendable.length ? t('scan.submitN', { count: sendable.length }) : t('scan.submit')}
        </Button>
      </footer>

      {cameraOpen ? (
        <CameraScanner
          onRead={(text) => addRead(text) ?? 'duplicate'}
          onClose={() => {
            setCameraOpen(false);
            setTimeout(focusWedge, 0);
          }}
        />
      ) : null}
      <QueueDrawer
        open={queueOpen}
        onClose={() => {
          setQueueOpen(false);
          setTimeout(focusWedge, 0);
        }}
        items={queue.items}
        owner={owner}
        sending={queue.sending}
        online={online}
        onSendNow={() => void flush()}
        onDiscard={(id) => void discardQueued(id)}
      />
    </div>
  );
}
