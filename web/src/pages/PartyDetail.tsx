import { Button, Card, Descriptions, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useAuth } from '../auth.tsx';
import { LoadError } from '../components/PageState.tsx';
import { dash, formatNumber } from '../format.ts';
import { may } from '../nav.ts';
import type { PartyDetail, PartyKind } from '../types.ts';
import { useApi } from '../useApi.ts';
import { regionText } from './Parties.tsx';

const LIST_OF: Partial<Record<PartyKind, string>> = {
  store: '/channel/stores',
  distributor: '/channel/distributors',
  factory: '/channel/facilities?kind=factory',
  warehouse: '/channel/facilities?kind=warehouse',
};

export function PartyDetailPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { id } = useParams();
  const role = useAuth().me?.user.role;
  const { data: p, error, loading, reload } = useApi<PartyDetail>(`/parties/${encodeURIComponent(id ?? '')}`);

  const childLink = (kind: PartyKind) => {
    const base = LIST_OF[kind];
    if (!base || !p) return null;
    const qs = new URLSearchParams({ parentId: String(p.id), parentName: p.name });
    return `${base}${base.includes('?') ? '&' : '?'}${qs}`;
  };

  const children = Object.entries(p?.childCounts ?? {}).filter(([, n]) => typeof n === 'number') as [PartyKind, number][];

  return (
    <div data-testid="party-detail">
      <Space style={{ marginBottom: 16 }}>
        <Button onClick={() => navigate(-1)}>{t('common.back')}</Button>
      </Space>
      <LoadError error={error} onRetry={reload} />
      {loading && !p ? <Skeleton active /> : null}
      {p ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          <Space align="center" wrap>
            <Typography.Title level={3} style={{ margin: 0 }} data-testid="party-name">
              {p.name}
            </Typography.Title>
            <Tag>{t(`kinds.${p.kind}`, { defaultValue: p.kind })}</Tag>
            {p.tier ? <Tag color="blue">{t('parties.tierN', { tier: p.tier })}</Tag> : null}
            <Tag color={p.status === 'active' ? 'green' : 'default'}>{t(`status.${p.status}`, { defaultValue: p.status })}</Tag>
          </Space>
          <Card>
            <Descriptions
              column={{ xs: 1, md: 2, xl: 3 }}
              items={[
                { key: 'code', label: t('parties.code'), children: p.code },
                { key: 'gln', label: t('parties.gln'), children: p.gln ? <Typography.Text copyable>{p.gln}</Typography.Text> : '—' },
                { key: 'kind', label: t('parties.kind'), children: t(`kinds.${p.kind}`, { defaultValue: p.kind }) },
                { key: 'region', label: t('parties.region'), children: <span data-testid="party-detail-region">{regionText(p)}</span> },
                { key: 'address', label: t('parties.address'), children: dash(p.address), span: 2 },
                {
                  key: 'parent',
                  label: t('parties.parent'),
                  children: p.parentId ? (
                    <Link to={`/channel/parties/${p.parentId}`} data-testid="party-parent">
                      {p.parentName ?? p.parentId}
                    </Link>
                  ) : (
                    '—'
                  ),
                },
                {
                  key: 'coords',
                  label: t('parties.coordinates'),
                  children:
                    p.lat !== null && p.lng !== null && p.lat !== undefined && p.lng !== undefined
                      ? `${Number(p.lat).toFixed(6)}, ${Number(p.lng).toFixed(6)}`
                      : '—',
                },
                { key: 'contact', label: t('parties.contact'), children: dash(p.contactName) },
                { key: 'phone', label: t('parties.phone'), children: dash(p.phone) },
              ]}
            />
          </Card>
          {(p.kind === 'store' || p.kind === 'distributor') && (may('orders:read', role) || may('funds:read', role)) ? (
            // a distributor looking at one of its stores (or the brand at a member): its trading, on the pages that hold it
            <Card title={t('parties.trading')} data-testid="party-trading">
              <Space size="large" wrap>
                {may('orders:read', role) ? (
                  <Link to={`/orders?${new URLSearchParams({ q: p.code })}`} data-testid="party-orders">
                    {t('parties.ordersOf')}
                  </Link>
                ) : null}
                {may('funds:read', role) ? (
                  <Link to={`/funds?${new URLSearchParams({ party: p.code })}`} data-testid="party-funds">
                    {t('parties.fundsOf')}
                  </Link>
                ) : null}
              </Space>
            </Card>
          ) : null}
          {children.length ? (
            <Card title={t('parties.downstream')}>
              <Space size="large" wrap>
                {children.map(([kind, n]) => {
                  const to = childLink(kind);
                  const label = `${t(`kinds.${kind}`, { defaultValue: kind })}: ${formatNumber(n)}`;
                  return to && n > 0 ? (
                    <Link key={kind} to={to} data-testid={`children-${kind}`}>
                      {label}
                    </Link>
                  ) : (
                    <span key={kind}>{label}</span>
                  );
                })}
              </Space>
            </Card>
          ) : null}
          {p.kind === 'distributor' ? (
            <Card title={t('parties.territories')}>
              <Table
                rowKey="code"
                size="small"
                dataSource={p.territories ?? []}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                data-testid="territories-table"
                columns={[
                  { key: 'code', dataIndex: 'code', title: t('parties.divisionCode') },
                  { key: 'name', dataIndex: 'name', title: t('parties.name') },
                  {
                    key: 'level',
                    dataIndex: 'level',
                    title: t('parties.level'),
                    render: (l: number | string) => t(`divisionLevel.${l}`, { defaultValue: String(l) }),
                  },
                ]}
              />
            </Card>
          ) : null}
        </Space>
      ) : null}
    </div>
  );
}
