import { Card, Col, Empty, Row, Skeleton, Statistic, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { LoadError } from '../components/PageState.tsx';
import { CHANNEL_ITEMS, canSee, type NavItem } from '../nav.ts';
import type { Category, Overview } from '../types.ts';
import { useApi } from '../useApi.ts';

/**
 * The counts, each with who sees it: the parties' cards as their lists in the menu (CHANNEL_ITEMS), so a distributor is
 * not shown "factories 0" and "warehouses 0" leading to the brand's facilities, nor a store "distributors 0".
 */
const COUNT_CARDS: { key: keyof Overview['counts']; to?: string; access: NavItem['access'] }[] = [
  { key: 'products', to: '/products', access: 'all' },
  { key: 'factories', to: '/channel/facilities?kind=factory', access: accessOf('facilities') },
  { key: 'warehouses', to: '/channel/facilities?kind=warehouse', access: accessOf('facilities') },
  { key: 'distributors', to: '/channel/distributors', access: accessOf('distributors') },
  { key: 'stores', to: '/channel/stores', access: accessOf('stores') },
  { key: 'users', access: 'all' },
];

function accessOf(key: string): NavItem['access'] {
  return CHANNEL_ITEMS.find((i) => i.key === key)?.access ?? 'brand';
}

export function OverviewPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const cards = COUNT_CARDS.filter((c) => canSee(c.access, me?.user.role));
  const { data, error, loading, reload } = useApi<Overview>('/overview');
  const categories = useApi<{ items: Category[] }>('/products/categories');
  const en = i18n.language === 'en';

  const categoryName = useMemo(() => {
    const names = new Map<string, string>();
    for (const c of categories.data?.items ?? []) names.set(c.code, (en ? c.nameEn : c.nameZh) || c.code);
    return (code: string) => names.get(code) ?? code;
  }, [categories.data, en]);

  const barOption = useMemo<ChartOption>(() => {
    const rows = [...(data?.storesByProvince ?? [])].sort((a, b) => b.count - a.count);
    return {
      tooltip: { trigger: 'axis' },
      grid: { left: 48, right: 16, top: 16, bottom: 80 },
      xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('overview.storeCount'), data: rows.map((r) => r.count), itemStyle: { color: '#0f766e' } }],
    };
  }, [data, t]);

  const pieOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['30%', '52%'],
          // the names sit against the card's edges, inside it (outside labels ran off the narrow card, cut or "…"); labels
          // that would overlap are left to the legend and the tooltip
          label: { formatter: '{b}', alignTo: 'edge', edgeDistance: 8, minMargin: 4 },
          labelLine: { length: 8, length2: 0, maxSurfaceAngle: 80 },
          labelLayout: { hideOverlap: true },
          name: t('overview.productsByCategory'),
          data: (data?.productsByCategory ?? []).map((r) => ({ name: r.name ?? categoryName(r.category), value: r.count })),
        },
      ],
    }),
    [data, t, categoryName],
  );

  return (
    <div data-testid="overview">
      <Typography.Title level={3}>{t('overview.title')}</Typography.Title>
      <LoadError error={error} onRetry={reload} />
      <Row gutter={[16, 16]}>
        {cards.map(({ key, to }) => (
          <Col key={key} xs={12} md={8} xl={24 / cards.length}>
            <Card loading={loading && !data}>
              <Statistic title={to ? <Link to={to}>{t(`counts.${key}`)}</Link> : t(`counts.${key}`)} value={data?.counts[key] ?? 0} />
            </Card>
          </Col>
        ))}
        <Col xs={24} xl={16}>
          <Card title={t('overview.storesByProvince')}>
            {loading && !data ? (
              <Skeleton active />
            ) : data?.storesByProvince.length ? (
              <Chart option={barOption} height={360} testId="chart-stores-by-province" />
            ) : (
              <Empty description={t('common.noData')} />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card title={t('overview.productsByCategory')}>
            {loading && !data ? (
              <Skeleton active />
            ) : data?.productsByCategory.length ? (
              <Chart option={pieOption} height={360} testId="chart-products-by-category" />
            ) : (
              <Empty description={t('common.noData')} />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
