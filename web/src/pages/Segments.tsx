import { Alert, Button, Card, Col, Empty, Progress, Row, Select, Space, Statistic, Table, Tabs, Typography } from 'antd';
import { HeatmapChart } from 'echarts/charts';
import { VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, errorText, withQuery } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { LoadError } from '../components/PageState.tsx';
import { formatChinaSecond, formatFen, formatNumber } from '../format.ts';
import { may } from '../nav.ts';
import { useApi } from '../useApi.ts';

// the R x F grid is a heatmap: registered here, with the page that draws it
echarts.use([HeatmapChart, VisualMapComponent]);

const SEGMENTS = [
  'champions',
  'loyal_customers',
  'potential_loyalists',
  'new_customers',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
] as const;
type Segment = (typeof SEGMENTS)[number];

interface Member {
  key: string;
  lastAt: string;
  recency: number;
  frequency: number;
  monetary: number;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  segment: Segment | null;
  code?: string;
  name?: string;
  consumerId?: number | null;
  device?: string | null;
  units?: number;
}

interface SegmentReport {
  subject: 'stores' | 'consumers';
  monetaryUnit: 'fen' | 'units';
  snapshot: string | null;
  population: number;
  rankedInstead: ('recency' | 'monetary')[];
  segments: { segment: Segment; members: number; monetary: number }[];
  grid: { r: number; f: number; members: number }[];
  total: number;
  rows: Member[];
  /** consumers: when the snapshot shown was computed (null before the first refresh), and the latest refresh */
  computedAt?: string | null;
  refresh?: {
    id: number;
    status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
    progress: { percent: number | null };
    error: string | null;
    /** why it failed, in the reader's language */
    message: string | null;
  } | null;
}

/** a snapshot older than this is recomputed when the page is opened */
const STALE_MS = 24 * 3_600_000;

const refreshing = (r: SegmentReport['refresh']) => r?.status === 'queued' || r?.status === 'running';

/**
 * Consumer segments are a snapshot a background job computes (millions of consumers do not fit in a request): the
 * state of its latest refresh, a button to start one, and the first one (or one a day old) started by itself. While
 * one runs, the report is read again every second; the page shows the previous snapshot until the new one is written.
 */
function RefreshBar({ report, reload }: { report: SegmentReport | undefined; reload: () => void }) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<string>();
  const firstStarted = useRef(false);
  const running = refreshing(report?.refresh);
  const start = async () => {
    setProblem(undefined);
    try {
      await api('/segments/consumers/refresh', { method: 'POST' });
      reload();
    } catch (e) {
      setProblem(errorText(e));
    }
  };
  useEffect(() => {
    // the first snapshot, and one a day old, are recomputed when someone opens the page (once per visit)
    const due = report && (report.computedAt == null || Date.now() - Date.parse(report.computedAt) > STALE_MS);
    if (due && !refreshing(report.refresh) && !firstStarted.current) {
      firstStarted.current = true;
      void start();
    }
  });
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(reload, 1000);
    return () => clearTimeout(timer);
  });
  if (!report) return null;
  const r = report.refresh;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Button onClick={start} disabled={running} loading={running} data-testid="segments-consumers-refresh">
          {t('segments.refresh')}
        </Button>
        <Typography.Text type="secondary">
          {report.computedAt === null ? t('segments.firstRefresh') : t('segments.refreshHint')}
        </Typography.Text>
      </Space>
      {running && r ? (
        r.status === 'queued' ? (
          <Typography.Text type="secondary" data-testid="segments-consumers-queued">
            {t('segments.queued')}
          </Typography.Text>
        ) : (
          <Progress
            percent={r.progress.percent ?? 0}
            status="active"
            format={(p) => t('segments.refreshing', { percent: p ?? 0 })}
            data-testid="segments-consumers-progress"
          />
        )
      ) : null}
      {r && (r.status === 'failed' || r.status === 'cancelled') ? (
        <Alert
          type="warning"
          showIcon
          message={t('segments.refreshFailed', { error: r.message ?? r.error ?? t(`jobs.status.${r.status}`) })}
        />
      ) : null}
      {problem ? <Alert type="error" showIcon message={problem} /> : null}
    </Space>
  );
}

