import { Alert, App, Button, Drawer, Form, Input, InputNumber, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LoadError } from '../components/PageState.tsx';
import { formatDate, formatFen } from '../format.ts';
import { may } from '../nav.ts';
import { numberRule, WHOLE, YUAN } from '../numberRules.ts';
import { problemFields, yuanToFen } from '../problemFields.ts';
import { useApi } from '../useApi.ts';

type Scope = 'base' | 'group' | 'region' | 'customer';

interface PriceListRow {
  id: number;
  code: string;
  name: string;
  scope: Scope;
  priority: number;
  valid_from: string | null;
  valid_to: string | null;
  active: boolean;
  division_code: string | null;
  group_code: string | null;
  party_code: string | null;
  items: number;
}

interface PriceListDetail {
  code: string;
  name: string;
  scope: Scope;
  groupCode: string | null;
  divisionCode: string | null;
  partyCode: string | null;
  priority: number;
  validFrom: string | null;
  validTo: string | null;
  items: { sku: string; minQty: number; priceFen: number }[];
}

interface GroupRow {
  code: string;
  name: string;
  members: number;
  memberCodes: string[];
}

interface ListForm {
  code: string;
  name: string;
  scope: Scope;
  groupCode?: string;
  divisionCode?: string;
  partyCode?: string;
  priority?: number;
  validFrom?: string;
  validTo?: string;
  items: { sku: string; minQty?: number; priceYuan: number }[];
}

const SCOPES: Scope[] = ['base', 'group', 'region', 'customer'];

/** Brand sales ops keep the price lists, the customer groups they aim at, and check what a customer would pay and why. */
export function PricingPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const canWrite = may('pricing:write', me?.user.role);
  const lists = useApi<{ items: PriceListRow[] }>('/price-lists');
  const groups = useApi<{ items: GroupRow[] }>('/customer-groups');
  const [editing, setEditing] = useState<PriceListDetail | 'new' | null>(null);
  const { message } = App.useApp();

  const openList = async (code: string) => {
    try {
      setEditing(await api<PriceListDetail>(`/price-lists/${encodeURIComponent(code)}`));
    } catch (e) {
      message.error(errorText(e));
    }
  };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('pricing.title')}
      </Typography.Title>
      <Tabs
        items={[
          {
            key: 'lists',
            label: t('pricing.lists'),
            children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                {canWrite ? (
                  <Button type="primary" onClick={() => setEditing('new')} data-testid="pricing-new">
                    {t('pricing.newList')}
                  </Button>
                ) : null}
                {lists.error ? <LoadError error={lists.error} onRetry={lists.reload} /> : null}
                <Table<PriceListRow>
                  rowKey="code"
                  size="small"
                  loading={lists.loading}
                  dataSource={lists.data?.items ?? []}
                  pagination={{ pageSize: 20 }}
                  scroll={{ x: 900 }}
                  data-testid="pricing-lists"
                  columns={[
                    { key: 'code', title: t('pricing.code'), dataIndex: 'code' },
                    { key: 'name', title: t('pricing.name'), dataIndex: 'name' },
                    {
                      key: 'scope',
                      title: t('pricing.scope'),
                      render: (_, r) => (
                        <Space size={4}>
                          <Tag>{t(`orders.scope.${r.scope}`)}</Tag>
                          {r.group_code ?? r.division_code ?? r.party_code ?? ''}
                        </Space>
                      ),
                    },
                    { key: 'priority', title: t('pricing.priority'), dataIndex: 'priority', align: 'right' },
                    {
                      key: 'validity',
                      title: t('pricing.validity'),
                      render: (_, r) =>
                        r.valid_from || r.valid_to ? `${formatDate(r.valid_from)} ~ ${formatDate(r.valid_to)}` : t('pricing.always'),
                    },
                    { key: 'items', title: t('pricing.itemCount'), dataIndex: 'items', align: 'right' },
                    {
                      key: 'active',
                      title: t('common.status'),
                      render: (_, r) => (r.active ? <Tag color="green">{t('pricing.active')}</Tag> : <Tag>{t('pricing.inactive')}</Tag>),
                    },
                    {
                      key: 'actions',
                      title: '',
                      render: (_, r) => (
                        <Button size="small" onClick={() => void openList(r.code)} data-testid={`pricing-open-${r.code}`}>
                          {canWrite ? t('pricing.edit') : t('pricing.view')}
                        </Button>
                      ),
                    },
                  ]}
                />
              </Space>
            ),
          },
          {
            key: 'groups',
            label: t('pricing.groups'),
            children: <CustomerGroups groups={groups} canWrite={canWrite} />,
          },
          { key: 'check', label: t('pricing.check'), children: <PriceCheck /> },
        ]}
      />
      <PriceListDrawer
        value={editing}
        groups={groups.data?.items ?? []}
        readOnly={!canWrite}
        onClose={() => setEditing(null)}
        onSaved={() => {
          setEditing(null);
          lists.reload();
        }}
      />
    </Space>
  );
}

