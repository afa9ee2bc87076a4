import { Alert, Breadcrumb, Button, Card, Col, Empty, Input, Row, Select, Space, Statistic, Table, Tooltip, Typography } from 'antd';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { downloadStream, errorText, saveBlob } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartClick, type ChartOption } from '../components/Chart.tsx';
import { DivisionFilter, type DivisionValue, loadDivisions } from '../components/DivisionFilter.tsx';
import { LoadError } from '../components/PageState.tsx';
import { PartyPicker } from '../components/PartyPicker.tsx';
import { ProvinceMap } from '../components/ProvinceMap.tsx';
import { formatNumber } from '../format.ts';
import type { PartyDetail } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';

export type AnalyticsView = 'overview' | 'stock' | 'map' | 'flows' | 'scorecards' | 'rankings' | 'launches';

interface Figures {
  sellInFen: number;
  sellInUnits: number;
  sellInReceived: number;
  sellThroughUnits: number;
  sellThroughReceived: number;
  sellOutUnits: number;
  consumerScans: number;
}
interface BreakdownRow extends Figures {
  level: 'province' | 'city' | 'party';
  code: string;
  name: string;
  partyId: number | null;
  kind: string | null;
}
interface Overview {
  totals: Figures;
  series: ({ day: string } & Figures)[];
  breakdown: BreakdownRow[];
}
interface StockLevel {
  level: string;
  onHand: number;
  inTransit: number;
  dailyOut: number;
  daysOfSupply: number | null;
}
interface MapRow {
  code: string;
  name: string;
  sellInUnits: number;
  sellOutUnits: number;
  consumerScans: number;
  onHand: number;
  diversionAlerts: number;
}
interface FlowNode {
  id: string;
  name: string;
  kind: string;
}
interface FlowLink {
  source: string;
  target: string;
  shippedUnits: number;
  orderedUnits: number;
}
interface Scorecard {
  partyId: number;
  code: string;
  name: string;
  shippedUnits: number;
  receivedDownstream: number;
  scanCompliance: number | null;
  diversionAlerts: number;
  ordersReceived: number;
  avgOrderToReceiptHours: number | null;
  sellInFen: number;
  rebatesFen: number;
}
interface StoreRank {
  rank: number;
  partyId: number;
  code: string;
  name: string;
  cityCode: string;
  sellOutUnits: number;
  consumerScans: number;
  receivedUnits: number;
}
interface Launch {
  pilot: { stores: number; soldUnits: number; velocity: number };
  comparable: { stores: number; soldUnits: number; velocity: number };
  ratio: number | null;
  series: { day: string; pilot: number; comparable: number }[];
}
interface Product {
  id: number;
  gtin: string;
  sku: string;
  nameZh: string;
  nameEn: string;
  category: string;
}

const PATH: Record<AnalyticsView, string> = {
  overview: 'overview',
  stock: 'stock',
  map: 'map',
  flows: 'flows',
  scorecards: 'scorecards',
  rankings: 'store-rankings',
  launches: 'launches',
};

/**
 * A day `n` days before today in China (the facts' business day, Asia/Shanghai, UTC+8 all year), as the date inputs and
 * the API write it. UTC's today is China's yesterday until 08:00 there.
 */
