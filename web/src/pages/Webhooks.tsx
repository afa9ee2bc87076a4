import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, api, errorText } from '../api.ts';
import { LoadError } from '../components/PageState.tsx';
import { dash, formatDateTime } from '../format.ts';
import { useApi } from '../useApi.ts';

interface Subscription {
  id: number;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  previousSecretExpiresAt: string | null;
  createdAt: string;
}

interface Delivery {
  id: number;
  eventId: string;
  eventType: string;
  subscriptionId: number;
  url: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  replayOf: number | null;
  createdAt: string;
}

const STATUS_COLOR: Record<Delivery['status'], string> = {
  pending: 'processing',
  succeeded: 'success',
  failed: 'error',
  cancelled: 'default',
};

/** The secret, shown once after a creation or a rotation. */
function SecretModal({ secret, onClose }: { secret: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal
      open={secret !== null}
      title={t('webhooks.secretTitle')}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose} data-testid="webhook-secret-ok">
          {t('common.close')}
        </Button>
      }
    >
      <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('webhooks.secretOnce')} />
      <Typography.Paragraph copyable code data-testid="webhook-secret">
        {secret}
      </Typography.Paragraph>
    </Modal>
  );
}

function Subscriptions({ eventTypes }: { eventTypes: string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { data, error, loading, reload } = useApi<{ items: Subscription[] }>('/webhooks');
  const [creating, setCreating] = useState(false);
  const [saving, setSaving] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<{ url: string; events: string[]; description?: string }>();

  const create = async () => {
    const values = await form.validateFields();
    setSaving(true);
    try {
      const r = await api<{ secret: string }>('/webhooks', {
        method: 'POST',
        body: { ...values, description: values.description || null },
      });
      setCreating(false);
      form.resetFields();
      setSecret(r.secret);
      reload();
    } catch (e) {
      // field errors go next to their field (/body/url, /body/events/<i>)
      const fields = e instanceof ApiError ? (e.problem.errors ?? []).filter((x) => x.pointer?.startsWith('/body/')) : [];
      if (fields.length) {
        form.setFields(
          fields.map((x) => ({ name: (x.pointer ?? '').split('/')[2] as 'url' | 'events', errors: [x.detail ?? x.code ?? ''] })),
        );
      } else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setCreating(true)} data-testid="webhook-create">
          {t('webhooks.create')}
        </Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<Subscription>
        rowKey="id"
        size="small"
        data-testid="webhook-subscriptions"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={false}
        columns={[
          { key: 'url', dataIndex: 'url', title: t('webhooks.url'), render: (u: string) => <Typography.Text code>{u}</Typography.Text> },
          {
            key: 'events',
            dataIndex: 'events',
            title: t('webhooks.events'),
            render: (ev: string[]) => ev.map((e) => <Tag key={e}>{e === '*' ? t('webhooks.allEvents') : e}</Tag>),
          },
          { key: 'description', dataIndex: 'description', title: t('webhooks.description'), render: dash },
          {
            key: 'active',
            dataIndex: 'active',
            title: t('webhooks.active'),
            render: (a: boolean, r) => (
              <Switch
                size="small"
                checked={a}
                onChange={(v) => void act(() => api(`/webhooks/${r.id}`, { method: 'PATCH', body: { active: v } }))}
              />
            ),
          },
          { key: 'createdAt', dataIndex: 'createdAt', title: t('webhooks.createdAt'), render: formatDateTime },
          {
            key: 'actions',
            title: '',
            render: (_, r) => (
              <Space>
                <Popconfirm
                  title={t('webhooks.rotateConfirm')}
                  onConfirm={() =>
                    void act(async () =>
                      setSecret((await api<{ secret: string }>(`/webhooks/${r.id}/rotate-secret`, { method: 'POST', body: {} })).secret),
                    )
                  }
                >
                  <Button size="small">{t('webhooks.rotate')}</Button>
                </Popconfirm>
                <Popconfirm
                  title={t('webhooks.deleteConfirm')}
                  onConfirm={() => void act(() => api(`/webhooks/${r.id}`, { method: 'DELETE' }))}
                >
                  <Button size="small" danger>
                    {t('webhooks.delete')}
                  </Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t('webhooks.create')}
        onOk={() => void create()}
        confirmLoading={saving}
        okButtonProps={{ ...{ 'data-testid': 'webhook-save' } }}
        onCancel={() => setCreating(false)}
        okText={t('common.save')}
        cancelText={t('common.cancel')}
      >
        <Form form={form} layout="vertical" initialValues={{ events: ['*'] }}>
          <Form.Item name="url" label={t('webhooks.url')} rules={[{ required: true }]} extra={t('webhooks.urlHint')}>
            <Input placeholder="https://erp.example.com/hooks/throughline" data-testid="webhook-url" />
          </Form.Item>
          <Form.Item name="events" label={t('webhooks.events')} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              options={[{ value: '*', label: t('webhooks.allEvents') }, ...eventTypes.map((e) => ({ value: e, label: e }))]}
            />
          </Form.Item>
          <Form.Item name="description" label={t('webhooks.description')}>
            <Input maxLength={200} />
          </Form.Item>
        </Form>
      </Modal>
      <SecretModal secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}

function Deliveries({ eventTypes }: { eventTypes: string[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<string | undefined>();
  const [eventType, setEventType] = useState<string | undefined>();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const { data, error, loading, reload } = useApi<{ items: Delivery[]; total: number }>('/webhooks/deliveries', {
    status,
    eventType,
    page,
    pageSize,
  });

  const replay = async (id: number) => {
    try {
      await api(`/webhooks/deliveries/${id}/replay`, { method: 'POST' });
      message.success(t('webhooks.replayed'));
      reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div>
      <Space style={{ marginBottom: 12 }}>
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('common.status')}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={(['pending', 'succeeded', 'failed', 'cancelled'] as const).map((s) => ({ value: s, label: t(`webhooks.status.${s}`) }))}
        />
        <Select
          allowClear
          style={{ width: 220 }}
          placeholder={t('webhooks.eventType')}
          value={eventType}
          onChange={(v) => {
            setEventType(v);
            setPage(1);
          }}
          options={eventTypes.map((e) => ({ value: e, label: e }))}
        />
        <Button onClick={reload} data-testid="webhook-refresh">
          {t('webhooks.refresh')}
        </Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<Delivery>
        rowKey="id"
        size="small"
        data-testid="webhook-deliveries"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { count: n }),
          onChange: (p, s) => {
            setPage(p);
            setPageSize(s);
          },
        }}
        columns={[
          { key: 'id', dataIndex: 'id', title: '#', width: 80 },
          { key: 'createdAt', dataIndex: 'createdAt', title: t('webhooks.createdAt'), render: formatDateTime, width: 180 },
          { key: 'eventType', dataIndex: 'eventType', title: t('webhooks.eventType') },
          { key: 'url', dataIndex: 'url', title: t('webhooks.url'), ellipsis: true },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('common.status'),
            render: (s: Delivery['status']) => <Tag color={STATUS_COLOR[s]}>{t(`webhooks.status.${s}`)}</Tag>,
          },
          { key: 'attempts', dataIndex: 'attempts', title: t('webhooks.attempts'), width: 80 },
          {
            key: 'last',
            title: t('webhooks.lastResult'),
            render: (_, r) => (r.lastStatusCode !== null ? `HTTP ${r.lastStatusCode}` : dash(r.lastError)),
          },
          { key: 'nextAttemptAt', dataIndex: 'nextAttemptAt', title: t('webhooks.nextAttempt'), render: formatDateTime },
          {
            key: 'actions',
            title: '',
            render: (_, r) =>
              r.status === 'pending' ? null : (
                <Button size="small" onClick={() => void replay(r.id)} data-testid={`webhook-replay-${r.id}`}>
                  {t('webhooks.replay')}
                </Button>
              ),
          },
        ]}
      />
    </div>
  );
}

/** Webhooks for integrators (brand admins): subscriptions with their secrets, and the delivery log with replay. */
export function WebhooksPage() {
  const { t } = useTranslation();
  const types = useApi<{ items: string[] }>('/webhooks/event-types');
  const eventTypes = types.data?.items ?? [];
  return (
    <div>
      <Typography.Title level={3}>{t('webhooks.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('webhooks.intro')}</Typography.Paragraph>
      <Tabs
        items={[
          { key: 'subscriptions', label: t('webhooks.subscriptions'), children: <Subscriptions eventTypes={eventTypes} /> },
          { key: 'deliveries', label: t('webhooks.deliveries'), children: <Deliveries eventTypes={eventTypes} /> },
        ]}
      />
    </div>
  );
}
