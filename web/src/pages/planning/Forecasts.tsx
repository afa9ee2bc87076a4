import {
  Alert,
  Button,
  Card,
  Descriptions,
  Input,
  InputNumber,
  Radio,
  Select,
  type SelectProps,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { downloadStream, errorText, type Page, saveBlob } from '../../api.ts';
import { Chart, type ChartOption } from '../../components/Chart.tsx';
import { loadDivisions } from '../../components/DivisionFilter.tsx';
import { formatNumber } from '../../format.ts';
import type { Division, PartyRow } from '../../types.ts';
import { useApi } from '../../useApi.ts';
import { useSearchInput } from '../../useSearchInput.ts';

interface Accuracy {
  name: string;
  mase: number | null;
  rmsse: number | null;
}
export interface Forecast {
  sku: string;
  gtin: string;
  granularity: 'day' | 'week';
  store?: { code: string; name: string };
  region?: { code: string; name: string; level: 'province' | 'city'; stores: number };
  history: { from: string | null; to: string; periods: number; units: number; values: number[] };
  model: string;
  level: number;
  periods: { start: string; mean: number; lower: number; upper: number }[];
  backtest: { windows: number; scores: Record<string, number> };
  accuracy: { windows: number; horizon: number; model: Accuracy; benchmark: Accuracy } | null;
}
interface Product {
  sku: string;
  nameZh: string;
  nameEn: string;
}

/** The colours of the chart: history, forecast, interval band (opaque, so the e2e test can find them on the canvas). */
export const FORECAST_COLORS = { history: '#1677ff', forecast: '#fa541c', band: '#ffe7ba' } as const;
const LEVELS = [0.8, 0.9, 0.95, 0.99];
const DAY = 86_400_000;
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const r2 = (x: number) => Math.round(x * 100) / 100;
const fmt = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(3));

/** A store x SKU series with sales (GET /planning/forecasts/series). */
interface SeriesWithHistory {
  store: { code: string; name: string };
  sku: string;
  nameZh: string;
  nameEn: string;
  units: number;
}
/** The days GET /planning/forecasts/series looks back over. */
const SERIES_DAYS = 91;

/**
 * The series with sales, of a SKU or at a store: what the pickers offer before anything is typed (the brand has many
 * more stores and SKUs than have a history, and the first by code may have none).
 */
function useSeries(filter: { sku?: string; store?: string }, enabled: boolean) {
  const { data, loading } = useApi<{ items: SeriesWithHistory[] }>(enabled ? '/planning/forecasts/series' : null, {
    ...filter,
    limit: 200,
  });
  return { items: data?.items ?? [], loading };
}

/** Sums the series' units by `key`, best sellers first. */
function bestSellers(items: SeriesWithHistory[], key: (x: SeriesWithHistory) => string) {
  const out = new Map<string, { first: SeriesWithHistory; units: number }>();
  for (const x of items) {
    const k = key(x);
    const o = out.get(k);
    if (o) o.units += x.units;
    else out.set(k, { first: x, units: x.units });
  }
  return [...out.values()].sort((a, b) => b.units - a.units);
}

/**
 * Products valued by SKU: before anything is typed the SKUs sold in the last 91 days (at the chosen store, when
 * there is one), with their units; typing searches every product by SKU or name on the server.
 */
