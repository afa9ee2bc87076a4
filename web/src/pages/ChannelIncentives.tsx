import { Alert, App, Button, Form, Input, InputNumber, Modal, Progress, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, downloadStream, errorText, saveBlob } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LoadError } from '../components/PageState.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { formatDateTime, formatFen } from '../format.ts';
import { may } from '../nav.ts';
import { numberRule, YUAN } from '../numberRules.ts';
import { problemFields, yuanToFen } from '../problemFields.ts';
import { useApi } from '../useApi.ts';

const KINDS = ['clerk_sell', 'distributor_rebate', 'sellout_rebate', 'open_case', 'one_more'] as const;
type Kind = (typeof KINDS)[number];
type Status = 'draft' | 'active' | 'paused' | 'ended';

interface Program {
  id: number;
  name: string;
  kind: Kind;
  status: Status;
  skus: string[];
  regionPrefixes: string[];
  startsAt: string;
  endsAt: string | null;
  per: 'unit' | 'case';
  amountFen: number;
  upstreamAmountFen: number;
  totalBudgetFen: number;
  dailyBudgetFen: number | null;
  perPayeeCapFen: number | null;
  spentFen: number;
  spentTodayFen: number;
  remainingFen: number;
  payouts: number;
}

interface Payout {
  id: number;
  program: string;
  kind: Kind;
  code: string;
  payeeRole: 'clerk' | 'store' | 'distributor';
  party: { code: string; name: string };
  clerk: { username: string; name: string } | null;
  units: number;
  amountFen: number;
  at: string;
}

interface ProgramForm {
  name: string;
  kind: Kind;
  skus: string[];
  regionPrefixes: string[];
  startsAt: string;
  endsAt?: string;
  per: 'unit' | 'case';
  amountYuan: number;
  upstreamYuan?: number;
  totalYuan: number;
  dailyYuan?: number | null;
  capYuan?: number | null;
}

const STATUS_COLOR: Record<Status, string> = { draft: 'default', active: 'green', paused: 'orange', ended: 'red' };

/** 渠道激励: programs with their live budget (marketing), and the payout ledger (each payee its own earnings). */
export function ChannelIncentivesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const role = me?.user.role;
  const staff = may('channel_incentives:read', role);
  const [editing, setEditing] = useState<Program | 'new' | null>(null);
  const [program, setProgram] = useState<number | undefined>();
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('channelIncentives.title')}
      </Typography.Title>
      {staff ? (
        <Programs onEdit={setEditing} onPayouts={setProgram} canWrite={may('channel_incentives:write', role)} editing={editing} />
      ) : null}
      <Payouts program={program} onProgram={setProgram} staff={staff} />
    </Space>
  );
}