const PAGE = 20;
const XLSX_MAX_ROWS = 1_048_576;

function SegmentView({ subject }: { subject: 'stores' | 'consumers' }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  // the profile opens only for roles the server lets read it (consumers:read on /consumers/:id), as on Campaigns
  const mayReadConsumers = may('consumers:read', me?.user.role);
  const [segment, setSegment] = useState<Segment | undefined>();
  const [page, setPage] = useState(1);
  const state = useApi<SegmentReport>(`/segments/${subject}`, { segment, limit: PAGE, offset: (page - 1) * PAGE });
  const data = state.data;
  const money = (v: number) => (data?.monetaryUnit === 'units' ? t('segments.units', { n: formatNumber(v) }) : formatFen(v));

  const sizes: ChartOption = useMemo(() => {
    const segs = data?.segments ?? [];
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 120, right: 24, top: 8, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: segs.map((s) => t(`segments.name.${s.segment}`)) },
      series: [{ type: 'bar', name: t('segments.members'), data: segs.map((s) => s.members), itemStyle: { color: '#1677ff' } }],
    };
  }, [data, t]);

  const grid: ChartOption = useMemo(() => {
    const cells = data?.grid ?? [];
    const max = Math.max(1, ...cells.map((c) => c.members));
    return {
      tooltip: { formatter: (p: { data: [number, number, number] }) => `R ${p.data[1] + 1} · F ${p.data[0] + 1}: ${p.data[2]}` },
      grid: { left: 56, right: 40, top: 24, bottom: 32 },
      xAxis: { type: 'category', name: 'F', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
      yAxis: { type: 'category', name: 'R', data: ['1', '2', '3', '4', '5'], splitArea: { show: true } },
      // the counts are written in the cells: the colour scale needs no legend
      visualMap: { min: 0, max, show: false },
      series: [
        {
          type: 'heatmap',
          name: t('segments.members'),
          data: cells.map((c) => [c.f - 1, c.r - 1, c.members]),
          label: { show: true },
        },
      ],
    };
  }, [data, t]);

  if (state.error) return <LoadError error={state.error} onRetry={state.reload} />;
  // an Excel sheet holds 1,048,576 rows: a larger population is exported as CSV
  const exportHref = withQuery(`/api/v1/segments/${subject}/export`, {
    format: (data?.population ?? 0) >= XLSX_MAX_ROWS ? 'csv' : undefined,
  });
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Row gutter={16}>
        <Col>
          <Statistic
            title={t(`segments.population.${subject}`)}
            value={data?.population ?? 0}
            data-testid={`segments-${subject}-population`}
          />
        </Col>
        <Col>
          <Statistic
            title={t('segments.snapshot')}
            value={data?.snapshot ? formatChinaSecond(data.snapshot) : '—'}
            data-testid={`segments-${subject}-snapshot`}
          />
        </Col>
        {subject === 'consumers' ? (
          <Col>
            <Statistic
              title={t('segments.computedAt')}
              value={data?.computedAt ? formatChinaSecond(data.computedAt) : '—'}
              data-testid="segments-consumers-computed-at"
            />
          </Col>
        ) : null}
        <Col flex="auto" style={{ textAlign: 'right' }}>
          <Button href={exportHref} download data-testid={`segments-${subject}-export`} disabled={!data?.population}>
            {t('segments.export')}
          </Button>
        </Col>
      </Row>
      {subject === 'consumers' ? <RefreshBar report={data} reload={state.reload} /> : null}
      <Typography.Text type="secondary">{t(`segments.recipe.${subject}`)}</Typography.Text>
      {data?.rankedInstead.length ? (
        <Alert
          type="warning"
          showIcon
          data-testid="segments-ranked-instead"
          message={t('segments.rankedInstead', { vars: data.rankedInstead.map((v) => (v === 'recency' ? 'R' : 'M')).join(', ') })}
        />
      ) : null}
      {/* the recipe spreads ties of F by their order: said where it matters, before anyone targets a segment */}
      {data?.population ? (
        <Typography.Text type="secondary" data-testid="segments-ties">
          {t('segments.ties')}
        </Typography.Text>
      ) : null}
      {data && !data.population ? (
        <Empty description={t(`segments.empty.${subject}`)} />
      ) : (
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <Card title={t('segments.sizes')} size="small">
              <Chart
                option={sizes}
                height={340}
                testId={`segments-${subject}-sizes`}
                onClick={(p) => {
                  // a bar lists its segment's members
                  const s = p.dataIndex === undefined ? undefined : data?.segments[p.dataIndex]?.segment;
                  if (s) {
                    setSegment(s);
                    setPage(1);
                  }
                }}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card title={t('segments.grid')} size="small">
              <Chart option={grid} height={340} testId={`segments-${subject}-grid`} />
            </Card>
          </Col>
        </Row>
      )}
      <Space wrap>
        <Select<Segment>
          allowClear
          style={{ width: 220 }}
          placeholder={t('segments.allSegments')}
          value={segment}
          data-testid={`segments-${subject}-filter`}
          onChange={(v) => {
            setSegment(v);
            setPage(1);
          }}
          options={SEGMENTS.map((s) => ({ value: s, label: t(`segments.name.${s}`) }))}
        />
      </Space>
      <Table<Member>
        rowKey="key"
        size="small"
        loading={state.loading}
        dataSource={data?.rows ?? []}
        data-testid={`segments-${subject}-table`}
        scroll={{ x: 760 }}
        pagination={{ current: page, pageSize: PAGE, total: data?.total ?? 0, showSizeChanger: false, onChange: setPage }}
        columns={[
          subject === 'stores'
            ? { key: 'who', title: t('segments.store'), render: (_, r) => `${r.name} (${r.code})` }
            : {
                key: 'who',
                title: t('segments.consumer'),
                render: (_, r) =>
                  !r.consumerId ? (
                    t('segments.anonymousDevice', { device: r.device })
                  ) : mayReadConsumers ? (
                    <Link to={`/consumers/${r.consumerId}`} data-testid={`segments-consumer-${r.consumerId}`}>
                      #{r.consumerId}
                    </Link>
                  ) : (
                    `#${r.consumerId}`
                  ),
              },
          { key: 'recency', title: t('segments.recencyDays'), dataIndex: 'recency', align: 'right' },
          { key: 'frequency', title: t(`segments.frequencyOf.${subject}`), dataIndex: 'frequency', align: 'right' },
          { key: 'monetary', title: t('segments.monetary'), align: 'right', render: (_, r) => money(r.monetary) },
          { key: 'rfm', title: 'R · F · M', render: (_, r) => (r.rScore ? `${r.rScore} · ${r.fScore} · ${r.mScore}` : '—') },
          { key: 'segment', title: t('segments.segment'), render: (_, r) => (r.segment ? t(`segments.name.${r.segment}`) : '—') },
          {
            key: 'lastAt',
            title: t(subject === 'consumers' ? 'segments.lastScan' : 'segments.lastPurchase'),
            render: (_, r) => formatChinaSecond(r.lastAt),
          },
        ]}
      />
    </Space>
  );
}

/** 客户分层: RFM segments of the stores in scope (from their orders) and, for the brand, of its consumers (from their scans). */
export function SegmentsPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const consumers = may('consumer_segments:read', me?.user.role);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('segments.title')}
      </Typography.Title>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'stores', label: t('segments.stores'), children: <SegmentView subject="stores" /> },
          ...(consumers ? [{ key: 'consumers', label: t('segments.consumers'), children: <SegmentView subject="consumers" /> }] : []),
        ]}
      />
    </Space>
  );
}