const daysAgo = (n: number) => new Date(Date.now() + 8 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
/**
 * The last 30 whole days, ending yesterday: today is not over, and a trend ending on its few hours drew every
 * measure falling to near nothing on the last day (and the days of supply read a part-day's outflow as a day's).
 */
const DEFAULTS = { from: daysAgo(30), to: daysAgo(1), region: '', gtin: '', category: '', party: '' };
const yuan = (fen: number) => formatNumber(Math.round(fen / 100));

/** The shared filters (time, region, SKU, category, party), kept in the URL so a view can be linked and restored. */
function useFilters() {
  const { get, set } = useQueryState(DEFAULTS);
  const filters = {
    from: get('from'),
    to: get('to'),
    region: get('region') || undefined,
    gtin: get('gtin') || undefined,
    category: get('category') || undefined,
    party: get('party') ? Number(get('party')) : undefined,
  };
  return { filters, set };
}

function regionValue(code: string | undefined): DivisionValue {
  return {
    provinceCode: code ? code.slice(0, 2) : '',
    cityCode: code && code.length >= 4 ? code.slice(0, 4) : '',
    districtCode: code && code.length >= 6 ? code : '',
  };
}

function FilterBar({ view }: { view: AnalyticsView }) {
  const { t, i18n } = useTranslation();
  const { filters, set } = useFilters();
  const products = useApi<{ items: Product[] }>('/products', { pageSize: 500 });
  const categories = useApi<{ items: { code: string; nameZh: string; nameEn: string }[] }>('/products/categories');
  const categoryList = categories.data?.items ?? [];
  const en = i18n.language === 'en';
  const exportFile = async () => {
    try {
      const r = await downloadStream(`/analytics/${PATH[view]}`, { query: { ...filters, format: 'xlsx' } });
      if (r.blob) saveBlob(r.blob, r.fileName ?? `analytics-${PATH[view]}.xlsx`);
    } catch (e) {
      window.alert(errorText(e));
    }
  };
  return (
    <Space wrap data-testid="analytics-filters">
      <Input
        type="date"
        data-testid="analytics-from"
        style={{ width: 150 }}
        value={filters.from}
        onChange={(e) => e.target.value && set({ from: e.target.value })}
      />
      <Input
        type="date"
        data-testid="analytics-to"
        style={{ width: 150 }}
        value={filters.to}
        onChange={(e) => e.target.value && set({ to: e.target.value })}
      />
      <DivisionFilter
        value={regionValue(filters.region)}
        onChange={(v) => set({ region: v.districtCode || v.cityCode || v.provinceCode || undefined })}
      />
      <Select
        data-testid="analytics-sku"
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        style={{ width: 220 }}
        placeholder={t('analytics.sku')}
        value={filters.gtin}
        onChange={(v) => set({ gtin: v })}
        options={(products.data?.items ?? []).map((p) => ({ value: p.gtin, label: `${p.sku} ${en ? p.nameEn : p.nameZh}` }))}
      />
      <Select
        data-testid="analytics-category"
        allowClear
        style={{ width: 150 }}
        placeholder={t('analytics.category')}
        value={filters.category}
        onChange={(v) => set({ category: v })}
        options={categoryList.map((c) => ({ value: c.code, label: en ? c.nameEn : c.nameZh }))}
      />
      <PartyPicker
        kind="distributor"
        testId="analytics-party"
        placeholder={t('analytics.party')}
        style={{ width: 220 }}
        value={filters.party ?? null}
        onChange={(v) => set({ party: v ?? undefined })}
      />
      <Button data-testid="analytics-export" onClick={exportFile}>
        {t('analytics.export')}
      </Button>
    </Space>
  );
}

/** The divisions a region code lies in (province, city, district), each with the code of its parent. */
function regionLevels(code: string): { parent: string; code: string }[] {
  const out = [{ parent: '', code: code.slice(0, 2) }];
  if (code.length >= 4) out.push({ parent: code.slice(0, 2), code: code.slice(0, 4) });
  if (code.length >= 6) out.push({ parent: code.slice(0, 4), code });
  return out;
}

/**
 * Names of divisions and of the divisions they lie in, by code, in the reader's language (from the same cached lists as
 * the filter's boxes): a switch of language loads them again, so an English page never keeps the Chinese names.
 */
function useDivisionNames(codes: string[]): Record<string, string> {
  const { i18n } = useTranslation();
  const key = `${i18n.language}|${[...new Set(codes)].sort().join(',')}`;
  const [state, setState] = useState<{ key: string; names: Record<string, string> }>({ key: '', names: {} });
  useEffect(() => {
    const wanted = (key.split('|')[1] ?? '').split(',').filter(Boolean);
    if (!wanted.length) return;
    let live = true;
    const levels = [...new Map(wanted.flatMap(regionLevels).map((l) => [l.code, l])).values()];
    void Promise.all(
      levels.map(({ parent, code }) =>
        loadDivisions(parent).then(
          (items) => [code, items.find((d) => d.code === code)?.name] as const,
          () => [code, undefined] as const,
        ),
      ),
    ).then((pairs) => {
      if (!live) return;
      setState({ key, names: Object.fromEntries(pairs.filter((p): p is readonly [string, string] => !!p[1])) });
    });
    return () => {
      live = false;
    };
  }, [key]);
  return state.key === key ? state.names : {};
}

/** Roles whose data scope is one party (itself, or itself and what it serves downstream): auth/scope.ts. */
const PARTY_SCOPED = new Set(['distributor_admin', 'distributor_staff', 'store_owner', 'store_clerk', 'warehouse_operator']);

/**
 * The root of the drill path: what the dashboards show before any region or party is picked, which is the viewer's
 * scope: the whole country for the brand's head office, a sales rep's territories, a distributor's (or store's) own
 * channel. It said 全国 to everyone, in English too.
 */
function useScopeLabel(): { label: string; testId: string } {
  const { t } = useTranslation();
  const { me } = useAuth();
  const role = me?.user.role ?? '';
  const territories = role === 'brand_sales' ? (me?.user.territories ?? []) : [];
  const names = useDivisionNames(territories);
  if (role === 'brand_sales')
    return {
      testId: 'drill-path-scope',
      label: t('analytics.scopeTerritories', {
        names: territories.map((c) => names[c] ?? c).join(t('analytics.listSeparator')) || '—',
      }),
    };
  if (PARTY_SCOPED.has(role) && me?.user.partyName)
    return { testId: 'drill-path-scope', label: t('analytics.scopeParty', { name: me.user.partyName }) };
  return { testId: 'drill-path-national', label: t('analytics.national') };
}

/** Where the view stands (the viewer's scope > province > city > district > party), by name; each crumb goes back up. */
function DrillPath() {
  const { filters, set } = useFilters();
  const names = useDivisionNames(filters.region ? [filters.region] : []);
  const scope = useScopeLabel();
  const party = useApi<PartyDetail>(filters.party ? `/parties/${filters.party}` : null);
  const items: { title: ReactNode }[] = [
    {
      title: (
        <Typography.Link data-testid={scope.testId} onClick={() => set({ region: undefined, party: undefined })}>
          {scope.label}
        </Typography.Link>
      ),
    },
  ];
  if (filters.region)
    for (const { code } of regionLevels(filters.region))
      items.push({
        title: (
          <Typography.Link data-testid={`drill-path-${code}`} onClick={() => set({ region: code, party: undefined })}>
            {/* the code only until the names have loaded */}
            {names[code] ?? code}
          </Typography.Link>
        ),
      });
  if (filters.party) {
    const p = party.data && Number(party.data.id) === filters.party ? party.data : null;
    items.push({ title: <span data-testid="drill-path-party">{p ? p.name : `#${filters.party}`}</span> });
  }
  return <Breadcrumb data-testid="analytics-drill-path" items={items} />;
}

/** A figure's label with what it counts on hover (sell-in money is what was ordered, sell-in units what was shipped). */
function Hinted({ label, hint, testId }: { label: string; hint: string; testId?: string }) {
  return (
    <Tooltip title={hint}>
      <span data-testid={testId} style={{ borderBottom: '1px dashed currentColor', cursor: 'help' }}>
        {label}
      </span>
    </Tooltip>
  );
}

function useDashboard<T>(view: AnalyticsView) {
  const { filters } = useFilters();
  return useApi<T>(`/analytics/${PATH[view]}`, filters);
}

const NO_FIGURES: Figures = {
  sellInFen: 0,
  sellInUnits: 0,
  sellInReceived: 0,
  sellThroughUnits: 0,
  sellThroughReceived: 0,
  sellOutUnits: 0,
  consumerScans: 0,
};

/**
 * Every day from `from` to `to` (at most a year), with the figures of the days the API has and zeros for the rest: the
 * API gives only days with facts, and a trend drawn through those alone joins a sale on the 1st to one on the 20th.
 */
export function everyDay(from: string, to: string, series: Overview['series']): Overview['series'] {
  const byDay = new Map(series.map((x) => [x.day, x]));
  const out: Overview['series'] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let d = Date.parse(`${from}T00:00:00Z`); d <= end && out.length < 366; d += 86_400_000) {
    const day = new Date(d).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, ...NO_FIGURES });
  }
  return out.length ? out : series;
}

