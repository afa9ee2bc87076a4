import { Alert, Button, DatePicker, Form, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, errorText, type Page } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { type Job, JobProgress } from '../../components/JobProgress.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { may } from '../../nav.ts';
import { numberRule, WHOLE } from '../../numberRules.ts';
import { problemFields } from '../../problemFields.ts';
import type { PartyRow } from '../../types.ts';
import { useApi } from '../../useApi.ts';

export interface PlanSummary {
  id: number;
  status: 'draft' | 'shared' | 'adjusted' | 'accepted' | 'ordered' | 'rejected';
  distributor: { code: string; name: string };
  serviceLevel: number;
  horizonDays: number;
  reviewDays: number;
  asOf: string;
  lines: number;
  suggestedUnits: number;
  finalUnits: number;
  adjustedLines: number;
  createdAt: string;
}

export const PLAN_COLORS: Record<PlanSummary['status'], string> = {
  draft: 'default',
  shared: 'blue',
  adjusted: 'orange',
  accepted: 'cyan',
  ordered: 'green',
  rejected: 'red',
};

/** Replenishment plans in the caller's scope; the brand's planners create them (a job, with its progress shown). */
export function PlansPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const canCreate = may('plans:write', me?.user.role);
  const [status, setStatus] = useState<string>();
  const plans = useApi<{ items: PlanSummary[] }>('/planning/plans', { status });
  const [creating, setCreating] = useState(false);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('plans.title')}
        </Typography.Title>
        <Space>
          <Select
            allowClear
            placeholder={t('plans.status')}
            style={{ width: 160 }}
            value={status}
            onChange={setStatus}
            options={Object.keys(PLAN_COLORS).map((s) => ({ value: s, label: t(`plans.states.${s}`) }))}
          />
          {canCreate ? (
            <Button type="primary" onClick={() => setCreating(true)} data-testid="plans-create">
              {t('plans.create')}
            </Button>
          ) : null}
        </Space>
      </Space>
      {plans.error ? <LoadError error={plans.error} onRetry={plans.reload} /> : null}
      <Table<PlanSummary>
        rowKey="id"
        data-testid="plans-table"
        loading={plans.loading && !plans.data}
        dataSource={plans.data?.items ?? []}
        pagination={{ pageSize: 50 }}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 70, render: (id: number) => <Link to={`/planning/plans/${id}`}>{id}</Link> },
          {
            title: t('plans.distributor'),
            render: (_: unknown, p: PlanSummary) => (
              <Link to={`/planning/plans/${p.id}`} data-testid={`plan-link-${p.distributor.code}`}>
                {p.distributor.name} ({p.distributor.code})
              </Link>
            ),
          },
          {
            title: t('plans.status'),
            dataIndex: 'status',
            render: (s: PlanSummary['status']) => <Tag color={PLAN_COLORS[s]}>{t(`plans.states.${s}`)}</Tag>,
          },
          { title: t('plans.asOf'), dataIndex: 'asOf' },
          { title: t('plans.serviceLevel'), dataIndex: 'serviceLevel', render: (v: number) => `${(v * 100).toFixed(1)}%` },
          { title: t('plans.lines'), dataIndex: 'lines' },
          { title: t('plans.suggestedUnits'), dataIndex: 'suggestedUnits' },
          { title: t('plans.finalUnits'), dataIndex: 'finalUnits' },
          { title: t('plans.adjustedLines'), dataIndex: 'adjustedLines' },
        ]}
      />
      {creating ? (
        <CreatePlan
          onClose={() => {
            setCreating(false);
            plans.reload();
          }}
        />
      ) : null}
    </Space>
  );
}

interface CreateForm {
  all: boolean;
  distributors: string[];
  serviceLevel: number;
  horizonDays: number;
  reviewDays: number;
  historyDays: number;
  asOf?: Dayjs;
}