function Programs({
  onEdit,
  onPayouts,
  canWrite,
  editing,
}: {
  onEdit: (p: Program | 'new' | null) => void;
  onPayouts: (id: number) => void;
  canWrite: boolean;
  editing: Program | 'new' | null;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const list = useApi<{ items: Program[] }>('/channel-programs');
  const setStatus = async (p: Program, status: Status) => {
    try {
      await api(`/channel-programs/${p.id}/status`, { method: 'POST', body: { status } });
      message.success(t(`channelIncentives.statusDone.${status}`, { name: p.name }));
      list.reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('channelIncentives.programs')}
        </Typography.Title>
        {canWrite ? (
          <Button type="primary" onClick={() => onEdit('new')} data-testid="channel-program-new">
            {t('channelIncentives.new')}
          </Button>
        ) : null}
      </Space>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<Program>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        scroll={{ x: 1100 }}
        data-testid="channel-programs-table"
        columns={[
          { key: 'name', title: t('channelIncentives.name'), dataIndex: 'name' },
          { key: 'kind', title: t('channelIncentives.kind'), render: (_, p) => t(`channelIncentives.kinds.${p.kind}`) },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, p) => (
              <Tag color={STATUS_COLOR[p.status]} data-testid={`channel-program-status-${p.id}`}>
                {t(`channelIncentives.status.${p.status}`)}
              </Tag>
            ),
          },
          {
            key: 'amount',
            title: t('channelIncentives.amount'),
            align: 'right',
            render: (_, p) =>
              `${formatFen(p.amountFen)} / ${t(`channelIncentives.per.${p.per}`)}${p.upstreamAmountFen ? ` + ${formatFen(p.upstreamAmountFen)}` : ''}`,
          },
          {
            key: 'budget',
            title: t('channelIncentives.budget'),
            render: (_, p) => (
              <Space direction="vertical" size={0} data-testid={`channel-program-budget-${p.id}`}>
                <Progress
                  size="small"
                  style={{ width: 160, margin: 0 }}
                  percent={Math.min(100, Math.round((100 * p.spentFen) / p.totalBudgetFen))}
                  status={p.remainingFen <= 0 ? 'exception' : 'active'}
                />
                <Typography.Text type="secondary">
                  {t('channelIncentives.spent', { spent: formatFen(p.spentFen), total: formatFen(p.totalBudgetFen) })}
                  {p.dailyBudgetFen
                    ? ` · ${t('channelIncentives.today', { spent: formatFen(p.spentTodayFen), daily: formatFen(p.dailyBudgetFen) })}`
                    : ''}
                </Typography.Text>
              </Space>
            ),
          },
          { key: 'payouts', title: t('channelIncentives.payouts'), dataIndex: 'payouts', align: 'right' },
          {
            key: 'window',
            title: t('channelIncentives.window'),
            render: (_, p) => `${formatDateTime(p.startsAt)} – ${p.endsAt ? formatDateTime(p.endsAt) : '∞'}`,
          },
          {
            key: 'actions',
            title: t('common.actions'),
            render: (_, p) => (
              <Space wrap>
                <Button size="small" onClick={() => onPayouts(p.id)} data-testid={`channel-program-payouts-${p.id}`}>
                  {t('channelIncentives.ledger')}
                </Button>
                {canWrite && p.status !== 'ended' ? (
                  <Button size="small" onClick={() => onEdit(p)}>
                    {t('common.edit')}
                  </Button>
                ) : null}
                {canWrite && (p.status === 'draft' || p.status === 'paused') ? (
                  <Button
                    size="small"
                    type="primary"
                    onClick={() => setStatus(p, 'active')}
                    data-testid={`channel-program-activate-${p.id}`}
                  >
                    {t('channelIncentives.activate')}
                  </Button>
                ) : null}
                {canWrite && p.status === 'active' ? (
                  <Button size="small" onClick={() => setStatus(p, 'paused')} data-testid={`channel-program-pause-${p.id}`}>
                    {t('channelIncentives.pause')}
                  </Button>
                ) : null}
                {canWrite && p.status !== 'ended' ? (
                  <Button size="small" danger onClick={() => setStatus(p, 'ended')}>
                    {t('channelIncentives.end')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <ProgramModal
        editing={editing}
        onClose={() => onEdit(null)}
        onSaved={() => {
          onEdit(null);
          list.reload();
        }}
      />
    </>
  );
}

const fenToYuan = (fen: number | null | undefined) => (fen == null ? undefined : fen / 100);
const localInput = (iso: string | null | undefined) => {
  if (!iso) return undefined;
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const asInstant = (v: string | undefined) => {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
};

function ProgramModal({ editing, onClose, onSaved }: { editing: Program | 'new' | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ProgramForm>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const existing = editing && editing !== 'new' ? editing : null;
  const kind = Form.useWatch('kind', form);
  const save = async (v: ProgramForm) => {
    setBusy(true);
    setProblem(null);
    try {
      const body = {
        name: v.name.trim(),
        kind: v.kind,
        skus: v.skus ?? [],
        regionPrefixes: v.regionPrefixes ?? [],
        startsAt: asInstant(v.startsAt),
        endsAt: asInstant(v.endsAt),
        per: v.per,
        amountFen: yuanToFen(v.amountYuan),
        ...(v.kind === 'sellout_rebate' ? { upstreamAmountFen: yuanToFen(v.upstreamYuan) } : {}),
        totalBudgetFen: yuanToFen(v.totalYuan),
        dailyBudgetFen: v.dailyYuan ? yuanToFen(v.dailyYuan) : null,
        perPayeeCapFen: v.capYuan ? yuanToFen(v.capYuan) : null,
      };
      if (existing) await api(`/channel-programs/${existing.id}`, { method: 'PUT', body });
      else await api('/channel-programs', { method: 'POST', body });
      message.success(t('channelIncentives.saved', { name: body.name }));
      onSaved();
    } catch (e) {
      setProblem(errorText(e));
      form.setFields(
        problemFields(e, {
          amountFen: 'amountYuan',
          upstreamAmountFen: 'upstreamYuan',
          totalBudgetFen: 'totalYuan',
          dailyBudgetFen: 'dailyYuan',
          perPayeeCapFen: 'capYuan',
        }) as never,
      );
    } finally {
      setBusy(false);
    }
  };
  const required = [{ required: true, message: t('pricing.required') }];
  return (
    <Modal
      open={editing !== null}
      onCancel={onClose}
      title={existing ? t('channelIncentives.edit', { name: existing.name }) : t('channelIncentives.new')}
      onOk={() => form.submit()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'channel-program-save' } as never}
      width={640}
      destroyOnHidden
    >
      <Form<ProgramForm>
        form={form}
        layout="vertical"
        onFinish={save}
        preserve={false}
        initialValues={
          existing
            ? {
                name: existing.name,
                kind: existing.kind,
                skus: existing.skus,
                regionPrefixes: existing.regionPrefixes,
                startsAt: localInput(existing.startsAt),
                endsAt: localInput(existing.endsAt),
                per: existing.per,
                amountYuan: fenToYuan(existing.amountFen),
                upstreamYuan: fenToYuan(existing.upstreamAmountFen),
                totalYuan: fenToYuan(existing.totalBudgetFen),
                dailyYuan: fenToYuan(existing.dailyBudgetFen),
                capYuan: fenToYuan(existing.perPayeeCapFen),
              }
            : { kind: 'clerk_sell', per: 'unit', skus: [], regionPrefixes: [], startsAt: localInput(new Date().toISOString()) }
        }
      >
        <Form.Item name="name" label={t('channelIncentives.name')} rules={required}>
          <Input maxLength={100} data-testid="channel-program-name" />
        </Form.Item>
        <Space align="start" wrap>
          <Form.Item name="kind" label={t('channelIncentives.kind')} rules={required}>
            <Select
              style={{ width: 240 }}
              disabled={!!existing}
              data-testid="channel-program-kind"
              options={KINDS.map((k) => ({ value: k, label: t(`channelIncentives.kinds.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="per" label={t('channelIncentives.perLabel')}>
            <Select
              style={{ width: 140 }}
              options={(['unit', 'case'] as const).map((p) => ({ value: p, label: t(`channelIncentives.per.${p}`) }))}
            />
          </Form.Item>
        </Space>
        <Space align="start" wrap>
          <Form.Item name="skus" label={t('channelIncentives.skus')} tooltip={t('channelIncentives.allIfEmpty')}>
            <Select mode="tags" style={{ width: 280 }} tokenSeparators={[',', ' ']} />
          </Form.Item>
          <Form.Item name="regionPrefixes" label={t('channelIncentives.regions')} tooltip={t('channelIncentives.regionsHelp')}>
            <Select mode="tags" style={{ width: 280 }} tokenSeparators={[',', ' ']} />
          </Form.Item>
        </Space>
        <Space align="start" wrap>
          <Form.Item name="startsAt" label={t('channelIncentives.startsAt')} rules={required}>
            <Input type="datetime-local" />
          </Form.Item>
          <Form.Item name="endsAt" label={t('channelIncentives.endsAt')}>
            <Input type="datetime-local" />
          </Form.Item>
        </Space>
        <Space align="start" wrap>
          <Form.Item name="amountYuan" label={t('channelIncentives.amount')} rules={[...required, numberRule({ ...YUAN, above: 0 })]}>
            <InputNumber precision={2} addonBefore="¥" style={{ width: 160 }} data-testid="channel-program-amount" />
          </Form.Item>
          {kind === 'sellout_rebate' ? (
            <Form.Item name="upstreamYuan" label={t('channelIncentives.upstream')} rules={[numberRule({ ...YUAN, min: 0 })]}>
              <InputNumber precision={2} addonBefore="¥" style={{ width: 160 }} />
            </Form.Item>
          ) : null}
        </Space>
        <Space align="start" wrap>
          <Form.Item name="totalYuan" label={t('channelIncentives.total')} rules={[...required, numberRule({ ...YUAN, above: 0 })]}>
            <InputNumber precision={2} addonBefore="¥" style={{ width: 180 }} data-testid="channel-program-total" />
          </Form.Item>
          <Form.Item name="dailyYuan" label={t('channelIncentives.daily')} rules={[numberRule({ ...YUAN, above: 0 })]}>
            <InputNumber precision={2} addonBefore="¥" style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="capYuan" label={t('channelIncentives.cap')} rules={[numberRule({ ...YUAN, above: 0 })]}>
            <InputNumber precision={2} addonBefore="¥" style={{ width: 160 }} />
          </Form.Item>
        </Space>
      </Form>
      {problem ? <Alert type="error" showIcon message={problem} data-testid="channel-program-problem" /> : null}
    </Modal>
  );
}

function Payouts({ program, onProgram, staff }: { program?: number; onProgram: (id: number | undefined) => void; staff: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [payee, setPayee] = useState<string>();
  const [page, setPage] = useState(1);
  const query = { program, payee: payee || undefined, page, pageSize: 20 };
  const list = useApi<{ total: number; totalFen: number; items: Payout[] }>('/channel-payouts', query);
  const exportFile = async () => {
    try {
      const r = await downloadStream('/channel-payouts/export', { query: { program, payee: payee || undefined } });
      if (r.blob) saveBlob(r.blob, r.fileName ?? 'channel-payouts.xlsx');
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {staff ? t('channelIncentives.ledger') : t('channelIncentives.myEarnings')}
        </Typography.Title>
        <Space wrap>
          {program ? (
            <Tag closable onClose={() => onProgram(undefined)} data-testid="channel-payouts-program">
              {t('channelIncentives.programFilter', { id: program })}
            </Tag>
          ) : null}
          {staff ? (
            <Input.Search
              allowClear
              placeholder={t('channelIncentives.payeeFilter')}
              style={{ width: 240 }}
              onSearch={(v) => {
                setPayee(v.trim());
                setPage(1);
              }}
              data-testid="channel-payouts-payee"
            />
          ) : null}
          <Button onClick={exportFile} data-testid="channel-payouts-export">
            {t('channelIncentives.export')}
          </Button>
        </Space>
      </Space>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Typography.Text data-testid="channel-payouts-total">
        {t('channelIncentives.ledgerTotal', { n: list.data?.total ?? 0, amount: formatFen(list.data?.totalFen ?? 0) })}
      </Typography.Text>
      <Table<Payout>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        scroll={{ x: 1000 }}
        data-testid="channel-payouts-table"
        columns={[
          { key: 'at', title: t('channelIncentives.at'), render: (_, p) => formatDateTime(p.at) },
          { key: 'program', title: t('channelIncentives.program'), dataIndex: 'program' },
          { key: 'kind', title: t('channelIncentives.kind'), render: (_, p) => t(`channelIncentives.kinds.${p.kind}`) },
          {
            key: 'payee',
            title: t('channelIncentives.payee'),
            render: (_, p) =>
              p.clerk ? `${p.clerk.name} (${p.party.name})` : `${p.party.name} · ${t(`channelIncentives.roles.${p.payeeRole}`)}`,
          },
          {
            key: 'code',
            title: t('channelIncentives.code'),
            render: (_, p) => <UnitCode epc={p.code} />,
          },
          { key: 'units', title: t('channelIncentives.units'), dataIndex: 'units', align: 'right' },
          { key: 'amount', title: t('channelIncentives.paid'), align: 'right', render: (_, p) => formatFen(p.amountFen) },
        ]}
      />
    </>
  );
}
