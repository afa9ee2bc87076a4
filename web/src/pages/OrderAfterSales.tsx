import { App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { formatDateTime, formatFen } from '../format.ts';

/** What the receiver found different from what was shipped (GET /orders/:id → differences). */
export interface OrderDifference {
  id: number;
  kind: 'short' | 'over' | 'damaged';
  sku: string;
  name: string;
  quantity: number;
  valueFen: number;
  codes: string[];
  note: string | null;
  photoRef: string | null;
  status: 'open' | 'resolved';
  resolution: 'credit' | 'reship' | 'write_off' | null;
  creditFen: number;
  declaredAt: string;
}

/** Goods going back to the seller (GET /orders/:id → returns). */
export interface OrderReturn {
  id: number;
  returnNo: string;
  reason: string;
  status: 'in_transit' | 'partially_received' | 'received';
  units: Record<string, number>;
  valueFen: number;
  creditedFen: number;
  createdAt: string;
}

const KIND_COLOR = { short: 'orange', over: 'purple', damaged: 'red' } as const;
const RESOLUTIONS = { short: ['credit', 'reship', 'write_off'], damaged: ['credit', 'reship', 'write_off'], over: ['write_off'] } as const;
const REASONS = ['damaged', 'expired', 'wrong_item', 'excess', 'recall'] as const;

/** The order's differences; the seller's side resolves open ones (credit, reship, write-off). */
export function DifferencesTable({
  orderId,
  items,
  canResolve,
  onChanged,
}: {
  orderId: number;
  items: OrderDifference[];
  canResolve: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [resolving, setResolving] = useState<OrderDifference | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ resolution: string; note?: string }>();
  if (!items.length) return null;
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api(`/orders/${orderId}/differences/${resolving?.id}/resolve`, { method: 'POST', body: v });
      message.success(t('orders.diff.resolvedOk'));
      setResolving(null);
      onChanged();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('orders.diff.title')}
      </Typography.Title>
      <Table<OrderDifference>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={items}
        scroll={{ x: 640 }}
        data-testid="order-differences"
        columns={[
          {
            key: 'kind',
            title: t('orders.diff.kind'),
            render: (_, d) => <Tag color={KIND_COLOR[d.kind]}>{t(`orders.diff.kinds.${d.kind}`)}</Tag>,
          },
          { key: 'sku', title: 'SKU', render: (_, d) => `${d.sku} ${d.name}` },
          { key: 'qty', title: t('orders.quantity'), dataIndex: 'quantity', align: 'right' },
          { key: 'value', title: t('orders.diff.value'), align: 'right', render: (_, d) => formatFen(d.valueFen) },
          {
            key: 'note',
            title: t('orders.diff.note'),
            render: (_, d) => <Typography.Text type="secondary">{[d.note, d.photoRef].filter(Boolean).join(' · ') || '—'}</Typography.Text>,
          },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, d) =>
              d.status === 'resolved' ? (
                <Tag color="green">
                  {t(`orders.diff.resolutions.${d.resolution}`)}
                  {d.creditFen ? ` ${formatFen(d.creditFen)}` : ''}
                </Tag>
              ) : canResolve ? (
                <Button
                  size="small"
                  onClick={() => {
                    form.setFieldsValue({ resolution: RESOLUTIONS[d.kind][0], note: undefined });
                    setResolving(d);
                  }}
                  data-testid="difference-resolve"
                >
                  {t('orders.diff.resolve')}
                </Button>
              ) : (
                <Tag color="gold">{t('orders.diff.open')}</Tag>
              ),
          },
        ]}
      />
      <Modal
        open={resolving !== null}
        title={t('orders.diff.resolve')}
        onCancel={() => setResolving(null)}
        onOk={submit}
        okButtonProps={{ loading: busy, ...{ 'data-testid': 'difference-resolve-ok' } }}
        destroyOnHidden
      >
        <Form form={form} layout="vertical">
          <Form.Item name="resolution" label={t('orders.diff.resolution')} rules={[{ required: true }]}>
            <Select
              options={(resolving ? RESOLUTIONS[resolving.kind] : []).map((r) => ({
                value: r,
                label: t(`orders.diff.resolutions.${r}`),
              }))}
            />
          </Form.Item>
          <Typography.Paragraph type="secondary">{t('orders.diff.resolutionHelp')}</Typography.Paragraph>
          <Form.Item name="note" label={t('orders.diff.note')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

/** The order's returns; the seller's side receives one still on its way in one click. */
export function ReturnsTable({
  orderId,
  items,
  canReceive,
  onChanged,
}: {
  orderId: number;
  items: OrderReturn[];
  canReceive: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState<number | null>(null);
  if (!items.length) return null;
  const receive = async (r: OrderReturn) => {
    setBusy(r.id);
    try {
      await api(`/orders/${orderId}/returns/${r.id}/receipts`, { method: 'POST', body: { scanId: crypto.randomUUID() } });
      message.success(t('orders.ret.receivedOk'));
      onChanged();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {t('orders.ret.title')}
      </Typography.Title>
      <Table<OrderReturn>
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={items}
        scroll={{ x: 640 }}
        data-testid="order-returns"
        columns={[
          { key: 'no', title: t('orders.ret.no'), dataIndex: 'returnNo' },
          { key: 'reason', title: t('orders.ret.reason'), render: (_, r) => t(`orders.ret.reasons.${r.reason}`) },
          {
            key: 'units',
            title: t('orders.quantity'),
            render: (_, r) =>
              Object.entries(r.units)
                .map(([sku, n]) => `${sku} × ${n}`)
                .join(', '),
          },
          { key: 'value', title: t('orders.diff.value'), align: 'right', render: (_, r) => formatFen(r.valueFen) },
          { key: 'at', title: t('orders.createdAt'), render: (_, r) => formatDateTime(r.createdAt) },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, r) => (
              <Space>
                <Tag color={r.status === 'received' ? 'green' : 'cyan'}>{t(`orders.ret.statuses.${r.status}`)}</Tag>
                {r.status !== 'received' && canReceive ? (
                  <Button size="small" loading={busy === r.id} onClick={() => receive(r)} data-testid="return-receive">
                    {t('orders.ret.receive')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}

/** The buyer returns goods of the order by scanning or pasting their codes, with a reason. */
export function ReturnGoodsButton({ orderId, onDone }: { orderId: number; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string; codes: string; note?: string }>();
  const submit = async () => {
    const v = await form.validateFields();
    const codes = v.codes
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean);
    setBusy(true);
    try {
      const out = await api<{ returnNo: string }>(`/orders/${orderId}/returns`, {
        method: 'POST',
        body: { scanId: crypto.randomUUID(), reason: v.reason, codes, ...(v.note ? { note: v.note } : {}) },
      });
      message.success(t('orders.ret.sentOk', { no: out.returnNo }));
      setOpen(false);
      form.resetFields();
      onDone();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button onClick={() => setOpen(true)} data-testid="order-return">
        {t('orders.ret.action')}
      </Button>
      <Modal
        open={open}
        title={t('orders.ret.action')}
        onCancel={() => setOpen(false)}
        onOk={submit}
        okButtonProps={{ loading: busy, ...{ 'data-testid': 'order-return-ok' } }}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ reason: 'damaged' }}>
          <Form.Item name="reason" label={t('orders.ret.reason')} rules={[{ required: true }]}>
            <Select options={REASONS.map((r) => ({ value: r, label: t(`orders.ret.reasons.${r}`) }))} />
          </Form.Item>
          <Form.Item name="codes" label={t('orders.ret.codes')} rules={[{ required: true, message: t('orders.ret.codesRequired') }]}>
            <Input.TextArea rows={5} placeholder={t('orders.ret.codesPlaceholder')} data-testid="order-return-codes" />
          </Form.Item>
          <Form.Item name="note" label={t('orders.diff.note')}>
            <Input.TextArea rows={2} maxLength={500} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
