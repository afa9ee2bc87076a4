import { Input, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Page } from '../api.ts';
import { LoadError } from '../components/PageState.tsx';
import { formatDateTime } from '../format.ts';
import type { UserRow } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';

const DEFAULTS = { page: '1', pageSize: '50' };

export function UsersPage() {
  const { t } = useTranslation();
  const { get, set } = useQueryState(DEFAULTS);
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 50;
  const q = get('q');
  const { data, error, loading, reload } = useApi<Page<UserRow>>('/users', { q, page, pageSize });

  return (
    <div>
      <Typography.Title level={3}>{t('users.title')}</Typography.Title>
      <Input.Search
        allowClear
        defaultValue={q}
        placeholder={t('users.searchPlaceholder')}
        onSearch={(v) => set({ q: v.trim() })}
        style={{ width: 300, marginBottom: 16 }}
      />
      <LoadError error={error} onRetry={reload} />
      <Table<UserRow>
        rowKey="id"
        size="middle"
        data-testid="users-table"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { count: n }),
        }}
        onChange={(p) => set({ page: p.current, pageSize: p.pageSize }, false)}
        columns={[
          { key: 'username', dataIndex: 'username', title: t('users.username') },
          { key: 'displayName', dataIndex: 'displayName', title: t('users.displayName') },
          {
            key: 'role',
            dataIndex: 'role',
            title: t('users.role'),
            render: (r: string) => <Tag color="cyan">{t(`roles.${r}`, { defaultValue: r })}</Tag>,
          },
          {
            key: 'party',
            title: t('users.party'),
            render: (_, u) => (u.partyId ? <Link to={`/channel/parties/${u.partyId}`}>{u.partyName ?? u.partyId}</Link> : '—'),
          },
          {
            key: 'status',
            dataIndex: 'status',
            title: t('common.status'),
            render: (s: string) => <Tag color={s === 'active' ? 'green' : 'default'}>{t(`status.${s}`, { defaultValue: s })}</Tag>,
          },
          { key: 'createdAt', dataIndex: 'createdAt', title: t('users.createdAt'), render: formatDateTime },
        ]}
      />
    </div>
  );
}