function OverviewView() {
  const { t } = useTranslation();
  const { set, filters } = useFilters();
  const r = useDashboard<Overview>('overview');
  const option = useMemo<ChartOption>(() => {
    const s = r.data ? everyDay(filters.from, filters.to, r.data.series) : [];
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: s.map((x) => x.day) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('analytics.sellIn'), type: 'line', data: s.map((x) => x.sellInUnits) },
        { name: t('analytics.sellThrough'), type: 'line', data: s.map((x) => x.sellThroughUnits) },
        { name: t('analytics.sellOut'), type: 'line', data: s.map((x) => x.sellOutUnits) },
        { name: t('analytics.consumerScans'), type: 'bar', data: s.map((x) => x.consumerScans) },
      ],
    };
  }, [r.data, t, filters.from, filters.to]);
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  const drill = (b: BreakdownRow) =>
    b.level === 'party' ? set({ party: b.partyId ?? undefined }) : set({ region: b.code, party: undefined });
  const totals = r.data?.totals;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Row gutter={16}>
        {(
          [
            ['sellInFen', t('analytics.sellInYuan'), t('analytics.sellInYuanHint'), (v: number) => yuan(v)],
            ['sellInUnits', t('analytics.sellIn'), t('analytics.sellInHint'), formatNumber],
            ['sellThroughUnits', t('analytics.sellThrough'), null, formatNumber],
            ['sellOutUnits', t('analytics.sellOut'), null, formatNumber],
            ['consumerScans', t('analytics.consumerScans'), null, formatNumber],
          ] as const
        ).map(([k, label, hint, fmt]) => (
          <Col key={k} xs={12} md={4}>
            <Card size="small">
              <Statistic
                title={hint ? <Hinted label={label} hint={hint} testId={`analytics-label-${k}`} /> : label}
                value={totals ? fmt(totals[k]) : '—'}
                loading={r.loading}
                data-testid={`analytics-total-${k}`}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Card size="small" title={t('analytics.series')}>
        <Chart
          option={option}
          height={300}
          testId="analytics-series"
          empty={!!r.data && !r.data.series.length}
          emptyText={t('analytics.noFiguresYet')}
        />
      </Card>
      <Card size="small" title={t('analytics.breakdown')}>
        <Table
          data-testid="analytics-breakdown"
          size="small"
          rowKey={(b) => `${b.level}:${b.code}`}
          loading={r.loading}
          dataSource={r.data?.breakdown ?? []}
          pagination={{ pageSize: 20 }}
          onRow={(b) => ({ onClick: () => drill(b), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('analytics.region'),
              dataIndex: 'name',
              render: (v: string, b) => (
                <Typography.Link data-testid={`drill-${b.code}`}>{b.level === 'party' ? `${v} (${b.code})` : v || b.code}</Typography.Link>
              ),
            },
            {
              title: <Hinted label={t('analytics.sellInYuan')} hint={t('analytics.sellInYuanHint')} />,
              dataIndex: 'sellInFen',
              align: 'right',
              render: yuan,
            },
            {
              title: <Hinted label={t('analytics.sellIn')} hint={t('analytics.sellInHint')} />,
              dataIndex: 'sellInUnits',
              align: 'right',
              render: formatNumber,
            },
            { title: t('analytics.sellThrough'), dataIndex: 'sellThroughUnits', align: 'right', render: formatNumber },
            { title: t('analytics.sellOut'), dataIndex: 'sellOutUnits', align: 'right', render: formatNumber },
            { title: t('analytics.consumerScans'), dataIndex: 'consumerScans', align: 'right', render: formatNumber },
          ]}
        />
      </Card>
    </Space>
  );
}

/** What the stock figures stand at (analytics/dashboards.ts): the stock now, the outflow over the days up to today. */
interface StockBasis {
  stockAt: string;
  dailyOutFrom: string;
  dailyOutTo: string;
  days: number;
}

function StockView() {
  const { t, i18n } = useTranslation();
  const r = useDashboard<{ levels: StockLevel[]; basis?: StockBasis }>('stock');
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  const b = r.data?.basis;
  const span = b ? { from: b.dailyOutFrom, to: b.dailyOutTo, days: b.days } : { from: '…', to: '…', days: 28 };
  const at = b ? new Date(b.stockAt).toLocaleString(i18n.language === 'en' ? 'en-GB' : 'zh-CN', { hour12: false }) : '…';
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary" data-testid="analytics-stock-basis">
        {t('analytics.stockBasis', { ...span, at })}
      </Typography.Text>
      <Table
        data-testid="analytics-stock"
        size="small"
        rowKey="level"
        loading={r.loading}
        dataSource={r.data?.levels ?? []}
        pagination={false}
        columns={[
          { title: t('analytics.level'), dataIndex: 'level', render: (v: string) => t(`kinds.${v}`, v) },
          { title: t('analytics.onHand'), dataIndex: 'onHand', align: 'right', render: formatNumber },
          { title: t('analytics.inTransit'), dataIndex: 'inTransit', align: 'right', render: formatNumber },
          {
            title: <Hinted label={t('analytics.dailyOut')} hint={t('analytics.dailyOutHint', span)} testId="analytics-label-dailyOut" />,
            dataIndex: 'dailyOut',
            align: 'right',
            render: (v: number) => v.toFixed(1),
          },
          {
            title: (
              <Hinted
                label={t('analytics.daysOfSupply')}
                hint={t('analytics.daysOfSupplyHint', span)}
                testId="analytics-label-daysOfSupply"
              />
            ),
            dataIndex: 'daysOfSupply',
            align: 'right',
            render: (v: number | null) => (v == null ? '—' : v),
          },
        ]}
      />
    </Space>
  );
}

