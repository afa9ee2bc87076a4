import { Segmented, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadError } from '../components/PageState.tsx';
import { formatNumber } from '../format.ts';
import { useApi } from '../useApi.ts';

interface StockRow {
  party: { code: string; name: string; kind: string };
  sku: string;
  name: string;
  lot: string | null;
  onHand: number;
  inTransit: number;
  sold: number;
  safetyStock: number | null;
  unitsOut: number;
  dailyRate: number;
  daysOfSupply: number | null;
}

/** Fewer days than a week's review plus a day's lead time: time to reorder. */
const LOW_DAYS = 8;

interface AlertRow {
  party: { code: string; name: string };
  sku: string;
  name: string;
  safetyStock: number;
  onHand: number;
  inTransit: number;
  short: number;
}

/** Channel stock within the viewer's scope (the brand all of it, a distributor its own and its stores'), and safety alerts. */
export function StockPage() {
  const { t } = useTranslation();
  const [by, setBy] = useState<'sku' | 'lot'>('sku');
  const stock = useApi<{ items: StockRow[]; window: { days: number; from: string; to: string } }>('/stock', { limit: 1000, by });
  const alerts = useApi<{ items: AlertRow[] }>('/stock/alerts');
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('stock.title')}
      </Typography.Title>
      <Tabs
        items={[
          {
            key: 'stock',
            label: t('stock.byParty'),
            children: (
              <>
                {stock.error ? <LoadError error={stock.error} onRetry={stock.reload} /> : null}
                <Space style={{ marginBottom: 12 }} wrap>
                  <Segmented
                    data-testid="stock-by"
                    value={by}
                    onChange={(v) => setBy(v as 'sku' | 'lot')}
                    options={[
                      { value: 'sku', label: t('stock.bySku') },
                      { value: 'lot', label: t('stock.byLot') },
                    ]}
                  />
                  {stock.data ? (
                    <Typography.Text type="secondary">
                      {t('stock.window', { days: stock.data.window.days, from: stock.data.window.from })}
                    </Typography.Text>
                  ) : null}
                </Space>
                <Table<StockRow>
                  rowKey={(r) => `${r.party.code}|${r.sku}|${r.lot ?? ''}`}
                  loading={stock.loading}
                  dataSource={stock.data?.items ?? []}
                  scroll={{ x: 720 }}
                  data-testid="stock-table"
                  columns={[
                    { key: 'party', title: t('stock.party'), render: (_, r) => `${r.party.name} (${r.party.code})` },
                    { key: 'sku', title: 'SKU', dataIndex: 'sku' },
                    { key: 'name', title: t('orders.product'), dataIndex: 'name' },
                    ...(by === 'lot' ? [{ key: 'lot', title: t('stock.lot'), dataIndex: 'lot' }] : []),
                    { key: 'onHand', title: t('stock.onHand'), align: 'right', render: (_, r) => formatNumber(r.onHand) },
                    { key: 'inTransit', title: t('stock.inTransit'), align: 'right', render: (_, r) => formatNumber(r.inTransit) },
                    {
                      key: 'dailyRate',
                      title: t('stock.dailyRate'),
                      align: 'right',
                      render: (_, r) => (r.unitsOut ? formatNumber(r.dailyRate) : '—'),
                    },
                    {
                      key: 'daysOfSupply',
                      title: t('stock.daysOfSupply'),
                      align: 'right',
                      render: (_, r) =>
                        r.daysOfSupply == null ? (
                          '—'
                        ) : (
                          <Tag color={r.daysOfSupply < LOW_DAYS ? 'red' : 'green'}>{formatNumber(r.daysOfSupply)}</Tag>
                        ),
                    },
                    {
                      key: 'safety',
                      title: t('stock.safety'),
                      align: 'right',
                      render: (_, r) =>
                        r.safetyStock == null ? (
                          '—'
                        ) : (
                          <Tag color={r.onHand < r.safetyStock ? 'red' : 'green'}>{formatNumber(r.safetyStock)}</Tag>
                        ),
                    },
                  ]}
                />
              </>
            ),
          },
          {
            key: 'alerts',
            label: t('stock.alerts', { count: alerts.data?.items.length ?? 0 }),
            children: (
              <>
                {alerts.error ? <LoadError error={alerts.error} onRetry={alerts.reload} /> : null}
                <Table<AlertRow>
                  rowKey={(r) => `${r.party.code}|${r.sku}`}
                  loading={alerts.loading}
                  dataSource={alerts.data?.items ?? []}
                  data-testid="stock-alerts"
                  columns={[
                    { key: 'party', title: t('stock.party'), render: (_, r) => `${r.party.name} (${r.party.code})` },
                    { key: 'sku', title: 'SKU', dataIndex: 'sku' },
                    { key: 'onHand', title: t('stock.onHand'), align: 'right', render: (_, r) => formatNumber(r.onHand) },
                    { key: 'safety', title: t('stock.safety'), align: 'right', render: (_, r) => formatNumber(r.safetyStock) },
                    {
                      key: 'short',
                      title: t('stock.short'),
                      align: 'right',
                      render: (_, r) => <Tag color="red">{formatNumber(r.short)}</Tag>,
                    },
                  ]}
                />
              </>
            ),
          },
        ]}
      />
    </Space>
  );
}
