import { Alert, App as AntApp, Button, Card, Col, Form, InputNumber, Progress, Row, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { LoadError } from '../components/PageState.tsx';
import { formatDateTime, locale } from '../format.ts';
import { may } from '../nav.ts';
import { problemFields } from '../problemFields.ts';
import { useApi } from '../useApi.ts';

type Level = 'brand' | 'distributors' | 'stores';
const LEVELS: Level[] = ['brand', 'distributors', 'stores'];

interface TargetCheck {
  value: number | null;
  target: number;
  met: boolean;
}
interface PolicyResult {
  policy: 'baseline' | 'throughline';
  fillRate: number;
  stockOutRate: number;
  stockTurns: number | null;
  orderCycleDays: number | null;
  averageStock: number;
  lostUnits: number;
  demandUnits: number;
  pushedUnits: number;
  levels: Record<Level, { averageStock: number; stockTurns: number | null; orderCycleDays: number | null }>;
  targets: { stockTurns: TargetCheck; stockOutRate: TargetCheck; orderCycleDays: TargetCheck };
  series: { stock: Record<Level, number[]>; weeklyFillRate: number[] };
}
interface Run {
  id: number;
  status: 'running' | 'done' | 'failed';
  /** waiting for the job queue (another long job runs first) */
  queued: boolean;
  params: { days: number; distributors: number; stores: number; skus: number; seed: number };
  progress: { done: number; total: number };
  result?: { demandSource: string; policies: PolicyResult[]; elapsedMs: number } | null;
  error: string | null;
  createdAt: string;
}

const pct = (x: number | null | undefined) => (x == null ? '-' : `${(x * 100).toFixed(2)}%`);
const num = (x: number | null | undefined, d = 2) => (x == null ? '-' : x.toLocaleString(locale(), { maximumFractionDigits: d }));
const COLORS: Record<string, string> = { baseline: '#d4380d', throughline: '#1677ff' };

/**
 * The channel simulator: the latest runs, a form to start a small one (the full channel runs from the CLI), and a
 * finished run's two policies side by side against the brands' targets, with stock per level over time, the weekly
 * fill rate and the stock turns per level.
 */
export function SimulationPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm();
  const canRun = may('simulations:run', me?.user.role);
  const runs = useApi<{ runs: Run[] }>('/planning/simulations');
  const [selected, setSelected] = useState<number | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [starting, setStarting] = useState(false);

  const latest = runs.data?.runs[0]?.id ?? null;
  const shown = selected ?? latest;
  // the selected run, polled every second while it runs
  useEffect(() => {
    if (shown == null) return;
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const r = await api<Run>(`/planning/simulations/${shown}`);
        if (stop) return;
        setRun(r);
        if (r.status === 'running') timer = setTimeout(load, 1000);
        else runs.reload();
      } catch {
        // the list shows the load error
      }
    };
    void load();
    return () => {
      stop = true;
      if (timer) clearTimeout(timer);
    };
  }, [shown, runs.reload]);

  const start = async (values: Record<string, number | string | undefined>) => {
    setStarting(true);
    // the errors of an earlier refusal go with it
    form.setFields(Object.keys(values).map((name) => ({ name, errors: [] })));
    try {
      const body = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ''));
      const r = await api<Run>('/planning/simulations', { method: 'POST', body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
      setSelected(r.id);
      runs.reload();
    } catch (e) {
      const fields = problemFields(e);
      if (fields.length) form.setFields(fields);
      else message.error(e instanceof ApiError ? (e.problem.detail ?? e.message) : String(e));
    } finally {
      setStarting(false);
    }
  };

  const policies = run?.status === 'done' ? (run.result?.policies ?? []) : [];

  const stockChart = useMemo<ChartOption>(() => {
    const days = policies[0]?.series.stock.stores.length ?? 0;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 56, bottom: 32 },
      xAxis: { type: 'category', name: t('simulation.day'), data: Array.from({ length: days }, (_, i) => i + 1) },
      yAxis: { type: 'value', name: t('simulation.units') },
      series: policies.flatMap((p) =>
        LEVELS.map((l, i) => ({
          name: `${t(`simulation.policy.${p.policy}`)} · ${t(`simulation.level.${l}`)}`,
          type: 'line',
          showSymbol: false,
          lineStyle: { color: COLORS[p.policy], type: (['solid', 'dashed', 'dotted'] as const)[i] },
          itemStyle: { color: COLORS[p.policy] },
          data: p.series.stock[l],
        })),
      ),
    };
  }, [policies, t]);

  const fillChart = useMemo<ChartOption>(() => {
    const weeks = policies[0]?.series.weeklyFillRate.length ?? 0;
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => pct(Number(v)) },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 32 },
      xAxis: { type: 'category', name: t('simulation.week'), data: Array.from({ length: weeks }, (_, i) => i + 1) },
      yAxis: {
        type: 'value',
        min: (v: { min: number }) => Math.floor(v.min * 20) / 20,
        max: 1,
        axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` },
      },
      series: policies.map((p) => ({
        name: t(`simulation.policy.${p.policy}`),
        type: 'line',
        showSymbol: false,
        itemStyle: { color: COLORS[p.policy] },
        data: p.series.weeklyFillRate,
      })),
    };
  }, [policies, t]);

  const turnsChart = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: [...LEVELS.map((l) => t(`simulation.level.${l}`)), t('simulation.level.channel')] },
      yAxis: { type: 'value', name: t('simulation.turnsPerYear') },
      series: policies.map((p) => ({
        name: t(`simulation.policy.${p.policy}`),
        type: 'bar',
        itemStyle: { color: COLORS[p.policy] },
        data: [...LEVELS.map((l) => p.levels[l].stockTurns), p.stockTurns],
      })),
    }),
    [policies, t],
  );

  const metric = (label: string, get: (p: PolicyResult) => string, target?: (p: PolicyResult) => TargetCheck) => ({
    key: label,
    label,
    ...Object.fromEntries(
      policies.map((p) => [
        p.policy,
        <Space key={p.policy}>
          {get(p)}
          {target ? <Tag color={target(p).met ? 'green' : 'red'}>{t(target(p).met ? 'simulation.met' : 'simulation.missed')}</Tag> : null}
        </Space>,
      ]),
    ),
  });
  const rows = policies.length
    ? [
        metric(t('simulation.metric.fillRate'), (p) => pct(p.fillRate)),
        metric(
          t('simulation.metric.stockOutRate'),
          (p) => pct(p.stockOutRate),
          (p) => p.targets.stockOutRate,
        ),
        metric(
          t('simulation.metric.stockTurns'),
          (p) => num(p.stockTurns),
          (p) => p.targets.stockTurns,
        ),
        metric(
          t('simulation.metric.orderCycle'),
          (p) => num(p.orderCycleDays),
          (p) => p.targets.orderCycleDays,
        ),
        ...LEVELS.map((l) =>
          metric(`${t('simulation.metric.averageStock')} · ${t(`simulation.level.${l}`)}`, (p) => num(p.levels[l].averageStock, 0)),
        ),
        metric(t('simulation.metric.lostUnits'), (p) => num(p.lostUnits, 0)),
        metric(t('simulation.metric.pushedUnits'), (p) => num(p.pushedUnits, 0)),
      ]
    : [];

  if (runs.error) return <LoadError error={runs.error} onRetry={runs.reload} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="simulation-page">
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('simulation.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t('simulation.intro')}
      </Typography.Paragraph>
      <Row gutter={16}>
        {canRun ? (
          <Col xs={24} lg={10}>
            <Card title={t('simulation.start')} size="small">
              <Form
                form={form}
                layout="inline"
                onFinish={start}
                initialValues={{ days: 365, distributors: 10, stores: 500, skus: 10, seed: 1, policy: 'both' }}
              >
                {(['days', 'distributors', 'stores', 'skus', 'seed'] as const).map((f) => (
                  <Form.Item key={f} name={f} label={t(`simulation.param.${f}`)} style={{ marginBottom: 8 }}>
                    <InputNumber data-testid={`sim-${f}`} style={{ width: 100 }} />
                  </Form.Item>
                ))}
                <Form.Item name="policy" label={t('simulation.param.policy')} style={{ marginBottom: 8 }}>
                  <Select
                    style={{ width: 160 }}
                    options={['both', 'baseline', 'throughline'].map((v) => ({ value: v, label: t(`simulation.policy.${v}`) }))}
                  />
                </Form.Item>
                <Form.Item name="serviceLevel" label={t('simulation.param.serviceLevel')} style={{ marginBottom: 8 }}>
                  <InputNumber step={0.01} placeholder="0.98" style={{ width: 100 }} />
                </Form.Item>
                <Button type="primary" htmlType="submit" loading={starting} data-testid="sim-start">
                  {t('simulation.run')}
                </Button>
              </Form>
              <Typography.Text type="secondary">{t('simulation.limits')}</Typography.Text>
            </Card>
          </Col>
        ) : null}
        <Col xs={24} lg={canRun ? 14 : 24}>
          <Card title={t('simulation.runs')} size="small">
            <Table<Run>
              size="small"
              rowKey="id"
              loading={runs.loading && !runs.data}
              dataSource={runs.data?.runs ?? []}
              pagination={{ pageSize: 5 }}
              onRow={(r) => ({ onClick: () => setSelected(r.id), style: { cursor: 'pointer' } })}
              rowClassName={(r) => (r.id === shown ? 'ant-table-row-selected' : '')}
              columns={[
                { title: '#', dataIndex: 'id', width: 60 },
                {
                  title: t('simulation.channel'),
                  render: (_, r) => t('simulation.channelSize', { ...r.params }),
                },
                {
                  title: t('simulation.status'),
                  render: (_, r) =>
                    r.status === 'running' && r.queued ? (
                      <Tag>{t('simulation.queued')}</Tag>
                    ) : r.status === 'running' ? (
                      <Progress percent={Math.floor((100 * r.progress.done) / r.progress.total)} size="small" />
                    ) : (
                      <Tag color={r.status === 'done' ? 'green' : 'red'}>{t(`simulation.state.${r.status}`)}</Tag>
                    ),
                },
                { title: t('simulation.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
              ]}
            />
          </Card>
        </Col>
      </Row>
      {run?.status === 'running' && run.queued ? <Alert type="info" message={t('simulation.queuedNote')} /> : null}
      {run?.status === 'running' && !run.queued ? (
        <Card size="small">
          <Progress data-testid="sim-progress" percent={Math.floor((100 * run.progress.done) / run.progress.total)} />
        </Card>
      ) : null}
      {run?.status === 'failed' ? <Alert type="error" message={t('simulation.failed')} description={run.error} /> : null}
      {policies.length ? (
        <>
          <Card
            size="small"
            title={t('simulation.resultOf', { id: run?.id })}
            extra={run?.result?.demandSource === 'synthetic' ? <Tag>{t('simulation.synthetic')}</Tag> : <Tag>{t('simulation.m5')}</Tag>}
          >
            <Table
              data-testid="sim-result"
              size="small"
              pagination={false}
              dataSource={rows}
              columns={[
                { title: '', dataIndex: 'label' },
                ...policies.map((p) => ({ title: t(`simulation.policy.${p.policy}`), dataIndex: p.policy })),
              ]}
            />
          </Card>
          <Card size="small" title={t('simulation.chart.stock')}>
            <Chart option={stockChart} height={360} testId="sim-chart-stock" />
          </Card>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('simulation.chart.fill')}>
                <Chart option={fillChart} testId="sim-chart-fill" />
              </Card>
            </Col>
            <Col xs={24} lg={12}>
              <Card size="small" title={t('simulation.chart.turns')}>
                <Chart option={turnsChart} testId="sim-chart-turns" />
              </Card>
            </Col>
          </Row>
        </>
      ) : null}
    </Space>
  );
}
