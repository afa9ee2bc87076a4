import { Input, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { LoadError } from '../../components/PageState.tsx';
import { formatChinaMinute } from '../../format.ts';
import { useApi } from '../../useApi.ts';
import { useQueryState } from '../../useQueryState.ts';
import { type ConsumerRow, type Tier, tierName } from './types.ts';

const DEFAULTS = { page: '1', pageSize: '50', tier: '', tag: '', phone: '' };

/** Consumers of the brand: phone masked, tier, points, tags; filters by tier, tag and an exact phone number. */
export function ConsumersPage() {
  const { t, i18n } = useTranslation();
  const { get, set } = useQueryState(DEFAULTS);
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 50;
  const phone = get('phone');
  const { data, error, loading, reload } = useApi<{ items: ConsumerRow[]; total: number; tiers: Tier[] }>('/consumers', {
    page,
    pageSize,
    tier: get('tier') || undefined,
    tag: get('tag') || undefined,
    // a malformed number is sent as typed: the server's refusal says what is wrong with it
    phone: phone || undefined,
  });
  return (
    <div>
      <Typography.Title level={3}>{t('consumers.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('consumers.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          style={{ width: 160 }}
          placeholder={t('consumers.tier')}
          data-testid="consumers-tier"
          value={get('tier') || undefined}
          onChange={(v) => set({ tier: v ?? '' })}
          options={(data?.tiers ?? []).map((x) => ({ value: x.code, label: tierName(x, i18n.language) }))}
        />
        <Input.Search
          allowClear
          style={{ width: 180 }}
          placeholder={t('consumers.tag')}
          defaultValue={get('tag')}
          onSearch={(v) => set({ tag: v.trim() })}
          data-testid="consumers-tag"
        />
        <Input.Search
          allowClear
          style={{ width: 220 }}
          placeholder={t('consumers.phoneSearch')}
          defaultValue={phone}
          onSearch={(v) => set({ phone: v.trim() })}
          data-testid="consumers-phone"
        />
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<ConsumerRow>
        rowKey="id"
        size="small"
        data-testid="consumers-table"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{ current: page, pageSize, total: data?.total ?? 0, onChange: (p, s) => set({ page: p, pageSize: s }, false) }}
        columns={[
          { title: t('consumers.id'), dataIndex: 'id', render: (id: number) => <Link to={`/consumers/${id}`}>#{id}</Link> },
          { title: t('consumers.phone'), dataIndex: 'phone', render: (p: string | null) => p ?? '—' },
          {
            title: t('consumers.wechat'),
            dataIndex: 'wechat',
            render: (w: boolean) => (w ? <Tag color="green">{t('consumers.bound')}</Tag> : '—'),
          },
          { title: t('consumers.tier'), dataIndex: 'tier', render: (x: Tier) => <Tag color="gold">{tierName(x, i18n.language)}</Tag> },
          { title: t('consumers.balance'), dataIndex: 'balance', align: 'right' },
          { title: t('consumers.earnedInPeriod'), dataIndex: 'earnedInPeriod', align: 'right' },
          { title: t('consumers.tags'), dataIndex: 'tags', render: (tags: string[]) => tags.map((x) => <Tag key={x}>{x}</Tag>) },
          { title: t('consumers.createdAt'), dataIndex: 'createdAt', render: (v: string) => formatChinaMinute(v) },
        ]}
      />
    </div>
  );
}
