import { Alert, App, Button, Card, Empty, Input, List, Result, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { PhoneHeader } from '../components/PhonePage.tsx';
import { formatNumber } from '../format.ts';
import { newScanId } from '../scan/codes.ts';
import { isDistributorRole } from '../types.ts';
import { useApi } from '../useApi.ts';

interface SuggestionLine {
  sku: string;
  name: string;
  onHand: number;
  inTransit: number;
  onOrder: number;
  dailyDemand: number;
  daysOfSupply: number | null;
  orderUpTo: number;
  suggested: number;
  /** units in a case of the SKU (suggestions are whole cases), null when it has none */
  caseSize: number | null;
}

interface Suggestions {
  party: { code: string; name: string };
  seller: { code: string; name: string };
  lines: SuggestionLine[];
}

interface DraftLine {
  sku: string;
  name: string;
  quantity: number;
  suggested: number | null;
  minQty: number | null;
  multipleOf: number | null;
}

interface Draft {
  id: number;
  status: 'open' | 'placed' | 'discarded';
  seller: { code: string; name: string };
  lines: DraftLine[];
}

interface Product {
  sku: string;
  nameZh: string;
  nameEn: string;
}

/** Idempotency keys for accepting the suggestions and for starting a draft by hand. */
const newKeys = () => ({ accept: newScanId(), start: newScanId() });

/** The smallest quantity the seller accepts, and the step between accepted quantities. */
function rulesOf(l: DraftLine): { step: number; min: number } {
  const step = l.multipleOf ?? 1;
  return { step, min: Math.ceil((l.minQty ?? 1) / step) * step };
}

/**
 * Ordering on a phone (390 px wide and up), by a store from its distributor or by a distributor from its supplier (the
 * title says which): the buyer's replenishment suggestions, accepted into a draft in
 * one tap, or an empty draft to the same supplier started by hand (always offered: a store with no suggestions
 * still orders); the draft's lines with steppers that move in whole cases from the minimum; products found by SKU
 * or name added at their smallest accepted quantity; then place. Placing twice is one order (the server's draft key).
 */
export function MobileOrderPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const suggestions = useApi<Suggestions>('/replenishment/suggestions');
  const openDrafts = useApi<{ items: { id: number }[] }>('/order-drafts', { status: 'open', limit: 1 });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [lines, setLines] = useState<DraftLine[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [placed, setPlaced] = useState<{ orderNo: string; status: string } | null>(null);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Product[]>([]);
  // one key per accept and per start, kept across retries of the same tap; new ones once the draft is discarded
  const [keys, setKeys] = useState(newKeys);

  const show = useCallback((d: Draft) => {
    setDraft(d);
    setLines(d.lines);
  }, []);

  useEffect(() => {
    const id = openDrafts.data?.items[0]?.id;
    if (id && !draft) api<Draft>(`/order-drafts/${id}`).then(show, (e) => setError(errorText(e)));
  }, [openDrafts.data, draft, show]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const accept = () =>
    run(async () => {
      show(
        await api<Draft>('/replenishment/suggestions/accept', { method: 'POST', body: {}, headers: { 'Idempotency-Key': keys.accept } }),
      );
    });

  // an empty draft to the store's supplier; products are then found and added as on any draft
  const start = () =>
    run(async () => {
      show(await api<Draft>('/order-drafts', { method: 'POST', body: {}, headers: { 'Idempotency-Key': keys.start } }));
    });

  const search = (q: string) =>
    run(async () => {
      setQuery(q);
      if (!q.trim()) return setFound([]);
      const r = await api<{ items: Product[] }>('/products', { query: { q: q.trim(), pageSize: 8 } });
      setFound(r.items);
    });

  const add = (sku: string) =>
    run(async () => {
      if (!draft) return;
      // keep the quantities changed on the phone: save them first, then add
      await save(draft.id);
      show(await api<Draft>(`/order-drafts/${draft.id}/lines`, { method: 'POST', body: { sku } }));
      setFound([]);
      setQuery('');
    });

  // the quantities changed on the phone, when they differ from the draft's (none empties it)
  const save = async (id: number) => {
    const body = { lines: lines.map(({ sku, quantity }) => ({ sku, quantity })) };
    const saved = draft?.lines.map(({ sku, quantity }) => ({ sku, quantity }));
    if (JSON.stringify(body.lines) !== JSON.stringify(saved)) show(await api<Draft>(`/order-drafts/${id}/lines`, { method: 'PUT', body }));
  };

  const place = () =>
    run(async () => {
      if (!draft) return;
      await save(draft.id);
      const r = await api<{ draft: Draft; order: { orderNo: string; status: string } }>(`/order-drafts/${draft.id}/place`, {
        method: 'POST',
      });
      setPlaced(r.order);
      message.success(t('mobileOrder.placed', { no: r.order.orderNo }));
    });

  const discard = () =>
    run(async () => {
      if (!draft) return;
      await api(`/order-drafts/${draft.id}/discard`, { method: 'POST' });
      setDraft(null);
      setLines([]);
      setKeys(newKeys());
      suggestions.reload();
    });

  const step = (sku: string, direction: 1 | -1) =>
    setLines((ls) =>
      ls.flatMap((l) => {
        if (l.sku !== sku) return [l];
        const r = rulesOf(l);
        const next = direction > 0 ? Math.max(r.min, l.quantity + r.step) : l.quantity - r.step;
        // below the minimum the line goes
        return next < r.min ? [] : [{ ...l, quantity: next }];
      }),
    );

  const units = lines.reduce((n, l) => n + l.quantity, 0);
  const canAccept = (suggestions.data?.lines ?? []).some((l) => l.suggested > 0);

  return (
    <div style={{ maxWidth: 520, margin: '0 auto', padding: '12px 12px 96px', minHeight: '100vh', background: '#f5f5f5' }}>
      <PhoneHeader
        title={t(isDistributorRole(me?.user.role) ? 'mobileOrder.titleDistributor' : 'mobileOrder.title')}
        subtitle={me?.user.partyName ?? suggestions.data?.party.name}
        back={{ to: '/orders', label: t('mobileOrder.console') }}
      />
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="mobile-error" /> : null}

      {placed ? (
        <Result
          status="success"
          title={t('mobileOrder.placed', { no: placed.orderNo })}
          subTitle={t(`orders.status.${placed.status}`)}
          extra={
            <Button type="primary" size="large" onClick={() => window.location.reload()}>
              {t('mobileOrder.again')}
            </Button>
          }
          data-testid="mobile-placed"
        />
      ) : draft ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text strong>{t('mobileOrder.draft', { seller: draft.seller.name })}</Typography.Text>
          {lines.length ? null : <Empty description={t('mobileOrder.emptyDraft')} />}
          {lines.map((l) => {
            const r = rulesOf(l);
            return (
              <Card key={l.sku} size="small" data-testid={`draft-line-${l.sku}`}>
                <div style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                  <div style={{ flex: 1, minWidth: 0 }}>
                    <div style={{ fontWeight: 500, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>{l.name}</div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {l.sku}
                      {r.step > 1 ? ` · ${t('mobileOrder.caseOf', { n: r.step })}` : ''}
                      {r.min > 1 ? ` · ${t('mobileOrder.minOf', { n: r.min })}` : ''}
                    </Typography.Text>
                    {l.suggested != null ? (
                      <div>
                        <Tag color="cyan">{t('mobileOrder.suggested', { n: l.suggested })}</Tag>
                      </div>
                    ) : null}
                  </div>
                  <Button
                    size="large"
                    aria-label={t('mobileOrder.less')}
                    onClick={() => step(l.sku, -1)}
                    data-testid={`draft-minus-${l.sku}`}
                  >
                    −
                  </Button>
                  <span style={{ minWidth: 40, textAlign: 'center', fontSize: 18 }} data-testid={`draft-qty-${l.sku}`}>
                    {l.quantity}
                  </span>
                  <Button
                    size="large"
                    aria-label={t('mobileOrder.more')}
                    onClick={() => step(l.sku, 1)}
                    data-testid={`draft-plus-${l.sku}`}
                  >
                    +
                  </Button>
                </div>
              </Card>
            );
          })}
          <Input.Search
            size="large"
            placeholder={t('mobileOrder.search')}
            enterButton
            allowClear
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onSearch={search}
            data-testid="draft-search"
          />
          {found.length ? (
            <List
              bordered
              style={{ background: '#fff' }}
              dataSource={found}
              renderItem={(p) => (
                <List.Item
                  actions={[
                    <Button key="add" onClick={() => add(p.sku)} disabled={busy} data-testid={`draft-add-${p.sku}`}>
                      {t('mobileOrder.add')}
                    </Button>,
                  ]}
                >
                  <List.Item.Meta title={i18n.language === 'en' ? p.nameEn : p.nameZh} description={p.sku} />
                </List.Item>
              )}
            />
          ) : null}
          <div
            style={{
              position: 'fixed',
              left: 0,
              right: 0,
              bottom: 0,
              padding: 12,
              background: '#fff',
              boxShadow: '0 -2px 8px rgba(0,0,0,0.08)',
              display: 'flex',
              gap: 8,
            }}
          >
            <Button size="large" danger onClick={discard} disabled={busy} data-testid="draft-discard">
              {t('mobileOrder.discard')}
            </Button>
            <Button size="large" type="primary" block onClick={place} loading={busy} disabled={!lines.length} data-testid="draft-place">
              {t('mobileOrder.place', { units })}
            </Button>
          </div>
        </Space>
      ) : suggestions.loading || openDrafts.loading ? (
        <div style={{ textAlign: 'center', padding: 48 }}>
          <Spin size="large" />
        </div>
      ) : suggestions.error ? (
        <Alert type="error" showIcon message={errorText(suggestions.error)} />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text strong>{t('mobileOrder.suggestions', { seller: suggestions.data?.seller.name ?? '' })}</Typography.Text>
          {(suggestions.data?.lines ?? []).length ? null : (
            <Empty
              description={
                <>
                  <div>{t('mobileOrder.noSuggestions')}</div>
                  <Typography.Text type="secondary">{t('mobileOrder.startHint')}</Typography.Text>
                </>
              }
            />
          )}
          {(suggestions.data?.lines ?? []).map((l) => (
            <Card key={l.sku} size="small" data-testid={`suggestion-${l.sku}`}>
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                <div style={{ minWidth: 0 }}>
                  <div style={{ fontWeight: 500 }}>{l.name}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('mobileOrder.stockLine', {
                      onHand: formatNumber(l.onHand),
                      coming: formatNumber(l.inTransit + l.onOrder),
                      days: l.daysOfSupply == null ? '—' : formatNumber(l.daysOfSupply),
                    })}
                  </Typography.Text>
                </div>
                <Tag color={l.suggested > 0 ? 'cyan' : 'default'} style={{ alignSelf: 'center', fontSize: 14 }}>
                  {l.suggested > 0
                    ? `+${formatNumber(l.suggested)}${l.caseSize ? t('mobileOrder.inCases', { count: l.suggested / l.caseSize }) : ''}`
                    : t('mobileOrder.enough')}
                </Tag>
              </div>
            </Card>
          ))}
          <div
            style={{
              position: 'fixed',
              left: 0,
              right: 0,
              bottom: 0,
              padding: 12,
              background: '#fff',
              boxShadow: '0 -2px 8px rgba(0,0,0,0.08)',
              display: 'flex',
              gap: 8,
            }}
          >
            <Button
              size="large"
              type={canAccept ? 'default' : 'primary'}
              block={!canAccept}
              onClick={start}
              loading={busy && !canAccept}
              disabled={busy}
              data-testid="order-start"
            >
              {t('mobileOrder.start')}
            </Button>
            {canAccept ? (
              <Button size="large" type="primary" block onClick={accept} loading={busy} data-testid="suggestions-accept">
                {t('mobileOrder.accept')}
              </Button>
            ) : null}
          </div>
        </Space>
      )}
    </div>
  );
}