function SkuSelect({ value, store, onChange }: { value?: string; store?: string; onChange: (v?: string) => void }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { search, setInput } = useSearchInput();
  const { data, loading } = useApi<Page<Product>>(search ? '/products' : null, { q: search || undefined, pageSize: 20, sort: 'sku' });
  const sold = useSeries({ store }, !search);
  const options: { value: string; label: string }[] = search
    ? (data?.items ?? []).map((p) => ({ value: p.sku, label: `${p.sku} ${en ? p.nameEn : p.nameZh}` }))
    : bestSellers(sold.items, (x) => x.sku).map(({ first: x, units }) => ({
        value: x.sku,
        label: `${x.sku} ${en ? x.nameEn : x.nameZh} · ${t('forecasts.unitsSold', { units: formatNumber(units) })}`,
      }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
  return (
    <Select
      data-testid="forecast-sku"
      showSearch={{ filterOption: false, onSearch: setInput }}
      loading={search ? loading : sold.loading}
      style={{ width: 300 }}
      placeholder="SKU"
      value={value}
      onChange={(v?: string) => onChange(v)}
      options={search ? options : ([{ label: t('forecasts.withSales', { days: SERIES_DAYS }), options }] as SelectProps['options'])}
      notFoundContent={search ? undefined : t('forecasts.noSales', { days: SERIES_DAYS })}
      popupMatchSelectWidth={480}
    />
  );
}

/**
 * Stores valued by code (the forecast API takes codes): before anything is typed the stores that sold in the last
 * 91 days (the chosen SKU, when there is one), with their units; typing searches every store by name or code.
 */
function StoreSelect({ value, sku, onChange }: { value?: string; sku?: string; onChange: (v?: string) => void }) {
  const { t } = useTranslation();
  const { search, setInput } = useSearchInput();
  const { data, loading } = useApi<Page<PartyRow>>(search ? '/parties' : null, {
    kind: 'store',
    q: search || undefined,
    pageSize: 20,
    sort: 'code',
  });
  const sold = useSeries({ sku }, !search);
  const options: { value: string; label: string }[] = search
    ? (data?.items ?? []).map((p) => ({ value: p.code, label: `${p.name} (${p.code})` }))
    : bestSellers(sold.items, (x) => x.store.code).map(({ first: x, units }) => ({
        value: x.store.code,
        label: `${x.store.name} (${x.store.code}) · ${t('forecasts.unitsSold', { units: formatNumber(units) })}`,
      }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: value });
  return (
    <Select
      data-testid="forecast-store"
      showSearch={{ filterOption: false, onSearch: setInput }}
      allowClear
      loading={search ? loading : sold.loading}
      style={{ width: 300 }}
      placeholder={t('forecasts.store')}
      value={value}
      onChange={(v?: string) => onChange(v)}
      options={search ? options : ([{ label: t('forecasts.withSales', { days: SERIES_DAYS }), options }] as SelectProps['options'])}
      notFoundContent={search ? undefined : t('forecasts.noSales', { days: SERIES_DAYS })}
      popupMatchSelectWidth={480}
    />
  );
}

function useDivisionList(parent: string | null): Division[] {
  const [items, setItems] = useState<{ key: string | null; items: Division[] }>({ key: null, items: [] });
  useEffect(() => {
    if (parent === null) return;
    let live = true;
    loadDivisions(parent)
      .then((d) => live && setItems({ key: parent, items: d }))
      .catch(() => live && setItems({ key: parent, items: [] }));
    return () => {
      live = false;
    };
  }, [parent]);
  return parent !== null && items.key === parent ? items.items : [];
}

/**
 * Demand forecasts: a SKU at a store (daily) or in a province or city (weekly). The history, the forecast and its
 * interval band in one chart; the model the rolling-origin backtest chose and its accuracy against seasonal naive;
 * the numbers in a table, exported to Excel. The request lives in the URL, so a forecast can be shared.
 */
export function ForecastsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const mode: 'store' | 'region' = params.get('region') !== null || params.get('mode') === 'region' ? 'region' : 'store';
  const [draft, setDraft] = useState(() => ({
    mode,
    sku: params.get('sku') ?? undefined,
    store: params.get('store') ?? undefined,
    province: params.get('region')?.slice(0, 2) || undefined,
    city: params.get('region') && (params.get('region') as string).length > 2 ? (params.get('region') as string) : undefined,
    horizon: params.get('horizon') ? Number(params.get('horizon')) : undefined,
    history: params.get('history') ? Number(params.get('history')) : undefined,
    level: params.get('level') ? Number(params.get('level')) : 0.95,
    asOf: params.get('asOf') ?? '',
  }));
  const provinces = useDivisionList('');
  const cities = useDivisionList(draft.province ?? null);

  const query = useMemo(() => {
    const sku = params.get('sku');
    const store = params.get('store');
    const region = params.get('region');
    if (!sku || (!store && !region)) return null;
    const q: Record<string, string> = { sku };
    for (const k of ['store', 'region', 'horizon', 'history', 'level', 'asOf']) {
      const v = params.get(k);
      if (v) q[k] = v;
    }
    return q;
  }, [params]);
  const forecast = useApi<Forecast>(query ? '/planning/forecasts' : null, query ?? undefined);
  const f = forecast.data;
  const [exportProblem, setExportProblem] = useState<string>();

  const submit = () => {
    const next = new URLSearchParams();
    if (draft.sku) next.set('sku', draft.sku);
    if (draft.mode === 'store' && draft.store) next.set('store', draft.store);
    const region = draft.city ?? draft.province;
    if (draft.mode === 'region') {
      next.set('mode', 'region');
      if (region) next.set('region', region);
    }
    if (draft.horizon) next.set('horizon', String(draft.horizon));
    if (draft.history) next.set('history', String(draft.history));
    if (draft.level !== 0.95) next.set('level', String(draft.level));
    if (draft.asOf) next.set('asOf', draft.asOf);
    setParams(next);
    if (next.toString() === params.toString()) forecast.reload();
  };
  const exportFile = async () => {
    if (!query) return;
    setExportProblem(undefined);
    try {
      const r = await downloadStream('/planning/forecasts', { query: { ...query, format: 'xlsx' } });
      if (r.blob) saveBlob(r.blob, r.fileName ?? 'forecast.xlsx');
    } catch (e) {
      setExportProblem(errorText(e));
    }
  };

  const modelName = (m: string) => t(`forecasts.models.${m}`, { defaultValue: m });
  const unit = f?.granularity === 'week' ? t('forecasts.weeks') : t('forecasts.days');

  const chart = useMemo<ChartOption | null>(() => {
    if (!f?.history.from) return null;
    const step = f.granularity === 'week' ? 7 : 1;
    const past = f.history.values.map((_, i) => plusDays(f.history.from as string, i * step));
    const dates = [...past, ...f.periods.map((p) => p.start)];
    const n = past.length;
    const pad = (xs: (number | null)[], before: number) => [...new Array(before).fill(null), ...xs];
    const last = f.history.values[n - 1] ?? null;
    return {
      tooltip: { trigger: 'axis' },
      legend: {
        top: 0,
        data: [t('forecasts.history'), t('forecasts.forecast'), t('forecasts.interval', { level: Math.round(f.level * 100) })],
      },
      grid: { left: 56, right: 24, bottom: 64, top: 40 },
      xAxis: { type: 'category', data: dates, boundaryGap: false },
      yAxis: { type: 'value', min: 0 },
      series: [
        {
          name: t('forecasts.history'),
          type: 'line',
          showSymbol: false,
          data: f.history.values,
          lineStyle: { color: FORECAST_COLORS.history, width: 2 },
          itemStyle: { color: FORECAST_COLORS.history },
        },
        {
          // the interval: an invisible lower bound with the band (upper − lower) stacked on it
          name: 'lower',
          type: 'line',
          stack: 'band',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          tooltip: { show: false },
          data: pad(
            f.periods.map((p) => r2(p.lower)),
            n,
          ),
        },
        {
          name: t('forecasts.interval', { level: Math.round(f.level * 100) }),
          type: 'line',
          stack: 'band',
          symbol: 'none',
          lineStyle: { opacity: 0 },
          areaStyle: { color: FORECAST_COLORS.band, opacity: 1 },
          itemStyle: { color: FORECAST_COLORS.band },
          data: pad(
            f.periods.map((p) => r2(p.upper - p.lower)),
            n,
          ),
        },
        {
          name: t('forecasts.forecast'),
          type: 'line',
          showSymbol: false,
          lineStyle: { color: FORECAST_COLORS.forecast, width: 2, type: 'dashed' },
          itemStyle: { color: FORECAST_COLORS.forecast },
          // joined to the last point of the history
          data: [...new Array(Math.max(0, n - 1)).fill(null), last, ...f.periods.map((p) => r2(p.mean))],
        },
      ],
    };
  }, [f, t]);

  const beats =
    f?.accuracy?.model.rmsse != null && f.accuracy.benchmark.rmsse != null && f.accuracy.benchmark.rmsse > 0
      ? 1 - f.accuracy.model.rmsse / f.accuracy.benchmark.rmsse
      : null;
  const scores = f ? Object.entries(f.backtest.scores).sort((a, b) => a[1] - b[1]) : [];

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('forecasts.title')}
      </Typography.Title>
      <Card size="small">
        <Space wrap>
          <Radio.Group
            data-testid="forecast-mode"
            value={draft.mode}
            optionType="button"
            onChange={(e) => setDraft((d) => ({ ...d, mode: e.target.value, horizon: undefined, history: undefined }))}
            options={[
              { value: 'store', label: t('forecasts.byStore') },
              { value: 'region', label: t('forecasts.byRegion') },
            ]}
          />
          <SkuSelect
            value={draft.sku}
            store={draft.mode === 'store' ? draft.store : undefined}
            onChange={(sku) => setDraft((d) => ({ ...d, sku }))}
          />
          {draft.mode === 'store' ? (
            <StoreSelect value={draft.store} sku={draft.sku} onChange={(store) => setDraft((d) => ({ ...d, store }))} />
          ) : (
            <>
              <Select
                data-testid="forecast-province"
                showSearch={{ optionFilterProp: 'label' }}
                allowClear
                style={{ width: 160 }}
                placeholder={t('parties.province')}
                value={draft.province}
                onChange={(v?: string) => setDraft((d) => ({ ...d, province: v, city: undefined }))}
                options={provinces.map((p) => ({ value: p.code, label: p.name }))}
              />
              <Select
                data-testid="forecast-city"
                showSearch={{ optionFilterProp: 'label' }}
                allowClear
                disabled={!draft.province}
                style={{ width: 160 }}
                placeholder={t('parties.city')}
                value={draft.city}
                onChange={(v?: string) => setDraft((d) => ({ ...d, city: v }))}
                options={cities.map((p) => ({ value: p.code, label: p.name }))}
              />
            </>
          )}
          <InputNumber
            data-testid="forecast-horizon"
            min={1}
            max={draft.mode === 'store' ? 90 : 52}
            precision={0}
            placeholder={draft.mode === 'store' ? '28' : '13'}
            value={draft.horizon}
            onChange={(v) => setDraft((d) => ({ ...d, horizon: v ?? undefined }))}
            addonBefore={t('forecasts.horizon')}
            addonAfter={draft.mode === 'store' ? t('forecasts.days') : t('forecasts.weeks')}
            style={{ width: 220 }}
          />
          <InputNumber
            data-testid="forecast-history"
            min={8}
            max={draft.mode === 'store' ? 1095 : 156}
            precision={0}
            placeholder={draft.mode === 'store' ? '1095' : '156'}
            value={draft.history}
            onChange={(v) => setDraft((d) => ({ ...d, history: v ?? undefined }))}
            addonBefore={t('forecasts.historyWindow')}
            addonAfter={draft.mode === 'store' ? t('forecasts.days') : t('forecasts.weeks')}
            style={{ width: 240 }}
          />
          <Select
            data-testid="forecast-level"
            style={{ width: 110 }}
            value={draft.level}
            onChange={(v) => setDraft((d) => ({ ...d, level: v }))}
            options={LEVELS.map((l) => ({ value: l, label: `${Math.round(l * 100)}%` }))}
          />
          <Input
            type="date"
            data-testid="forecast-as-of"
            style={{ width: 150 }}
            title={t('forecasts.asOf')}
            value={draft.asOf}
            onChange={(e) => setDraft((d) => ({ ...d, asOf: e.target.value }))}
          />
          <Button type="primary" data-testid="forecast-submit" onClick={submit} loading={forecast.loading && !!query}>
            {t('forecasts.run')}
          </Button>
          <Button data-testid="forecast-export" onClick={exportFile} disabled={!f}>
            {t('forecasts.export')}
          </Button>
        </Space>
      </Card>
      {!query ? <Alert type="info" showIcon title={t('forecasts.pick')} data-testid="forecast-hint" /> : null}
      {query && forecast.error ? (
        <Alert type="error" showIcon title={t('forecasts.failed')} description={errorText(forecast.error)} data-testid="forecast-problem" />
      ) : null}
      {exportProblem ? <Alert type="error" showIcon title={exportProblem} /> : null}
      {f && query && !forecast.error ? (
        <>
          <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }} bordered data-testid="forecast-summary">
            <Descriptions.Item label={t('forecasts.series')}>
              {f.sku} · {f.store ? `${f.store.name} (${f.store.code})` : `${f.region?.name} (${f.region?.code})`}
            </Descriptions.Item>
            <Descriptions.Item label={t('forecasts.historySeen')}>
              <span data-testid="forecast-history-seen">
                {f.history.from ?? '—'} … {f.history.to} ({f.history.periods} {unit},{' '}
                {t('forecasts.unitsSold', { units: formatNumber(f.history.units) })})
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t('forecasts.model')}>
              <Tag color="orange" data-testid="forecast-model" data-model={f.model}>
                {modelName(f.model)}
              </Tag>
            </Descriptions.Item>
            <Descriptions.Item label={t('forecasts.windows')}>{f.backtest.windows}</Descriptions.Item>
            {f.accuracy ? (
              <>
                <Descriptions.Item label="MASE">
                  <span data-testid="forecast-mase">
                    {fmt(f.accuracy.model.mase)} / {modelName(f.accuracy.benchmark.name)} {fmt(f.accuracy.benchmark.mase)}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label="RMSSE">
                  <span data-testid="forecast-rmsse">
                    {fmt(f.accuracy.model.rmsse)} / {modelName(f.accuracy.benchmark.name)} {fmt(f.accuracy.benchmark.rmsse)}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label={t('forecasts.verdict')}>
                  {beats == null ? (
                    '—'
                  ) : beats > 0 ? (
                    <Tag color="green" data-testid="forecast-verdict" data-beats="yes">
                      {t('forecasts.beats', { pct: Math.round(beats * 100), benchmark: modelName(f.accuracy.benchmark.name) })}
                    </Tag>
                  ) : (
                    <Tag color="red" data-testid="forecast-verdict" data-beats="no">
                      {t('forecasts.doesNotBeat', { benchmark: modelName(f.accuracy.benchmark.name) })}
                    </Tag>
                  )}
                </Descriptions.Item>
              </>
            ) : null}
          </Descriptions>
          {chart ? (
            <Card size="small" title={t('forecasts.chart')}>
              <div
                data-testid="forecast-chart-series"
                data-series={(chart.series as { name: string; data: unknown[] }[])
                  .map((s) => `${s.name === 'lower' ? 'lower' : s.name}:${s.data.filter((x) => x != null).length}`)
                  .join('|')}
              >
                <Chart option={chart} height={340} testId="forecast-chart" />
              </div>
            </Card>
          ) : null}
          <Space align="start" wrap style={{ width: '100%' }}>
            <Table
              rowKey="start"
              size="small"
              data-testid="forecast-table"
              dataSource={f.periods}
              pagination={{ pageSize: 30 }}
              columns={[
                { title: f.granularity === 'week' ? t('forecasts.weekFrom') : t('forecasts.day'), dataIndex: 'start' },
                { title: t('forecasts.forecast'), dataIndex: 'mean', render: (v: number) => r2(v) },
                { title: t('forecasts.lower', { level: Math.round(f.level * 100) }), dataIndex: 'lower', render: (v: number) => r2(v) },
                { title: t('forecasts.upper', { level: Math.round(f.level * 100) }), dataIndex: 'upper', render: (v: number) => r2(v) },
              ]}
            />
            <Table
              rowKey={(r) => r[0]}
              size="small"
              data-testid="forecast-scores"
              dataSource={scores}
              pagination={false}
              title={() => t('forecasts.scores')}
              columns={[
                {
                  title: t('forecasts.model'),
                  render: (_: unknown, r: [string, number]) => (r[0] === f.model ? <b>{modelName(r[0])}</b> : modelName(r[0])),
                },
                { title: 'RMSSE', render: (_: unknown, r: [string, number]) => fmt(r[1]) },
              ]}
            />
          </Space>
        </>
      ) : null}
    </Space>
  );
}