function PriceListDrawer({
  value,
  groups,
  readOnly,
  onClose,
  onSaved,
}: {
  value: PriceListDetail | 'new' | null;
  groups: GroupRow[];
  readOnly: boolean;
  onClose: () => void;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<ListForm>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const scope = Form.useWatch('scope', form);
  const existing = value !== null && value !== 'new' ? value : null;
  const initial: ListForm = existing
    ? {
        code: existing.code,
        name: existing.name,
        scope: existing.scope,
        groupCode: existing.groupCode ?? undefined,
        divisionCode: existing.divisionCode ?? undefined,
        partyCode: existing.partyCode ?? undefined,
        priority: existing.priority,
        validFrom: existing.validFrom ?? undefined,
        validTo: existing.validTo ?? undefined,
        items: existing.items.map((i) => ({ sku: i.sku, minQty: i.minQty, priceYuan: i.priceFen / 100 })),
      }
    : { code: '', name: '', scope: 'base', priority: 0, items: [{ sku: '', minQty: 1, priceYuan: 0 }] };

  const save = async (v: ListForm) => {
    setBusy(true);
    setProblem(null);
    try {
      await api('/price-lists', {
        method: 'POST',
        body: {
          code: v.code.trim(),
          name: v.name.trim(),
          scope: v.scope,
          ...(v.scope === 'group' ? { groupCode: v.groupCode } : {}),
          ...(v.scope === 'region' ? { divisionCode: v.divisionCode?.trim() } : {}),
          ...(v.scope === 'customer' ? { partyCode: v.partyCode?.trim() } : {}),
          priority: v.priority ?? 0,
          ...(v.validFrom ? { validFrom: v.validFrom } : {}),
          ...(v.validTo ? { validTo: v.validTo } : {}),
          items: v.items.map((i) => ({ sku: i.sku.trim(), minQty: i.minQty ?? 1, priceFen: yuanToFen(i.priceYuan) })),
        },
      });
      message.success(t('pricing.saved', { code: v.code }));
      onSaved();
    } catch (e) {
      setProblem(errorText(e));
      form.setFields(problemFields(e, { priceFen: 'priceYuan' }) as never);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer
      open={value !== null}
      onClose={onClose}
      width={720}
      destroyOnHidden
      title={existing ? `${t('pricing.list')} ${existing.code}` : t('pricing.newList')}
      extra={
        readOnly ? null : (
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="pricing-save">
            {t('common.save')}
          </Button>
        )
      }
    >
      {value !== null ? (
        <Form<ListForm> form={form} layout="vertical" initialValues={initial} onFinish={save} disabled={readOnly}>
          {existing ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('pricing.replaceHint')} /> : null}
          <Space wrap align="start">
            <Form.Item name="code" label={t('pricing.code')} rules={[{ required: true, message: t('pricing.required') }]}>
              <Input disabled={!!existing} style={{ width: 160 }} data-testid="pricing-code" />
            </Form.Item>
            <Form.Item name="name" label={t('pricing.name')} rules={[{ required: true, message: t('pricing.required') }]}>
              <Input style={{ width: 240 }} data-testid="pricing-name" />
            </Form.Item>
            <Form.Item
              name="priority"
              label={t('pricing.priority')}
              tooltip={t('pricing.priorityHelp')}
              rules={[numberRule({ ...WHOLE, min: 0, max: 1000 })]}
            >
              <InputNumber data-testid="pricing-priority" />
            </Form.Item>
          </Space>
          <Space wrap align="start">
            <Form.Item name="scope" label={t('pricing.scope')}>
              <Select
                style={{ width: 160 }}
                options={SCOPES.map((s) => ({ value: s, label: t(`orders.scope.${s}`) }))}
                data-testid="pricing-scope"
              />
            </Form.Item>
            {scope === 'group' ? (
              <Form.Item name="groupCode" label={t('pricing.group')} rules={[{ required: true, message: t('pricing.required') }]}>
                <Select
                  style={{ width: 220 }}
                  options={groups.map((g) => ({ value: g.code, label: `${g.name} (${g.code})` }))}
                  data-testid="pricing-group"
                />
              </Form.Item>
            ) : null}
            {scope === 'region' ? (
              <Form.Item
                name="divisionCode"
                label={t('pricing.division')}
                tooltip={t('pricing.divisionHelp')}
                rules={[{ required: true, pattern: /^[0-9]{2,6}$/, message: t('pricing.divisionHelp') }]}
              >
                <Input style={{ width: 160 }} data-testid="pricing-division" />
              </Form.Item>
            ) : null}
            {scope === 'customer' ? (
              <Form.Item name="partyCode" label={t('pricing.customer')} rules={[{ required: true, message: t('pricing.required') }]}>
                <Input style={{ width: 160 }} data-testid="pricing-party" />
              </Form.Item>
            ) : null}
            <Form.Item name="validFrom" label={t('pricing.validFrom')}>
              <Input type="date" data-testid="pricing-valid-from" />
            </Form.Item>
            <Form.Item name="validTo" label={t('pricing.validTo')}>
              <Input type="date" data-testid="pricing-valid-to" />
            </Form.Item>
          </Space>
          <Typography.Title level={5}>{t('pricing.items')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('pricing.tierHelp')}</Typography.Paragraph>
          <Form.List name="items">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f, i) => (
                  <Space key={f.key} align="start" wrap>
                    <Form.Item name={[f.name, 'sku']} rules={[{ required: true, message: t('pricing.required') }]}>
                      <Input placeholder="SKU" style={{ width: 200 }} data-testid={`pricing-item-sku-${i}`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'minQty']} rules={[numberRule({ ...WHOLE, min: 1 })]}>
                      <InputNumber addonBefore={t('pricing.minQty')} style={{ width: 170 }} data-testid={`pricing-item-min-${i}`} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'priceYuan']}
                      rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...YUAN, min: 0 })]}
                    >
                      <InputNumber precision={2} addonBefore="¥" style={{ width: 170 }} data-testid={`pricing-item-price-${i}`} />
                    </Form.Item>
                    {fields.length > 1 ? (
                      <Button onClick={() => remove(f.name)} data-testid={`pricing-item-remove-${i}`}>
                        {t('pricing.remove')}
                      </Button>
                    ) : null}
                  </Space>
                ))}
                <Button onClick={() => add({ sku: '', minQty: 1, priceYuan: 0 })} data-testid="pricing-item-add">
                  {t('pricing.addItem')}
                </Button>
              </>
            )}
          </Form.List>
          {problem ? <Alert style={{ marginTop: 12 }} type="error" showIcon message={problem} data-testid="pricing-problem" /> : null}
        </Form>
      ) : null}
    </Drawer>
  );
}

