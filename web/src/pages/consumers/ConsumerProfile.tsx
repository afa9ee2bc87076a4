import { Alert, App, Button, Card, Descriptions, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, errorText } from '../../api.ts';
import { useAuth } from '../../auth.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { UnitCode } from '../../components/UnitCode.tsx';
import { formatChinaMinute } from '../../format.ts';
import { may } from '../../nav.ts';
import { useApi } from '../../useApi.ts';
import { ledgerSource } from './ledger-source.ts';
import { PrizesTable } from './PrizesTable.tsx';
import { type ConsumerProfile, tierName } from './types.ts';

/** A points entry's source in words (a campaign's reward names the unit by GTIN and serial); an unknown key as written. */
function LedgerSourceText({ source }: { source: string }) {
  const { t } = useTranslation();
  const s = ledgerSource(source);
  switch (s.kind) {
    case 'campaign':
      return (
        <Space size={4} wrap>
          {t('consumers.sources.campaign', { id: s.campaignId })}
          <UnitCode epc={s.epc} />
        </Space>
      );
    case 'mall':
    case 'expire':
      return <>{t(`consumers.sources.${s.kind}`)}</>;
    case 'other':
      return <Typography.Text type="secondary">{s.key}</Typography.Text>;
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** One consumer: identifiers (phone masked), membership, tags, scans with products and regions, prizes won, points, merges. */
export function ConsumerProfilePage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { id } = useParams();
  const { me } = useAuth();
  const canWrite = may('consumers:write', me?.user.role);
  const { data, error, loading, reload } = useApi<ConsumerProfile>(`/consumers/${id}`);
  const [tags, setTags] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  useEffect(() => setTags(data?.tags ?? []), [data]);

  const act = async (f: () => Promise<unknown>, ok: string) => {
    setSaving(true);
    try {
      await f();
      message.success(ok);
      reload();
    } catch (e) {
      message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  if (error) return <LoadError error={error} onRetry={reload} />;
  if (!data) return <Card loading={loading} />;
  const m = data.membership;
  const product = (s: ConsumerProfile['scans'][number]) => (i18n.language === 'en' ? s.productEn : s.productZh) ?? s.gtin;
  return (
    <div data-testid="consumer-profile">
      <Typography.Title level={3}>
        <Link to="/consumers">{t('consumers.title')}</Link> / #{data.id}
      </Typography.Title>
      {data.mergedInto ? (
        <Alert
          showIcon
          type="info"
          style={{ marginBottom: 12 }}
          title={
            <span>
              {t('consumers.mergedInto')} <Link to={`/consumers/${data.mergedInto}`}>#{data.mergedInto}</Link>
            </span>
          }
        />
      ) : null}
      {data.deletedAt ? (
        <Alert
          showIcon
          type="warning"
          style={{ marginBottom: 12 }}
          title={t('consumers.deleted', { at: formatChinaMinute(data.deletedAt) })}
        />
      ) : null}
      <Descriptions bordered size="small" column={2} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('consumers.tier')}>
          <Tag color="gold" data-testid="consumer-tier">
            {tierName(m.tier, i18n.language)}
          </Tag>
          {m.next ? t('consumers.nextTier', { points: m.next.pointsToGo, tier: tierName(m.next.tier, i18n.language) }) : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('consumers.balance')}>
          <span data-testid="consumer-balance">{m.balance}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('consumers.earnedInPeriod')}>
          {t('consumers.earnedIn', { points: m.earnedInPeriod, days: m.periodDays })}
        </Descriptions.Item>
        <Descriptions.Item label={t('consumers.createdAt')}>{formatChinaMinute(data.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('consumers.identifiers')} span={2}>
          <Space wrap data-testid="consumer-identifiers">
            {data.identifiers.map((x) => (
              <Tag key={`${x.kind}-${x.addedAt}-${x.phone ?? ''}`}>
                {t(`consumers.kind.${x.kind}`)}
                {x.phone ? ` ${x.phone}` : ''} · {t(`consumers.evidence.${x.evidence}`)}
              </Tag>
            ))}
            {data.identifiers.length === 0 ? '—' : null}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label={t('consumers.tags')} span={2}>
          <Space.Compact style={{ width: '100%', maxWidth: 520 }}>
            <Select
              mode="tags"
              style={{ width: '100%' }}
              value={tags}
              onChange={setTags}
              disabled={!canWrite || !!data.mergedInto || !!data.deletedAt}
              data-testid="consumer-tags"
              maxCount={20}
            />
            {canWrite ? (
              <Button
                loading={saving}
                data-testid="consumer-tags-save"
                disabled={!!data.mergedInto || !!data.deletedAt}
                onClick={() => void act(() => api(`/consumers/${data.id}/tags`, { method: 'PUT', body: { tags } }), t('consumers.saved'))}
              >
                {t('common.save')}
              </Button>
            ) : null}
          </Space.Compact>
        </Descriptions.Item>
      </Descriptions>

      <Typography.Title level={5}>{t('consumers.scans')}</Typography.Title>
      <Table
        rowKey={(r) => `${r.epc}-${r.at}`}
        size="small"
        data-testid="consumer-scans"
        dataSource={data.scans}
        pagination={{ pageSize: 10 }}
        columns={[
          { title: t('consumers.scanAt'), dataIndex: 'at', render: (v: string) => formatChinaMinute(v) },
          { title: t('consumers.product'), key: 'product', render: (_: unknown, r) => product(r) },
          { title: t('consumers.region'), dataIndex: 'region', render: (v: string | null) => v ?? '—' },
          { title: t('consumers.verdict'), dataIndex: 'verdict', render: (v: string) => t(`consumers.verdicts.${v}`) },
        ]}
      />

      <Typography.Title level={5}>{t('consumers.prizes')}</Typography.Title>
      <PrizesTable prizes={data.prizes} />

      <Typography.Title level={5}>{t('consumers.ledger')}</Typography.Title>
      <Table
        rowKey="id"
        size="small"
        data-testid="consumer-ledger"
        dataSource={data.ledger}
        pagination={{ pageSize: 10 }}
        columns={[
          { title: t('consumers.at'), dataIndex: 'at', render: (v: string) => formatChinaMinute(v) },
          { title: t('consumers.entryKind'), dataIndex: 'kind', render: (v: string) => t(`consumers.entryKinds.${v}`) },
          { title: t('consumers.points'), dataIndex: 'delta', align: 'right', render: (v: number) => (v > 0 ? `+${v}` : v) },
          { title: t('consumers.source'), dataIndex: 'source', render: (v: string) => <LedgerSourceText source={v} /> },
          { title: t('consumers.expiresAt'), dataIndex: 'expiresAt', render: (v: string | null) => (v ? formatChinaMinute(v) : '—') },
        ]}
      />

      <Typography.Title level={5}>{t('consumers.merges')}</Typography.Title>
      <Table
        rowKey="id"
        size="small"
        data-testid="consumer-merges"
        dataSource={data.merges}
        pagination={false}
        columns={[
          { title: t('consumers.at'), dataIndex: 'at', render: (v: string) => formatChinaMinute(v) },
          {
            title: t('consumers.merge'),
            key: 'merge',
            render: (_: unknown, r) => (
              <span>
                <Link to={`/consumers/${r.fromConsumer}`}>#{r.fromConsumer}</Link> →{' '}
                <Link to={`/consumers/${r.intoConsumer}`}>#{r.intoConsumer}</Link>
              </span>
            ),
          },
          {
            title: t('consumers.mergeEvidence'),
            key: 'evidence',
            render: (_: unknown, r) => `${t(`consumers.evidence.${r.evidence}`)} (${t(`consumers.kind.${r.triggerKind}`)})`,
          },
          {
            title: t('consumers.moved'),
            key: 'moved',
            render: (_: unknown, r) => t('consumers.movedText', { ids: r.movedIdentifiers, entries: r.movedEntries }),
          },
          {
            title: '',
            key: 'undo',
            render: (_: unknown, r) =>
              r.undoneAt ? (
                <Tag>{t('consumers.undone', { at: formatChinaMinute(r.undoneAt) })}</Tag>
              ) : canWrite ? (
                <Popconfirm
                  title={t('consumers.undoConfirm')}
                  onConfirm={() => act(() => api(`/consumers/merges/${r.id}/undo`, { method: 'POST' }), t('consumers.undoDone'))}
                >
                  <Button size="small" danger data-testid={`merge-undo-${r.id}`}>
                    {t('consumers.undo')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />

      <Typography.Title level={5}>{t('consumers.redemptions')}</Typography.Title>
      <Table
        rowKey="id"
        size="small"
        dataSource={data.redemptions}
        pagination={false}
        columns={[
          { title: t('consumers.at'), dataIndex: 'at', render: (v: string) => formatChinaMinute(v) },
          { title: t('mall.item'), key: 'name', render: (_: unknown, r) => (i18n.language === 'en' ? r.nameEn : r.nameZh) },
          { title: t('consumers.points'), dataIndex: 'points', align: 'right' },
          { title: t('mall.coupon'), dataIndex: 'couponCode' },
        ]}
      />
    </div>
  );
}
