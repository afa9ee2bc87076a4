import { Button, Empty, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import type { Page } from '../../api.ts';
import { LoadError } from '../../components/PageState.tsx';
import { formatDateTime, formatNumber } from '../../format.ts';
import type { DiversionGroup } from '../../types.ts';
import type { ApiState } from '../../useApi.ts';
import { ProductCell, placeText } from './AlertText.tsx';
import { type Decision, MAX_BULK_REVIEW } from './BulkReviewDialog.tsx';

/** What a group's alerts have in common, for the review dialog: the distributor and where they turned up. */
export function groupSummary(g: DiversionGroup): string {
  const where = g.scannedBy ? `${g.scannedBy.name} · ${placeText(g.actual)}` : placeText(g.actual);
  return `${g.distributor.name} (${g.distributor.code}) → ${where}`;
}

/**
 * The list filters that select exactly a group's alerts, besides its distributor (the page's own filter): each value
 * of its key, empty where the group has none (GET /diversion/alerts reads an empty value as "without one").
 */
export function groupFilter(g: DiversionGroup): URLSearchParams {
  return new URLSearchParams({
    gtin: g.gtin ?? '',
    lot: g.lot ?? '',
    scanKind: g.scanKind,
    actualDivision: g.actual?.code ?? '',
    scannedById: g.scannedBy ? String(g.scannedBy.id) : '',
  });
}

/**
 * The alerts grouped as incidents (a diverted case is one row, with its count): the reviewer reads the product, the
 * distributor and where the goods turned up once, and confirms or dismisses the group's open alerts together.
 */
export function AlertGroups({
  groups,
  query,
  canReview,
  onReview,
  onShowAlerts,
  onPage,
}: {
  /** the page's request of /diversion/alerts/groups (the page reloads it after a review) */
  groups: ApiState<Page<DiversionGroup>>;
  query: { page: number; pageSize: number };
  canReview: boolean;
  onReview: (group: DiversionGroup, decision: Decision) => void;
  onShowAlerts: (group: DiversionGroup) => void;
  onPage: (page: number, pageSize: number) => void;
}) {
  const { t } = useTranslation();
  const { data, error, loading, reload } = groups;

  const columns: ColumnsType<DiversionGroup> = [
    { key: 'lastAt', title: t('diversion.lastAt'), width: 170, render: (_, g) => formatDateTime(g.lastAt) },
    { key: 'product', title: t('diversion.product'), render: (_, g) => <ProductCell product={g.product} gtin={g.gtin} lot={g.lot} /> },
    {
      key: 'distributor',
      title: t('diversion.distributor'),
      render: (_, g) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/channel/parties/${g.distributor.id}`}>{g.distributor.name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {g.expected.map(placeText).join('、') || g.distributor.code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'actual',
      title: t('diversion.actual'),
      render: (_, g) => (
        <Space orientation="vertical" size={0}>
          {g.actual ? (
            <Tag color="red" data-testid="diversion-group-place">
              {placeText(g.actual)}
            </Tag>
          ) : (
            '—'
          )}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {g.scannedBy ? g.scannedBy.name : t('diversion.noParty')} · {t(`scanKind.${g.scanKind}`, { defaultValue: g.scanKind })}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'alerts',
      title: t('diversion.groupAlerts'),
      width: 190,
      render: (_, g) => (
        <Space size={4} wrap data-testid="diversion-group-count">
          <Typography.Text strong>{formatNumber(g.alerts)}</Typography.Text>
          {(['open', 'confirmed', 'dismissed'] as const).map((s) =>
            g.byStatus[s] ? (
              <Tag key={s} data-testid={`diversion-group-${s}`}>
                {t(`alertStatus.${s}`)} {formatNumber(g.byStatus[s])}
              </Tag>
            ) : null,
          )}
        </Space>
      ),
    },
    {
      key: 'actions',
      title: t('diversion.review'),
      width: 230,
      render: (_, g) => {
        const tooMany = g.openIds.length > MAX_BULK_REVIEW;
        return (
          <Space size={4} wrap>
            {canReview && g.openIds.length ? (
              <Tooltip title={tooMany ? t('diversion.tooManyForBulk', { max: formatNumber(MAX_BULK_REVIEW) }) : undefined}>
                <Space size={4}>
                  <Button
                    size="small"
                    danger
                    disabled={tooMany}
                    onClick={() => onReview(g, 'confirmed')}
                    data-testid="diversion-group-confirm"
                  >
                    {t('diversion.confirmAll', { count: g.openIds.length })}
                  </Button>
                  <Button size="small" disabled={tooMany} onClick={() => onReview(g, 'dismissed')} data-testid="diversion-group-dismiss">
                    {t('diversion.dismissAll', { count: g.openIds.length })}
                  </Button>
                </Space>
              </Tooltip>
            ) : null}
            <Button size="small" type="link" onClick={() => onShowAlerts(g)} data-testid="diversion-group-show">
              {t('diversion.showAlerts')}
            </Button>
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <LoadError error={error} onRetry={reload} />
      <Table<DiversionGroup>
        rowKey="key"
        size="middle"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        data-testid="diversion-groups"
        locale={{ emptyText: <Empty description={t('diversion.noAlerts')} /> }}
        pagination={{
          current: query.page,
          pageSize: query.pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100, 200],
          showTotal: (n) => t('diversion.groupsTotal', { count: n }),
        }}
        onChange={(p) => onPage(p.pageSize !== query.pageSize ? 1 : (p.current ?? 1), p.pageSize ?? query.pageSize)}
      />
    </>
  );
}