function MapView() {
  const { t, i18n } = useTranslation();
  const { set, filters } = useFilters();
  const r = useDashboard<{ level: string; rows: MapRow[] }>('map');
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  const rows = r.data?.rows ?? [];
  const table = (
    <Table
      data-testid="analytics-map-table"
      size="small"
      rowKey="code"
      loading={r.loading}
      dataSource={rows}
      pagination={{ pageSize: 15 }}
      onRow={(x) => ({ onClick: () => set({ region: x.code }), style: { cursor: 'pointer' } })}
      columns={[
        { title: t('analytics.region'), dataIndex: 'name' },
        {
          title: <Hinted label={t('analytics.sellIn')} hint={t('analytics.sellInHint')} />,
          dataIndex: 'sellInUnits',
          align: 'right',
          render: formatNumber,
        },
        { title: t('analytics.sellOut'), dataIndex: 'sellOutUnits', align: 'right', render: formatNumber },
        { title: t('analytics.consumerScans'), dataIndex: 'consumerScans', align: 'right', render: formatNumber },
        { title: t('analytics.onHand'), dataIndex: 'onHand', align: 'right', render: formatNumber },
        { title: t('analytics.diversionAlerts'), dataIndex: 'diversionAlerts', align: 'right', render: formatNumber },
      ]}
    />
  );
  return (
    <Row gutter={16}>
      {!filters.region && (
        <Col xs={24} lg={12}>
          <ProvinceMap
            rows={rows.map((x) => ({ code: x.code, value: x.sellOutUnits }))}
            en={i18n.language === 'en'}
            seriesName={t('analytics.sellOut')}
            colors={['#e0f2fe', '#0369a1']}
            testId="analytics-map"
            onClick={(p: ChartClick) => {
              const code = (p.data as { code?: string } | undefined)?.code;
              if (code) set({ region: code });
            }}
            fallback={null}
          />
        </Col>
      )}
      <Col xs={24} lg={filters.region ? 24 : 12}>
        {table}
      </Col>
    </Row>
  );
}

