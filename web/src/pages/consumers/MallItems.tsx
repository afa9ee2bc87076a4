import { App, Button, Form, Input, InputNumber, Modal, Space, Switch, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText, formFieldErrors } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { may } from '../../nav.ts';
import { numberRule, WHOLE } from '../../numberRules.ts';
import { useApi } from '../../useApi.ts';
import type { MallItem } from './types.ts';

type ItemForm = { nameZh: string; nameEn: string; pointsPrice: number; stock: number };
const FIELDS = ['nameZh', 'nameEn', 'pointsPrice', 'stock'] as const;

/** The points mall's items: coupons for points, their stock and whether they are on offer. */
export function MallItemsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useAuth();
  const canWrite = may('consumers:write', me?.user.role);
  const { data, error, loading, reload } = useApi<{ items: MallItem[] }>('/mall/items');
  const [editing, setEditing] = useState<MallItem | 'new' | null>(null);
  const [saving, setSaving] = useState(false);
  const [form] = Form.useForm<ItemForm>();

  const open = (item: MallItem | 'new') => {
    setEditing(item);
    form.setFieldsValue(item === 'new' ? { nameZh: '', nameEn: '', pointsPrice: 100, stock: 100 } : item);
  };

  const save = async () => {
    const values = await form.validateFields();
    setSaving(true);
    try {
      if (editing === 'new') await api('/mall/items', { method: 'POST', body: values });
      else if (editing) await api(`/mall/items/${editing.id}`, { method: 'PATCH', body: values });
      setEditing(null);
      reload();
    } catch (e) {
      const fields = formFieldErrors(e, FIELDS);
      if (fields.length) form.setFields(fields);
      else message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const toggle = async (item: MallItem, active: boolean) => {
    try {
      await api(`/mall/items/${item.id}`, { method: 'PATCH', body: { active } });
      reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="center">
        <Typography.Title level={3}>{t('mall.title')}</Typography.Title>
        {canWrite ? (
          <Button type="primary" onClick={() => open('new')} data-testid="mall-create">
            {t('mall.create')}
          </Button>
        ) : null}
      </Space>
      <Typography.Paragraph type="secondary">{t('mall.intro')}</Typography.Paragraph>
      <LoadError error={error} onRetry={reload} />
      <Table<MallItem>
        rowKey="id"
        size="small"
        data-testid="mall-items"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('mall.nameZh'), dataIndex: 'nameZh' },
          { title: t('mall.nameEn'), dataIndex: 'nameEn' },
          { title: t('mall.pointsPrice'), dataIndex: 'pointsPrice', align: 'right' },
          { title: t('mall.stock'), dataIndex: 'stock', align: 'right' },
          {
            title: t('mall.active'),
            dataIndex: 'active',
            render: (v: boolean, r) => <Switch checked={v} disabled={!canWrite} onChange={(on) => void toggle(r, on)} />,
          },
          {
            title: '',
            key: 'edit',
            render: (_: unknown, r) =>
              canWrite ? (
                <Button size="small" onClick={() => open(r)}>
                  {t('mall.editButton')}
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        open={editing !== null}
        title={editing === 'new' ? t('mall.create') : t('mall.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        okButtonProps={{ loading: saving, 'data-testid': 'mall-save' }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="nameZh" label={t('mall.nameZh')} rules={[{ required: true, max: 100 }]}>
            <Input data-testid="mall-name-zh" />
          </Form.Item>
          <Form.Item name="nameEn" label={t('mall.nameEn')} rules={[{ required: true, max: 100 }]}>
            <Input data-testid="mall-name-en" />
          </Form.Item>
          <Form.Item
            name="pointsPrice"
            label={t('mall.pointsPrice')}
            rules={[{ required: true }, numberRule({ ...WHOLE, min: 1, max: 10_000_000 })]}
          >
            <InputNumber style={{ width: '100%' }} data-testid="mall-price" />
          </Form.Item>
          <Form.Item name="stock" label={t('mall.stock')} rules={[{ required: true }, numberRule({ ...WHOLE, min: 0, max: 10_000_000 })]}>
            <InputNumber style={{ width: '100%' }} data-testid="mall-stock" />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
