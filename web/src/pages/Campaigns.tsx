import { App, Button, Card, Col, Descriptions, Popconfirm, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, downloadStream, errorText, type Page, saveBlob } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { LoadError } from '../components/PageState.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { formatChinaMinute, formatFen, formatNumber } from '../format.ts';
import { may } from '../nav.ts';
import { useApi } from '../useApi.ts';
import { type CampaignDef, CampaignEditor } from './CampaignEditor.tsx';

interface Budget {
  status: CampaignDef['status'];
  total: {
    spentFen: number;
    budgetFen: number | null;
    remainingFen: number | null;
    prizes: number;
    prizesLimit: number | null;
    prizesRemaining: number | null;
  };
  today: Budget['total'];
}

interface Report {
  scans: number;
  claims: number;
  rewards: number;
  uniqueConsumers: number;
  costFen: number;
  points: number;
  redemptions: number;
  perDay: { day: string; claims: number; won: number }[];
}

interface Reward {
  id: number;
  code: string;
  consumerId: number;
  kind: string;
  tierName: string | null;
  amountFen: number;
  points: number;
  couponCode: string | null;
  status: 'awarded' | 'paid' | 'no_prize';
  claimedAt: string;
}

const STATUS_COLOR = { draft: 'default', active: 'green', paused: 'orange', ended: 'red' } as const;
const REFRESH_MS = 5_000;

/** 营销活动 / Campaigns: consumer scan campaigns, their editor, live budget, claims per day and the rewards ledger. */
export function CampaignsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useAuth();
  const canWrite = may('campaigns:write', me?.user.role);
  const list = useApi<{ items: CampaignDef[] }>('/campaigns');
  const [selected, setSelected] = useState<number | null>(null);
  const [editing, setEditing] = useState<CampaignDef | null | undefined>(undefined);
  const change = async (c: CampaignDef, status: 'active' | 'paused' | 'ended') => {
    try {
      await api(`/campaigns/${c.id}/status`, { method: 'POST', body: { status } });
      list.reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  const edit = async (id: number) => setEditing(await api<CampaignDef>(`/campaigns/${id}`));
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('campaigns.title')}
        </Typography.Title>
        {canWrite ? (
          <Button type="primary" onClick={() => setEditing(null)} data-testid="campaigns-new">
            {t('campaigns.new')}
          </Button>
        ) : null}
      </Space>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<CampaignDef>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 10 }}
        scroll={{ x: 900 }}
        data-testid="campaigns-table"
        onRow={(c) => ({ onClick: () => setSelected(c.id), style: { cursor: 'pointer' } })}
        rowClassName={(c) => (c.id === selected ? 'ant-table-row-selected' : '')}
        columns={[
          { key: 'name', title: t('campaigns.name'), dataIndex: 'name' },
          { key: 'type', title: t('campaigns.rewardType'), render: (_, c) => t(`campaigns.type.${c.reward.type}`) },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, c) => (
              <Tag color={STATUS_COLOR[c.status]} data-testid={`campaign-status-${c.id}`}>
                {t(`campaigns.status.${c.status}`)}
              </Tag>
            ),
          },
          {
            key: 'dates',
            title: t('campaigns.dates'),
            render: (_, c) => `${formatChinaMinute(c.startsAt)} – ${formatChinaMinute(c.endsAt)}`,
          },
          { key: 'prizes', title: t('campaigns.prizesAwarded'), align: 'right', render: (_, c) => formatNumber(c.prizesAwarded) },
          { key: 'spent', title: t('campaigns.spent'), align: 'right', render: (_, c) => formatFen(c.spentFen) },
          {
            key: 'actions',
            title: '',
            render: (_, c) =>
              canWrite && c.status !== 'ended' ? (
                <Space onClick={(e) => e.stopPropagation()}>
                  <Button size="small" onClick={() => edit(c.id)}>
                    {t('campaigns.edit')}
                  </Button>
                  {c.status === 'active' ? (
                    <Button size="small" onClick={() => change(c, 'paused')}>
                      {t('campaigns.pause')}
                    </Button>
                  ) : (
                    <Button size="small" type="primary" onClick={() => change(c, 'active')} data-testid={`campaign-activate-${c.id}`}>
                      {t('campaigns.activate')}
                    </Button>
                  )}
                  <Button size="small" danger onClick={() => change(c, 'ended')}>
                    {t('campaigns.end')}
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
      {selected !== null ? <CampaignDetail id={selected} /> : <Typography.Text type="secondary">{t('campaigns.pick')}</Typography.Text>}
      {editing !== undefined ? (
        <CampaignEditor
          campaign={editing}
          open
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setEditing(undefined);
            list.reload();
          }}
        />
      ) : null}
    </Space>
  );
}