function FlowsView() {
  const { t } = useTranslation();
  const r = useDashboard<{ nodes: FlowNode[]; links: FlowLink[] }>('flows');
  const option = useMemo<ChartOption>(() => {
    const links = (r.data?.links ?? [])
      .map((l) => ({ source: l.source, target: l.target, value: l.shippedUnits || l.orderedUnits }))
      .filter((l) => l.value > 0)
      .slice(0, 200);
    const used = new Set(links.flatMap((l) => [l.source, l.target]));
    return {
      tooltip: { trigger: 'item' },
      series: [
        {
          type: 'sankey',
          emphasis: { focus: 'adjacency' },
          data: (r.data?.nodes ?? []).filter((n) => used.has(n.id)).map((n) => ({ name: n.id, label: { formatter: n.name } })),
          links,
          label: { formatter: (p: { name: string }) => r.data?.nodes.find((n) => n.id === p.name)?.name ?? p.name },
        },
      ],
    };
  }, [r.data]);
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  if (!r.loading && !r.data?.links.length) return <Empty description={t('analytics.noFlows')} />;
  return <Chart option={option} height={520} testId="analytics-sankey" />;
}

function ScorecardsView() {
  const { t } = useTranslation();
  const { set } = useFilters();
  const r = useDashboard<{ items: Scorecard[] }>('scorecards');
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  return (
    <Table
      data-testid="analytics-scorecards"
      size="small"
      rowKey="partyId"
      loading={r.loading}
      dataSource={r.data?.items ?? []}
      onRow={(x) => ({ onClick: () => set({ party: x.partyId }), style: { cursor: 'pointer' } })}
      columns={[
        { title: t('analytics.distributor'), dataIndex: 'name', render: (v: string, x) => `${v} (${x.code})` },
        { title: t('analytics.shipped'), dataIndex: 'shippedUnits', align: 'right', render: formatNumber },
        { title: t('analytics.receivedDownstream'), dataIndex: 'receivedDownstream', align: 'right', render: formatNumber },
        {
          title: t('analytics.scanCompliance'),
          dataIndex: 'scanCompliance',
          align: 'right',
          render: (v: number | null) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`),
        },
        { title: t('analytics.diversionAlerts'), dataIndex: 'diversionAlerts', align: 'right' },
        {
          title: t('analytics.orderToReceipt'),
          dataIndex: 'avgOrderToReceiptHours',
          align: 'right',
          render: (v: number | null) => (v == null ? '—' : v),
        },
        {
          title: <Hinted label={t('analytics.sellInYuan')} hint={t('analytics.sellInYuanHint')} />,
          dataIndex: 'sellInFen',
          align: 'right',
          render: yuan,
        },
        { title: t('analytics.rebatesYuan'), dataIndex: 'rebatesFen', align: 'right', render: yuan },
      ]}
    />
  );
}

function RankingsView() {
  const { t } = useTranslation();
  const r = useDashboard<{ items: StoreRank[] }>('rankings');
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">
        {t('analytics.campaignHint')} <Link to="/marketing/results">{t('menu.campaignResults')}</Link>
      </Typography.Text>
      <Table
        data-testid="analytics-rankings"
        size="small"
        rowKey="partyId"
        loading={r.loading}
        dataSource={r.data?.items ?? []}
        columns={[
          { title: t('analytics.rank'), dataIndex: 'rank', width: 70 },
          { title: t('analytics.store'), dataIndex: 'name', render: (v: string, x) => `${v} (${x.code})` },
          { title: t('analytics.sellOut'), dataIndex: 'sellOutUnits', align: 'right', render: formatNumber },
          { title: t('analytics.consumerScans'), dataIndex: 'consumerScans', align: 'right', render: formatNumber },
          { title: t('analytics.received'), dataIndex: 'receivedUnits', align: 'right', render: formatNumber },
        ]}
      />
    </Space>
  );
}

function LaunchesView() {
  const { t } = useTranslation();
  const { filters } = useFilters();
  const ready = Boolean(filters.gtin && (filters.region || filters.party));
  const r = useApi<Launch>(ready ? '/analytics/launches' : null, filters);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: (r.data?.series ?? []).map((x) => x.day) },
      yAxis: { type: 'value' },
      series: [
        { name: t('analytics.pilot'), type: 'line', data: (r.data?.series ?? []).map((x) => x.pilot) },
        { name: t('analytics.comparable'), type: 'line', data: (r.data?.series ?? []).map((x) => x.comparable) },
      ],
    }),
    [r.data, t],
  );
  if (!ready) return <Alert type="info" showIcon message={t('analytics.launchHint')} data-testid="analytics-launch-hint" />;
  if (r.error) return <LoadError error={r.error} onRetry={r.reload} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Row gutter={16}>
        {/* two decimals each (the API's 4 showed 7.34 beside 4.2951) */}
        <Col span={8}>
          <Statistic
            title={t('analytics.pilotVelocity')}
            value={r.data ? r.data.pilot.velocity.toFixed(2) : '—'}
            data-testid="launch-pilot-velocity"
          />
        </Col>
        <Col span={8}>
          <Statistic
            title={t('analytics.comparableVelocity')}
            value={r.data ? r.data.comparable.velocity.toFixed(2) : '—'}
            data-testid="launch-comparable-velocity"
          />
        </Col>
        <Col span={8}>
          <Statistic
            title={t('analytics.ratio')}
            value={r.data?.ratio != null ? r.data.ratio.toFixed(2) : '—'}
            data-testid="launch-ratio"
          />
        </Col>
      </Row>
      <Chart option={option} height={300} testId="analytics-launch" />
    </Space>
  );
}

/** The channel dashboards: one filter bar over every view, in the URL; clicking a row or a region drills down. */
export function AnalyticsPage({ view }: { view: AnalyticsView }) {
  const { t } = useTranslation();
  const body = {
    overview: <OverviewView />,
    stock: <StockView />,
    map: <MapView />,
    flows: <FlowsView />,
    scorecards: <ScorecardsView />,
    rankings: <RankingsView />,
    launches: <LaunchesView />,
  }[view];
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t(`analytics.title.${view}`)}
      </Typography.Title>
      <FilterBar view={view} />
      <DrillPath />
      {body}
    </Space>
  );
}
