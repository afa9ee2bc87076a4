import { Input, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import type { Page } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { DivisionFilter } from '../components/DivisionFilter.tsx';
import { LoadError } from '../components/PageState.tsx';
import { dash } from '../format.ts';
import { isBrandRole, isDistributorRole, type PartyKind, type PartyRow } from '../types.ts';
import { useApi } from '../useApi.ts';
import { sortFromSorter, sortOrderOf, useQueryState } from '../useQueryState.ts';

export type PartiesView = 'distributors' | 'stores' | 'facilities';

const DEFAULTS = { page: '1', pageSize: '50', sort: 'name', kind: 'factory' };

export function regionText(r: Pick<PartyRow, 'provinceName' | 'cityName' | 'districtName'>): string {
  const parts = [r.provinceName, r.cityName, r.districtName].filter((x): x is string => !!x);
  // Municipalities repeat the province as the city (北京市 北京市): show it once.
  return parts.filter((p, i) => p !== parts[i - 1]).join(' ') || '—';
}

export function PartiesPage({ view }: { view: PartiesView }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { me } = useAuth();
  const role = me?.user.role;
  const parentVisible = (r: PartyRow) => isBrandRole(role) || (isDistributorRole(role) && String(r.id) !== String(me?.user.partyId));
  const { get, set } = useQueryState(DEFAULTS);
  const facilityKind = get('kind') === 'warehouse' ? 'warehouse' : 'factory';
  const kind: PartyKind = view === 'distributors' ? 'distributor' : view === 'stores' ? 'store' : facilityKind;
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 50;
  const sort = get('sort');
  const q = get('q');
  const division = { provinceCode: get('provinceCode'), cityCode: get('cityCode'), districtCode: get('districtCode') };
  const tier = view === 'distributors' ? get('tier') : '';
  const parentId = get('parentId');
  const parentName = get('parentName');

  const { data, error, loading, reload } = useApi<Page<PartyRow>>('/parties', {
    kind,
    q,
    ...division,
    tier,
    parentId,
    page,
    pageSize,
    sort,
  });

  const columns: ColumnsType<PartyRow> = [
    { key: 'code', dataIndex: 'code', title: t('parties.code'), sorter: true, sortOrder: sortOrderOf(sort, 'code'), width: 150 },
    {
      key: 'name',
      title: t('parties.name'),
      sorter: true,
      sortOrder: sortOrderOf(sort, 'name'),
      render: (_, r) => (
        <Link to={`/channel/parties/${r.id}`} data-testid="party-link">
          {r.name}
        </Link>
      ),
    },
    ...(view === 'distributors'
      ? [
          {
            key: 'tier',
            dataIndex: 'tier',
            title: t('parties.tier'),
            width: 90,
            render: (v: number | null) => (v ? <Tag color={v === 1 ? 'blue' : 'geekblue'}>{t('parties.tierN', { tier: v })}</Tag> : '—'),
          },
        ]
      : []),
    { key: 'region', title: t('parties.region'), render: (_, r) => <span data-testid="party-region">{regionText(r)}</span> },
    {
      key: 'parent',
      title: t('parties.parent'),
      // a link only where the supplier's page is in the viewer's scope: a store never sees its distributor's, nor a
      // distributor the one above it
      render: (_, r) =>
        !r.parentId ? (
          '—'
        ) : parentVisible(r) ? (
          <Link to={`/channel/parties/${r.parentId}`}>{r.parentName ?? r.parentId}</Link>
        ) : (
          (r.parentName ?? '—')
        ),
    },
    { key: 'gln', dataIndex: 'gln', title: t('parties.gln'), render: dash, width: 150 },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('common.status'),
      width: 90,
      render: (s: string) => <Tag color={s === 'active' ? 'green' : 'default'}>{t(`status.${s}`, { defaultValue: s })}</Tag>,
    },
  ];

  const title = t(`menu.${view}`);
  return (
    <div>
      <Typography.Title level={3}>{title}</Typography.Title>
      {view === 'facilities' ? (
        <Segmented<PartyKind>
          style={{ marginBottom: 16 }}
          value={facilityKind}
          onChange={(v) => set({ kind: v })}
          options={[
            { value: 'factory', label: t('kinds.factory') },
            { value: 'warehouse', label: t('kinds.warehouse') },
          ]}
          data-testid="facility-kind"
        />
      ) : null}
      <Space wrap style={{ marginBottom: 16, display: 'flex' }}>
        <Input.Search
          key={`${view}-${q}`}
          allowClear
          defaultValue={q}
          placeholder={t('parties.searchPlaceholder')}
          onSearch={(v) => set({ q: v.trim() })}
          style={{ width: 280 }}
          data-testid="parties-search"
        />
        <DivisionFilter value={division} onChange={(v) => set({ ...v })} />
        {view === 'distributors' ? (
          <Select
            allowClear
            placeholder={t('parties.allTiers')}
            value={tier || undefined}
            onChange={(v?: string) => set({ tier: v })}
            style={{ width: 120 }}
            options={[1, 2].map((n) => ({ value: String(n), label: t('parties.tierN', { tier: n }) }))}
            data-testid="filter-tier"
          />
        ) : null}
        {parentId ? (
          <Tag closable onClose={() => set({ parentId: undefined, parentName: undefined })} color="processing">
            {t('parties.suppliedBy', { name: parentName || parentId })}
          </Tag>
        ) : null}
      </Space>
      <LoadError error={error} onRetry={reload} />
      <div data-testid={`${view}-table`}>
        <Table<PartyRow>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={data?.items ?? []}
          loading={loading}
          onRow={(r) => ({ onDoubleClick: () => navigate(`/channel/parties/${r.id}`) })}
          pagination={{
            current: page,
            pageSize,
            total: data?.total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: [20, 50, 100, 200],
            showTotal: (n) => t('common.total', { count: n }),
          }}
          onChange={(p, _f, sorter) => {
            const nextSort = sortFromSorter(sorter) ?? DEFAULTS.sort;
            set({
              page: nextSort !== sort || p.pageSize !== pageSize ? 1 : p.current,
              pageSize: p.pageSize,
              sort: nextSort,
            });
          }}
        />
      </div>
    </div>
  );
}