function CampaignDetail({ id }: { id: number }) {
  const { t } = useTranslation();
  const { me } = useAuth();
  const mayReadConsumers = may('consumers:read', me?.user.role);
  // owed red packets and coupons are handed over outside (the export is the payout list), then marked paid here
  const mayPay = may('campaigns:write', me?.user.role);
  const { message } = App.useApp();
  const [toPay, setToPay] = useState<number[]>([]);
  const [paying, setPaying] = useState(false);
  const budget = useApi<Budget>(`/campaigns/${id}/budget`);
  const report = useApi<Report>(`/campaigns/${id}/report`);
  const [status, setStatus] = useState<Reward['status'] | undefined>();
  const [page, setPage] = useState(1);
  const ledger = useApi<Page<Reward>>('/campaign-rewards', { campaignId: id, status, page, pageSize: 20 });
  const { reload: reloadBudget } = budget;
  const markPaid = async () => {
    setPaying(true);
    try {
      const r = await api<{ paid: number }>(`/campaigns/${id}/rewards/paid`, { method: 'POST', body: { ids: toPay } });
      message.success(t('campaigns.markedPaid', { count: r.paid }));
      setToPay([]);
      reloadLedger();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setPaying(false);
    }
  };
  const { reload: reloadReport } = report;
  const { reload: reloadLedger } = ledger;
  // the live budget, and the ledger beside it: refreshed every few seconds while the page is open
  useEffect(() => {
    const timer = setInterval(() => {
      reloadBudget();
      reloadReport();
      reloadLedger();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reloadBudget, reloadReport, reloadLedger]);
  const chart = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('campaigns.claims'), t('campaigns.rewards')] },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: 'category', data: (report.data?.perDay ?? []).map((d) => d.day) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('campaigns.claims'), type: 'bar', data: (report.data?.perDay ?? []).map((d) => d.claims) },
        { name: t('campaigns.rewards'), type: 'bar', data: (report.data?.perDay ?? []).map((d) => d.won) },
      ],
    }),
    [report.data, t],
  );
  const money = (fen: number | null) => (fen === null ? t('campaigns.unlimited') : formatFen(fen));
  const count = (n: number | null) => (n === null ? t('campaigns.unlimited') : formatNumber(n));
  const b = budget.data;
  const exportLedger = async () => {
    const r = await downloadStream(`/campaign-rewards/export?campaignId=${id}${status ? `&status=${status}` : ''}`, {});
    if (r.blob) saveBlob(r.blob, r.fileName ?? `rewards-${id}.xlsx`);
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="campaign-detail">
      {budget.error ? <LoadError error={budget.error} onRetry={budget.reload} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Card title={t('campaigns.budgetTotalTitle')} size="small" data-testid="campaign-budget-total-card">
            <Space size="large" wrap>
              <Statistic title={t('campaigns.spent')} value={b ? formatFen(b.total.spentFen) : '—'} />
              <Statistic title={t('campaigns.remaining')} value={b ? money(b.total.remainingFen) : '—'} />
              <Statistic title={t('campaigns.prizesAwarded')} value={b?.total.prizes ?? '—'} data-testid="campaign-budget-prizes" />
              <Statistic title={t('campaigns.prizesRemaining')} value={b ? count(b.total.prizesRemaining) : '—'} />
            </Space>
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t('campaigns.budgetTodayTitle')} size="small">
            <Space size="large" wrap>
              <Statistic title={t('campaigns.spent')} value={b ? formatFen(b.today.spentFen) : '—'} />
              <Statistic title={t('campaigns.remaining')} value={b ? money(b.today.remainingFen) : '—'} />
              <Statistic title={t('campaigns.prizesAwarded')} value={b?.today.prizes ?? '—'} />
              <Statistic title={t('campaigns.prizesRemaining')} value={b ? count(b.today.prizesRemaining) : '—'} />
            </Space>
          </Card>
        </Col>
      </Row>
      {report.data ? (
        <Descriptions size="small" bordered column={{ xs: 1, sm: 3, md: 6 }} data-testid="campaign-report">
          <Descriptions.Item label={t('campaigns.scans')}>{formatNumber(report.data.scans)}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.claims')}>{formatNumber(report.data.claims)}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.uniqueConsumers')}>{formatNumber(report.data.uniqueConsumers)}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.cost')}>{formatFen(report.data.costFen)}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.points')}>{formatNumber(report.data.points)}</Descriptions.Item>
          <Descriptions.Item label={t('campaigns.redemptions')}>{formatNumber(report.data.redemptions)}</Descriptions.Item>
        </Descriptions>
      ) : null}
      <Card title={t('campaigns.claimsPerDay')} size="small">
        <Chart option={chart} height={260} testId="campaign-chart" />
      </Card>
      <Card
        title={t('campaigns.ledger')}
        size="small"
        extra={
          <Space>
            <Select
              allowClear
              placeholder={t('common.status')}
              style={{ width: 140 }}
              value={status}
              onChange={(v) => {
                setStatus(v);
                setPage(1);
              }}
              options={(['awarded', 'paid', 'no_prize'] as const).map((s) => ({ value: s, label: t(`campaigns.rewardStatus.${s}`) }))}
            />
            {mayPay ? (
              <Popconfirm title={t('campaigns.markPaidConfirm', { count: toPay.length })} onConfirm={markPaid} disabled={!toPay.length}>
                <Button disabled={!toPay.length} loading={paying} data-testid="campaign-mark-paid">
                  {t('campaigns.markPaid', { count: toPay.length })}
                </Button>
              </Popconfirm>
            ) : null}
            <Button onClick={exportLedger} data-testid="campaign-ledger-export">
              {t('campaigns.export')}
            </Button>
          </Space>
        }
      >
        <Table<Reward>
          rowKey="id"
          size="small"
          loading={ledger.loading}
          dataSource={ledger.data?.items ?? []}
          scroll={{ x: 800 }}
          pagination={{ current: page, pageSize: 20, total: ledger.data?.total ?? 0, onChange: setPage }}
          rowSelection={
            mayPay
              ? {
                  selectedRowKeys: toPay,
                  onChange: (keys) => setToPay(keys.map(Number)),
                  // a red packet or coupon still owed; a one-more ticket is redeemed at a store instead
                  getCheckboxProps: (r) => ({
                    disabled: r.status !== 'awarded' || (r.kind !== 'red_packet' && r.kind !== 'coupon'),
                    'data-testid': `ledger-select-${r.id}`,
                  }),
                }
              : undefined
          }
          columns={[
            { key: 'claimedAt', title: t('campaigns.claimedAt'), render: (_, r) => formatChinaMinute(r.claimedAt) },
            { key: 'code', title: t('campaigns.code'), render: (_, r) => <UnitCode epc={r.code} /> },
            {
              key: 'consumer',
              title: t('campaigns.consumer'),
              // the profile is its own permission (consumers:read, as the server's /consumers/:id checks it)
              render: (_, r) =>
                mayReadConsumers ? (
                  <Link to={`/consumers/${r.consumerId}`} data-testid={`ledger-consumer-${r.id}`}>
                    #{r.consumerId}
                  </Link>
                ) : (
                  `#${r.consumerId}`
                ),
            },
            {
              key: 'reward',
              title: t('campaigns.reward'),
              render: (_, r) =>
                r.kind === 'points'
                  ? `${r.points} ${t('campaigns.points')}`
                  : r.kind === 'red_packet'
                    ? `${r.tierName ?? ''} ${formatFen(r.amountFen)}`
                    : r.kind === 'one_more'
                      ? `${t('campaigns.oneMore')} (${formatFen(r.amountFen)})`
                      : r.kind === 'coupon'
                        ? (r.couponCode ?? '')
                        : '—',
            },
            { key: 'status', title: t('common.status'), render: (_, r) => t(`campaigns.rewardStatus.${r.status}`) },
          ]}
        />
      </Card>
    </Space>
  );
}