function CustomerGroups({
  groups,
  canWrite,
}: {
  groups: { data?: { items: GroupRow[] }; loading: boolean; error?: unknown; reload: () => void };
  canWrite: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ code: string; name: string; members: string[] }>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const save = async (v: { code: string; name: string; members?: string[] }) => {
    setBusy(true);
    setProblem(null);
    try {
      await api('/customer-groups', {
        method: 'POST',
        body: { code: v.code.trim(), name: v.name.trim(), members: (v.members ?? []).map((m) => m.trim()).filter(Boolean) },
      });
      message.success(t('pricing.groupSaved', { code: v.code }));
      form.resetFields();
      groups.reload();
    } catch (e) {
      setProblem(errorText(e));
      // a member's error names its index: show them on the members field
      const fields = problemFields(e);
      const members = fields.filter((f) => f.name[0] === 'members').flatMap((f) => f.errors);
      form.setFields([
        ...fields.filter((f) => f.name[0] !== 'members'),
        ...(members.length ? [{ name: ['members'], errors: members }] : []),
      ] as never);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canWrite ? (
        <Form form={form} layout="inline" onFinish={save} style={{ rowGap: 8 }}>
          <Form.Item name="code" rules={[{ required: true, message: t('pricing.required') }]}>
            <Input placeholder={t('pricing.groupCode')} data-testid="group-code" />
          </Form.Item>
          <Form.Item name="name" rules={[{ required: true, message: t('pricing.required') }]}>
            <Input placeholder={t('pricing.groupName')} data-testid="group-name" />
          </Form.Item>
          <Form.Item name="members" tooltip={t('pricing.membersHelp')}>
            <Select
              mode="tags"
              tokenSeparators={[',', ' ', '，']}
              placeholder={t('pricing.members')}
              style={{ minWidth: 280 }}
              open={false}
              data-testid="group-members"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="group-save">
            {t('pricing.saveGroup')}
          </Button>
        </Form>
      ) : null}
      {canWrite ? <Typography.Text type="secondary">{t('pricing.groupAddHint')}</Typography.Text> : null}
      {problem ? <Alert type="error" showIcon message={problem} data-testid="group-problem" /> : null}
      {groups.error ? <LoadError error={groups.error} onRetry={groups.reload} /> : null}
      <Table<GroupRow>
        rowKey="code"
        size="small"
        loading={groups.loading}
        dataSource={groups.data?.items ?? []}
        pagination={{ pageSize: 20 }}
        data-testid="groups-table"
        columns={[
          { key: 'code', title: t('pricing.groupCode'), dataIndex: 'code' },
          { key: 'name', title: t('pricing.groupName'), dataIndex: 'name' },
          { key: 'count', title: t('pricing.memberCount'), dataIndex: 'members', align: 'right' },
          {
            key: 'members',
            title: t('pricing.members'),
            render: (_, g) => (
              <Space size={[4, 4]} wrap>
                {g.memberCodes.map((m) => (
                  <Tag key={m}>{m}</Tag>
                ))}
                {g.members > g.memberCodes.length ? <Typography.Text type="secondary">…</Typography.Text> : null}
              </Space>
            ),
          },
        ]}
      />
    </Space>
  );
}

