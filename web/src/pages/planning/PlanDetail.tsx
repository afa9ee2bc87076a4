import { Alert, App, Button, Card, Descriptions, Input, InputNumber, Modal, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { orderableRefusal } from '../../../../src/modules/inventory/order-up-to.ts';
import { api, errorText } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { Chart, type ChartOption } from '../../components/Chart.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { may } from '../../nav.ts';
import { numberProblem, WHOLE } from '../../numberRules.ts';
import { useApi } from '../../useApi.ts';
import { PLAN_COLORS, type PlanSummary } from './Plans.tsx';

interface Line {
  lineNo: number;
  party: { code: string; name: string; kind: string };
  seller: { code: string };
  sku: string;
  name: string;
  meanDaily: number;
  sdDaily: number;
  leadTimeDays: number;
  demandLR: number;
  safetyStock: number;
  orderUpTo: number;
  onHand: number;
  inTransit: number;
  onOrder: number;
  suggested: number;
  /** units per case of the SKU; null when it has none */
  caseSize: number | null;
  /** units a quantity goes up in: whole cases, and multiples of the order rule (their least common multiple) */
  orderStep: number;
  /** the order rule's minimum, null without one */
  minQty: number | null;
  adjusted: number | null;
  difference: number;
  final: number;
  reason: string | null;
  forecastModel: string | null;
  forecastFallback: string | null;
}
interface Plan extends Omit<PlanSummary, 'lines'> {
  lines: Line[];
  note: string | null;
  forecaster: string;
  historyDays: number;
  drafts: { party: string; draftId: number }[];
  forecasts?: { model: string | null; fallback: string | null; lines: number }[];
}

/** One plan: every input per line; the distributor adjusts and accepts, the brand shares, accepts or sends back. */
export function PlanDetailPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const { me } = useAuth();
  const { message } = App.useApp();
  const role = me?.user.role;
  const brand = may('plans:write', role);
  const distributor = may('plans:respond', role);
  const plan = useApi<Plan>(`/planning/plans/${id}`);
  const [edits, setEdits] = useState<Record<number, { quantity?: number; reason?: string }>>({});
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const p = plan.data;
  // a quantity with its cases where the SKU has a case size ("9 cases of 12 · 108 units", "1 case of 24"), else the units alone
  const quantityText = (units: number, caseSize: number | null) =>
    caseSize ? t('plans.inCases', { count: Math.round((units / caseSize) * 100) / 100, size: caseSize, units }) : String(units);
  const editable = distributor && p?.status === 'shared';

  const act = async (action: string, body?: unknown) => {
    setBusy(action);
    setProblem(undefined);
    try {
      await api(`/planning/plans/${id}/${action}`, { method: 'POST', body });
      message.success(t(`plans.done.${action}`));
      plan.reload();
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(undefined);
    }
  };
  // a line's final quantity: a whole number, not below 0 (numberRules.ts), and one the seller takes: 0, or at least
  // the minimum in whole cases (and the order rule's multiple), as the API holds it (inventory's orderableRefusal)
  const lineQtyProblem = (l: Line) => {
    const quantity = edits[l.lineNo]?.quantity;
    const typed = numberProblem(quantity, { ...WHOLE, min: 0 });
    if (typed || quantity == null) return typed;
    // orderStep is already whole cases: it stands for the case and the rule's multiple together
    const refusal = orderableRefusal(quantity, { minQty: l.minQty, multipleOf: l.orderStep });
    if (!refusal) return null;
    if (refusal.reason === 'below_minimum') return t('plans.atLeastMinimum', { min: refusal.min });
    return l.caseSize ? t('plans.wholeCases', { step: refusal.step, size: l.caseSize }) : t('plans.multipleOf', { step: refusal.step });
  };
  const editsWrong = (p?.lines ?? []).some((l) => edits[l.lineNo] && lineQtyProblem(l));
  const saveEdits = async () => {
    if (!p || editsWrong) return;
    const lines = Object.entries(edits).map(([lineNo, e]) => {
      const line = p.lines.find((l) => l.lineNo === Number(lineNo)) as Line;
      return { lineNo: Number(lineNo), quantity: e.quantity ?? line.final, reason: e.reason ?? line.reason ?? undefined };
    });
    if (!lines.length) return;
    setBusy('adjust');
    setProblem(undefined);
    try {
      await api(`/planning/plans/${id}/lines`, { method: 'PATCH', body: { lines } });
      setEdits({});
      message.success(t('plans.done.adjust'));
      plan.reload();
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(undefined);
    }
  };
  const askNote = (action: 'send-back' | 'reject') => {
    let note = '';
    Modal.confirm({
      title: t(`plans.actions.${action}`),
      content: <Input.TextArea rows={3} maxLength={1000} onChange={(e) => (note = e.target.value)} data-testid="plan-note" />,
      okButtonProps: { 'data-testid': 'plan-note-ok' } as never,
      onOk: () => act(action, note ? { note } : {}),
    });
  };

  const chart = useMemo<ChartOption | null>(() => {
    if (!p?.lines.length) return null;
    const names = p.lines.map((l) => `${l.party.code} ${l.sku}`);
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('plans.suggested'), t('plans.final')] },
      grid: { left: 48, right: 16, bottom: 80, top: 32 },
      xAxis: { type: 'category', data: names, axisLabel: { rotate: 40 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('plans.suggested'), type: 'bar', data: p.lines.map((l) => l.suggested) },
        { name: t('plans.final'), type: 'bar', data: p.lines.map((l) => l.final) },
      ],
    };
  }, [p, t]);

  const forecastText = (model: string | null, fallback: string | null) =>
    model === null ? '—' : fallback ? t(`plans.fallback.${fallback}`) : t(`forecasts.models.${model}`, { defaultValue: model });
  const forecastTag = (model: string | null, fallback: string | null, testId?: string, suffix = '') => (
    <Tag
      color={fallback ? 'gold' : model && model !== 'sell_through_mean' ? 'blue' : undefined}
      data-testid={testId}
      data-model={model ?? ''}
      data-fallback={fallback ?? ''}
    >
      {forecastText(model, fallback)}
      {suffix}
    </Tag>
  );

  if (plan.error) return <LoadError error={plan.error} onRetry={plan.reload} />;
  if (!p) return null;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          <Link to="/planning/plans">{t('plans.title')}</Link> / {p.distributor.name} ({p.distributor.code})
        </Typography.Title>
        <Tag color={PLAN_COLORS[p.status]} data-testid="plan-status" data-status={p.status}>
          {t(`plans.states.${p.status}`)}
        </Tag>
      </Space>
      <Descriptions size="small" column={4} bordered>
        <Descriptions.Item label={t('plans.asOf')}>{p.asOf}</Descriptions.Item>
        <Descriptions.Item label={t('plans.serviceLevel')}>{(p.serviceLevel * 100).toFixed(1)}%</Descriptions.Item>
        <Descriptions.Item label={t('plans.reviewDays')}>{p.reviewDays}</Descriptions.Item>
        <Descriptions.Item label={t('plans.horizonDays')}>{p.horizonDays}</Descriptions.Item>
        <Descriptions.Item label={t('plans.suggestedUnits')}>{p.suggestedUnits}</Descriptions.Item>
        <Descriptions.Item label={t('plans.finalUnits')}>{p.finalUnits}</Descriptions.Item>
        <Descriptions.Item label={t('plans.adjustedLines')}>{p.adjustedLines}</Descriptions.Item>
        <Descriptions.Item label={t('plans.forecaster')}>
          {t(`plans.forecasters.${p.forecaster}`, { defaultValue: p.forecaster })}
        </Descriptions.Item>
        {p.forecasts?.length ? (
          <Descriptions.Item label={t('plans.forecastUse')} span={4}>
            <Space wrap data-testid="plan-forecasts">
              {p.forecasts.map((u) => (
                <span key={`${u.model}|${u.fallback}`}>{forecastTag(u.model, u.fallback, undefined, ` × ${u.lines}`)}</span>
              ))}
            </Space>
          </Descriptions.Item>
        ) : null}
      </Descriptions>
      {p.note ? <Alert type="info" title={t('plans.note')} description={p.note} /> : null}
      {p.drafts.length ? (
        <Alert
          type="success"
          data-testid="plan-drafts"
          title={t('plans.draftsMade')}
          description={
            <Space wrap>
              {p.drafts.map((d) => (
                <Tag key={d.draftId} data-testid={`plan-draft-${d.party}`}>
                  {d.party}: #{d.draftId}
                </Tag>
              ))}
            </Space>
          }
        />
      ) : null}
      <Space wrap>
        {brand && p.status === 'draft' && !p.lines.length ? (
          <Typography.Text type="secondary" data-testid="plan-empty">
            {t('plans.emptyPlan')}
          </Typography.Text>
        ) : null}
        {brand && p.status === 'draft' && p.lines.length ? (
          <Button type="primary" loading={busy === 'share'} onClick={() => act('share')} data-testid="plan-share">
            {t('plans.actions.share')}
          </Button>
        ) : null}
        {editable ? (
          <>
            <Button
              onClick={saveEdits}
              loading={busy === 'adjust'}
              disabled={!Object.keys(edits).length || editsWrong}
              data-testid="plan-save-adjustments"
            >
              {t('plans.actions.save')}
            </Button>
            <Button
              type="primary"
              loading={busy === 'accept'}
              disabled={!!Object.keys(edits).length}
              onClick={() => act('accept')}
              data-testid="plan-accept"
            >
              {t('plans.actions.acceptDistributor')}
            </Button>
          </>
        ) : null}
        {brand && p.status === 'adjusted' ? (
          <>
            <Button type="primary" loading={busy === 'accept'} onClick={() => act('accept')} data-testid="plan-accept">
              {t('plans.actions.acceptBrand')}
            </Button>
            <Button onClick={() => askNote('send-back')} data-testid="plan-send-back">
              {t('plans.actions.send-back')}
            </Button>
          </>
        ) : null}
        {(brand && ['draft', 'shared', 'adjusted'].includes(p.status)) || (distributor && p.status === 'shared') ? (
          <Button danger onClick={() => askNote('reject')} data-testid="plan-reject">
            {t('plans.actions.reject')}
          </Button>
        ) : null}
      </Space>
      {problem ? <Alert type="error" showIcon title={problem} data-testid="plan-problem" /> : null}
      {chart ? (
        <Card size="small" title={t('plans.chart')}>
          <Chart option={chart} height={280} testId="plan-chart" />
        </Card>
      ) : null}
      <Table<Line>
        rowKey="lineNo"
        size="small"
        data-testid="plan-lines"
        dataSource={p.lines}
        pagination={{ pageSize: 100 }}
        scroll={{ x: 1800 }}
        columns={[
          { title: '#', dataIndex: 'lineNo', width: 50 },
          { title: t('plans.party'), render: (_: unknown, l: Line) => `${l.party.name} (${l.party.code})` },
          { title: 'SKU', dataIndex: 'sku' },
          { title: t('plans.product'), dataIndex: 'name' },
          {
            title: t('plans.forecastModel'),
            render: (_: unknown, l: Line) => forecastTag(l.forecastModel, l.forecastFallback, `line-forecast-${l.lineNo}`),
          },
          { title: t('plans.meanDaily'), dataIndex: 'meanDaily' },
          { title: t('plans.sdDaily'), dataIndex: 'sdDaily' },
          { title: t('plans.leadTime'), dataIndex: 'leadTimeDays' },
          { title: t('plans.demandLR'), dataIndex: 'demandLR' },
          { title: t('plans.safetyStock'), dataIndex: 'safetyStock' },
          { title: t('plans.orderUpTo'), dataIndex: 'orderUpTo' },
          { title: t('plans.onHand'), dataIndex: 'onHand' },
          { title: t('plans.inTransit'), dataIndex: 'inTransit' },
          { title: t('plans.onOrder'), dataIndex: 'onOrder' },
          {
            title: <Tooltip title={t('plans.suggestedHint')}>{t('plans.suggested')}</Tooltip>,
            render: (_: unknown, l: Line) => (
              <span data-testid={`line-suggested-${l.lineNo}`}>{quantityText(l.suggested, l.caseSize)}</span>
            ),
          },
          {
            title: t('plans.final'),
            render: (_: unknown, l: Line) =>
              editable ? (
                <Space direction="vertical" size={0}>
                  {/* a wrong quantity stays as typed and says why; the adjustments are not saved until it is right */}
                  <InputNumber
                    value={edits[l.lineNo]?.quantity ?? l.final}
                    step={l.orderStep}
                    status={lineQtyProblem(l) ? 'error' : undefined}
                    onChange={(v) => setEdits((e) => ({ ...e, [l.lineNo]: { ...e[l.lineNo], quantity: v ?? undefined } }))}
                    data-testid={`line-qty-${l.lineNo}`}
                  />
                  {lineQtyProblem(l) ? (
                    <Typography.Text type="danger" data-testid={`line-qty-error-${l.lineNo}`}>
                      {lineQtyProblem(l)}
                    </Typography.Text>
                  ) : l.caseSize ? (
                    <Typography.Text type="secondary" data-testid={`line-qty-cases-${l.lineNo}`}>
                      {quantityText(edits[l.lineNo]?.quantity ?? l.final, l.caseSize)}
                    </Typography.Text>
                  ) : null}
                </Space>
              ) : (
                <span data-testid={`line-final-${l.lineNo}`}>{quantityText(l.final, l.caseSize)}</span>
              ),
          },
          {
            title: t('plans.difference'),
            render: (_: unknown, l: Line) => {
              const d = (edits[l.lineNo]?.quantity ?? l.final) - l.suggested;
              return <Typography.Text type={d < 0 ? 'danger' : d > 0 ? 'success' : undefined}>{d > 0 ? `+${d}` : d}</Typography.Text>;
            },
          },
          {
            title: t('plans.reason'),
            render: (_: unknown, l: Line) =>
              editable ? (
                <Input
                  maxLength={500}
                  value={edits[l.lineNo]?.reason ?? l.reason ?? ''}
                  onChange={(ev) => setEdits((e) => ({ ...e, [l.lineNo]: { ...e[l.lineNo], reason: ev.target.value } }))}
                  data-testid={`line-reason-${l.lineNo}`}
                />
              ) : (
                l.reason
              ),
          },
        ]}
      />
    </Space>
  );
}