function CreatePlan({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CreateForm>();
  const [search, setSearch] = useState('');
  const parties = useApi<Page<PartyRow>>('/parties', { kind: 'distributor', q: search || undefined, pageSize: 50, sort: 'code' });
  const [job, setJob] = useState<number>();
  const [result, setResult] = useState<Job>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const all = Form.useWatch('all', form);
  const submit = async (v: CreateForm) => {
    setBusy(true);
    setProblem(undefined);
    try {
      const body = {
        ...(v.all ? { all: true } : { distributors: v.distributors }),
        serviceLevel: v.serviceLevel,
        horizonDays: v.horizonDays,
        reviewDays: v.reviewDays,
        historyDays: v.historyDays,
        ...(v.asOf ? { asOf: v.asOf.format('YYYY-MM-DD') } : {}),
      };
      const j = await api<Job>('/planning/plans', { method: 'POST', body, headers: { 'Idempotency-Key': crypto.randomUUID() } });
      setJob(j.id);
    } catch (e) {
      form.setFields(problemFields(e) as never);
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const made = (result?.result as { plans?: { id: number; distributor: string; lines: number }[] } | undefined)?.plans ?? [];
  return (
    <Modal open title={t('plans.create')} onCancel={onClose} footer={null} width={640} destroyOnHidden>
      {job ? (
        <Space direction="vertical" style={{ width: '100%' }}>
          <JobProgress jobId={job} onDone={setResult} />
          {result?.status === 'succeeded' ? (
            <Alert
              type="success"
              data-testid="plans-created"
              title={t('plans.created', { count: made.length })}
              description={
                <Space wrap>
                  {made.map((p) => (
                    <Link key={p.id} to={`/planning/plans/${p.id}`} data-testid={`created-plan-${p.distributor}`}>
                      {p.distributor} ({p.lines})
                    </Link>
                  ))}
                </Space>
              }
            />
          ) : null}
          <Button onClick={onClose}>{t('common.close')}</Button>
        </Space>
      ) : (
        <Form<CreateForm>
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{ all: false, distributors: [], serviceLevel: 0.95, horizonDays: 28, reviewDays: 7, historyDays: 112 }}
        >
          <Form.Item name="all" label={t('plans.allDistributors')} valuePropName="checked">
            <Switch />
          </Form.Item>
          {!all ? (
            <Form.Item
              name="distributors"
              label={t('plans.distributors')}
              rules={[{ required: true, message: t('plans.pickDistributor') }]}
            >
              <Select
                mode="multiple"
                showSearch
                filterOption={false}
                onSearch={setSearch}
                data-testid="plans-distributors"
                options={(parties.data?.items ?? []).map((p) => ({ value: p.code, label: `${p.name} (${p.code})` }))}
              />
            </Form.Item>
          ) : null}
          <Space wrap>
            <Form.Item
              name="serviceLevel"
              label={t('plans.serviceLevel')}
              rules={[{ required: true }, numberRule({ min: 0.5, max: 0.999 })]}
            >
              <InputNumber step={0.01} data-testid="plans-service-level" />
            </Form.Item>
            <Form.Item
              name="horizonDays"
              label={t('plans.horizonDays')}
              rules={[{ required: true }, numberRule({ ...WHOLE, min: 7, max: 182 })]}
            >
              <InputNumber />
            </Form.Item>
            <Form.Item
              name="reviewDays"
              label={t('plans.reviewDays')}
              rules={[{ required: true }, numberRule({ ...WHOLE, min: 1, max: 90 })]}
            >
              <InputNumber />
            </Form.Item>
            <Form.Item
              name="historyDays"
              label={t('plans.historyDays')}
              rules={[{ required: true }, numberRule({ ...WHOLE, min: 7, max: 730 })]}
            >
              <InputNumber />
            </Form.Item>
            <Form.Item name="asOf" label={t('plans.asOf')}>
              <DatePicker data-testid="plans-as-of" />
            </Form.Item>
          </Space>
          {problem ? <Alert type="error" title={problem} style={{ marginBottom: 12 }} /> : null}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="plans-submit">
            {t('plans.compute')}
          </Button>
        </Form>
      )}
    </Modal>
  );
}