interface Resolved {
  sku: string;
  quantity: number;
  unitPriceFen: number | null;
  rule: { code: string; scope: string; priority: number; minQty: number } | null;
}

/** What a customer would pay for some SKUs and quantities today, and which list and tier gave each price. */
function PriceCheck() {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ buyer: string; lines: { sku: string; quantity: number }[] }>();
  const [result, setResult] = useState<Resolved[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const check = async (v: { buyer: string; lines: { sku: string; quantity: number }[] }) => {
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      const r = await api<{ lines: Resolved[] }>('/prices/resolve', {
        method: 'POST',
        body: { buyer: v.buyer.trim(), lines: v.lines.map((l) => ({ sku: l.sku.trim(), quantity: l.quantity })) },
      });
      setResult(r.lines);
    } catch (e) {
      setProblem(errorText(e));
      form.setFields(problemFields(e) as never);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph type="secondary">{t('pricing.checkHelp')}</Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={check} initialValues={{ buyer: '', lines: [{ sku: '', quantity: 1 }] }}>
        <Form.Item name="buyer" label={t('pricing.customer')} rules={[{ required: true, message: t('pricing.required') }]}>
          <Input style={{ width: 220 }} data-testid="check-buyer" />
        </Form.Item>
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Space key={f.key} align="start">
                  <Form.Item name={[f.name, 'sku']} rules={[{ required: true, message: t('pricing.required') }]}>
                    <Input placeholder="SKU" style={{ width: 200 }} data-testid={`check-sku-${i}`} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'quantity']}
                    rules={[{ required: true, message: t('pricing.required') }, numberRule({ ...WHOLE, min: 1 })]}
                  >
                    <InputNumber addonBefore={t('orders.quantity')} style={{ width: 170 }} data-testid={`check-qty-${i}`} />
                  </Form.Item>
                  {fields.length > 1 ? <Button onClick={() => remove(f.name)}>{t('pricing.remove')}</Button> : null}
                </Space>
              ))}
              <Space>
                <Button onClick={() => add({ sku: '', quantity: 1 })} data-testid="check-add">
                  {t('pricing.addItem')}
                </Button>
                <Button type="primary" htmlType="submit" loading={busy} data-testid="check-submit">
                  {t('pricing.checkAction')}
                </Button>
              </Space>
            </>
          )}
        </Form.List>
      </Form>
      {problem ? <Alert type="error" showIcon message={problem} data-testid="check-problem" /> : null}
      {result ? (
        <Table<Resolved>
          rowKey={(r, i) => `${r.sku}-${i}`}
          size="small"
          pagination={false}
          dataSource={result}
          data-testid="check-result"
          columns={[
            { key: 'sku', title: 'SKU', dataIndex: 'sku' },
            { key: 'qty', title: t('orders.quantity'), dataIndex: 'quantity', align: 'right' },
            {
              key: 'price',
              title: t('orders.unitPrice'),
              align: 'right',
              render: (_, r) => (r.unitPriceFen === null ? <Tag color="red">{t('pricing.noPrice')}</Tag> : formatFen(r.unitPriceFen)),
            },
            {
              key: 'rule',
              title: t('orders.priceRule'),
              render: (_, r) =>
                r.rule ? (
                  <span data-testid="check-rule">
                    {t('pricing.ruleText', {
                      code: r.rule.code,
                      scope: t(`orders.scope.${r.rule.scope}`, { defaultValue: r.rule.scope }),
                      priority: r.rule.priority,
                      min: r.rule.minQty,
                    })}
                  </span>
                ) : (
                  <Typography.Text type="secondary">{t('pricing.noRule')}</Typography.Text>
                ),
            },
          ]}
        />
      ) : null}
    </Space>
  );
}
