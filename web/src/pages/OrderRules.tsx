import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LoadError } from '../components/PageState.tsx';
import { may } from '../nav.ts';
import { numberRule, WHOLE, YUAN } from '../numberRules.ts';
import { problemFields, yuanToFen } from '../problemFields.ts';
import { useApi } from '../useApi.ts';

interface Settings {
  approvalAmountFen: number;
  approveFirstOrder: boolean;
  approveOnCredit: boolean;
}
interface Rule {
  sku: string;
  minQty: number;
  multipleOf: number;
}

/** Which orders wait for the seller's approval, and each product's minimum order and case multiple. */
export function OrderRulesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const canWrite = may('pricing:write', me?.user.role);
  const settings = useApi<Settings>('/order-settings');
  const rules = useApi<{ items: Rule[] }>('/order-rules');
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('orderRules.title')}
      </Typography.Title>
      {settings.error ? <LoadError error={settings.error} onRetry={settings.reload} /> : null}
      {settings.data ? <ApprovalSettings value={settings.data} canWrite={canWrite} onSaved={settings.reload} /> : null}
      {rules.error ? <LoadError error={rules.error} onRetry={rules.reload} /> : null}
      {rules.data ? (
        // remounted with what the server has after each save
        <RulesTable key={JSON.stringify(rules.data.items)} items={rules.data.items} canWrite={canWrite} onSaved={rules.reload} />
      ) : null}
    </Space>
  );
}

function ApprovalSettings({ value, canWrite, onSaved }: { value: Settings; canWrite: boolean; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: { amountYuan: number; approveFirstOrder: boolean; approveOnCredit: boolean }) => {
    setBusy(true);
    setProblem(null);
    try {
      await api('/order-settings', {
        method: 'PUT',
        body: { approvalAmountFen: yuanToFen(v.amountYuan), approveFirstOrder: v.approveFirstOrder, approveOnCredit: v.approveOnCredit },
      });
      message.success(t('orderRules.settingsSaved'));
      onSaved();
    } catch (e) {
      setProblem(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('orderRules.approval')} size="small" data-testid="approval-settings">
      <Typography.Paragraph type="secondary">{t('orderRules.approvalHelp')}</Typography.Paragraph>
      <Form
        layout="inline"
        disabled={!canWrite}
        onFinish={save}
        style={{ rowGap: 8 }}
        initialValues={{
          amountYuan: value.approvalAmountFen / 100,
          approveFirstOrder: value.approveFirstOrder,
          approveOnCredit: value.approveOnCredit,
        }}
      >
        <Form.Item
          name="amountYuan"
          label={t('orderRules.amountOver')}
          rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...YUAN, min: 0 })]}
        >
          <InputNumber precision={2} addonBefore="¥" style={{ width: 200 }} data-testid="approval-amount" />
        </Form.Item>
        <Form.Item name="approveFirstOrder" label={t('orderRules.firstOrder')} valuePropName="checked">
          <Switch data-testid="approval-first-order" />
        </Form.Item>
        <Form.Item name="approveOnCredit" label={t('orderRules.onCredit')} valuePropName="checked">
          <Switch data-testid="approval-on-credit" />
        </Form.Item>
        {canWrite ? (
          <Button type="primary" htmlType="submit" loading={busy} data-testid="approval-save">
            {t('common.save')}
          </Button>
        ) : null}
      </Form>
      {problem ? <Alert style={{ marginTop: 12 }} type="error" showIcon message={problem} /> : null}
    </Card>
  );
}

function RulesTable({ items, canWrite, onSaved }: { items: Rule[]; canWrite: boolean; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ rules: Rule[] }>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: { rules?: Rule[] }) => {
    const rows = (v.rules ?? []).filter((r) => r.sku?.trim());
    if (!rows.length) return;
    setBusy(true);
    setProblem(null);
    try {
      await api('/order-rules', {
        method: 'PUT',
        body: { rules: rows.map((r) => ({ sku: r.sku.trim(), minQty: r.minQty, multipleOf: r.multipleOf })) },
      });
      message.success(t('orderRules.rulesSaved', { count: rows.length }));
      onSaved();
    } catch (e) {
      setProblem(errorText(e));
      // the server names each row it refused: /body/rules/3/minQty is this table's row 3
      form.setFields(problemFields(e) as never);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={t('orderRules.rules')} size="small" data-testid="order-rules">
      <Typography.Paragraph type="secondary">{t('orderRules.rulesHelp')}</Typography.Paragraph>
      <Form form={form} onFinish={save} disabled={!canWrite} initialValues={{ rules: items.length ? items : [] }}>
        <Form.List name="rules">
          {(fields, { add, remove }) => (
            <>
              <Space style={{ fontWeight: 600, marginBottom: 8 }}>
                <span style={{ display: 'inline-block', width: 220 }}>SKU</span>
                <span style={{ display: 'inline-block', width: 150 }}>{t('orderRules.minQty')}</span>
                <span style={{ display: 'inline-block', width: 150 }}>{t('orderRules.multipleOf')}</span>
              </Space>
              {fields.map((f, i) => (
                <Space key={f.key} align="start" style={{ display: 'flex' }} data-testid={`rule-row-${i}`}>
                  <Form.Item name={[f.name, 'sku']} rules={[{ required: true, message: t('pricing.required') }]}>
                    <Input style={{ width: 220 }} data-testid={`rule-sku-${i}`} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'minQty']}
                    rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...WHOLE, min: 1 })]}
                  >
                    <InputNumber style={{ width: 150 }} data-testid={`rule-min-${i}`} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'multipleOf']}
                    rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...WHOLE, min: 1 })]}
                  >
                    <InputNumber style={{ width: 150 }} data-testid={`rule-multiple-${i}`} />
                  </Form.Item>
                  {canWrite && i >= items.length ? <Button onClick={() => remove(f.name)}>{t('pricing.remove')}</Button> : null}
                </Space>
              ))}
              {canWrite ? (
                <Space>
                  <Button onClick={() => add({ sku: '', minQty: 1, multipleOf: 1 })} data-testid="rule-add">
                    {t('orderRules.addRule')}
                  </Button>
                  <Button type="primary" htmlType="submit" loading={busy} data-testid="rules-save">
                    {t('orderRules.saveAll')}
                  </Button>
                </Space>
              ) : null}
            </>
          )}
        </Form.List>
      </Form>
      {problem ? <Alert style={{ marginTop: 12 }} type="error" showIcon message={problem} data-testid="rules-problem" /> : null}
    </Card>
  );
}
