import { Alert, App, Button, Form, Input, InputNumber, Modal, Progress, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { LoadError } from '../components/PageState.tsx';
import { formatDateTime, formatFen } from '../format.ts';
import { numberRule, WHOLE, YUAN } from '../numberRules.ts';
import { problemFields, yuanToFen } from '../problemFields.ts';
import { useApi } from '../useApi.ts';

interface GroupBuyRow {
  code: string;
  name: string;
  sku: string;
  unitPriceFen: number;
  minBuyers: number;
  buyers: number;
  endsAt: string;
  status: 'open' | 'formed' | 'failed';
}

interface GroupBuyForm {
  code: string;
  name: string;
  sku: string;
  priceYuan: number;
  minBuyers: number;
  endsAt: string;
}

const STATUS_COLOR = { open: 'blue', formed: 'green', failed: 'red' } as const;

/** Group buys the brand offers distributors (or a distributor its stores), and how far each is from forming. */
export function GroupBuysPage() {
  const { t } = useTranslation();
  const list = useApi<{ items: GroupBuyRow[] }>('/group-buys');
  const [creating, setCreating] = useState(false);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('groupBuys.title')}
        </Typography.Title>
        <Button type="primary" onClick={() => setCreating(true)} data-testid="group-buys-new">
          {t('groupBuys.new')}
        </Button>
      </Space>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<GroupBuyRow>
        rowKey="code"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        scroll={{ x: 900 }}
        data-testid="group-buys-table"
        columns={[
          { key: 'code', title: t('groupBuys.code'), dataIndex: 'code' },
          { key: 'name', title: t('groupBuys.name'), dataIndex: 'name' },
          { key: 'sku', title: 'SKU', dataIndex: 'sku' },
          { key: 'price', title: t('groupBuys.price'), align: 'right', render: (_, g) => formatFen(g.unitPriceFen) },
          {
            key: 'progress',
            title: t('groupBuys.progress'),
            render: (_, g) => (
              <Space data-testid={`group-buy-progress-${g.code}`}>
                <Progress
                  type="line"
                  size="small"
                  style={{ width: 120, margin: 0 }}
                  percent={Math.min(100, Math.round((100 * g.buyers) / g.minBuyers))}
                  showInfo={false}
                  status={g.status === 'failed' ? 'exception' : g.status === 'formed' ? 'success' : 'active'}
                />
                <span>{t('groupBuys.joined', { buyers: g.buyers, min: g.minBuyers })}</span>
              </Space>
            ),
          },
          { key: 'ends', title: t('groupBuys.endsAt'), render: (_, g) => formatDateTime(g.endsAt) },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, g) => <Tag color={STATUS_COLOR[g.status]}>{t(`groupBuys.status.${g.status}`, { defaultValue: g.status })}</Tag>,
          },
        ]}
      />
      <NewGroupBuy
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          list.reload();
        }}
      />
    </Space>
  );
}

function NewGroupBuy({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<GroupBuyForm>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: GroupBuyForm) => {
    setBusy(true);
    setProblem(null);
    try {
      const endsAt = new Date(v.endsAt);
      await api('/group-buys', {
        method: 'POST',
        body: {
          code: v.code.trim(),
          name: v.name.trim(),
          sku: v.sku.trim(),
          unitPriceFen: yuanToFen(v.priceYuan),
          minBuyers: v.minBuyers,
          // the local date and time typed, as an instant
          endsAt: Number.isNaN(endsAt.getTime()) ? v.endsAt : endsAt.toISOString(),
        },
      });
      message.success(t('groupBuys.created', { code: v.code }));
      form.resetFields();
      onCreated();
    } catch (e) {
      setProblem(errorText(e));
      form.setFields(problemFields(e, { unitPriceFen: 'priceYuan' }) as never);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('groupBuys.new')}
      onOk={() => form.submit()}
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'group-buy-save' } as never}
      destroyOnHidden
    >
      <Form<GroupBuyForm> form={form} layout="vertical" onFinish={save} initialValues={{ minBuyers: 2 }} preserve={false}>
        <Form.Item name="code" label={t('groupBuys.code')} rules={[{ required: true, message: t('pricing.required') }]}>
          <Input maxLength={40} data-testid="group-buy-code" />
        </Form.Item>
        <Form.Item name="name" label={t('groupBuys.name')} rules={[{ required: true, message: t('pricing.required') }]}>
          <Input maxLength={100} data-testid="group-buy-name" />
        </Form.Item>
        <Form.Item name="sku" label="SKU" rules={[{ required: true, message: t('pricing.required') }]}>
          <Input data-testid="group-buy-sku" />
        </Form.Item>
        <Space align="start" wrap>
          <Form.Item
            name="priceYuan"
            label={t('groupBuys.price')}
            rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...YUAN, min: 0 })]}
          >
            <InputNumber precision={2} addonBefore="¥" style={{ width: 180 }} data-testid="group-buy-price" />
          </Form.Item>
          <Form.Item
            name="minBuyers"
            label={t('groupBuys.minBuyers')}
            rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...WHOLE, min: 2 })]}
          >
            <InputNumber style={{ width: 140 }} data-testid="group-buy-min" />
          </Form.Item>
        </Space>
        <Form.Item name="endsAt" label={t('groupBuys.endsAt')} rules={[{ required: true, message: t('pricing.required') }]}>
          <Input type="datetime-local" data-testid="group-buy-ends" />
        </Form.Item>
      </Form>
      {problem ? <Alert type="error" showIcon message={problem} data-testid="group-buy-problem" /> : null}
    </Modal>
  );
}
