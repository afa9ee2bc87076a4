import { Alert, Card, Col, Empty, Input, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { DivisionFilter, type DivisionValue } from '../components/DivisionFilter.tsx';
import { LoadError } from '../components/PageState.tsx';
import { chinaDay } from '../format.ts';
import { may } from '../nav.ts';
import { useApi } from '../useApi.ts';

interface Group {
  stores: number;
  unitsBefore: number;
  unitsDuring: number;
  rateBefore: number | null;
  rateDuring: number | null;
}

interface LiftReport {
  baseline: { start: string; end: string };
  campaign: { start: string; end: string };
  treated: Group;
  control: Group;
  lift: number | null;
  series: { day: string; treated: number; control: number }[];
}

interface StoreRank {
  rank: number;
  storeId: number;
  code: string;
  name: string;
  units: number;
}

interface ClerkRank {
  rank: number;
  userId: number;
  name: string;
  storeCode: string;
  storeName: string;
  units: number;
  scans: number;
}

interface Product {
  id: number;
  sku: string;
  gtin: string;
  nameZh: string;
  nameEn: string;
}

/**
 * What a campaign brought: its regions' sell-out against comparable stores elsewhere (before and during, per store
 * and day, as a chart, and the lift that the difference in differences gives), and the stores and clerks who sold
 * most in the period. A distributor sees the rankings of its own stores only.
 */
export function CampaignResultsPage() {
  const { t, i18n } = useTranslation();
  const { me } = useAuth();
  const [start, setStart] = useState(chinaDay(13));
  const [end, setEnd] = useState(chinaDay(0));
  const [region, setRegion] = useState<DivisionValue>({ provinceCode: '', cityCode: '', districtCode: '' });
  const [gtins, setGtins] = useState<string[]>([]);
  const regionCode = region.districtCode || region.cityCode || region.provinceCode;
  const query = {
    start,
    end,
    gtins: gtins.length ? gtins.join(',') : undefined,
    regions: regionCode || undefined,
  };
  const canLift = may('reports:campaigns', me?.user.role);
  const lift = useApi<LiftReport>(canLift && regionCode ? '/reports/sell-out-lift' : null, query);
  const stores = useApi<{ items: StoreRank[] }>('/reports/rankings/stores', query);
  const clerks = useApi<{ items: ClerkRank[] }>('/reports/rankings/clerks', query);
  const products = useApi<{ items: Product[] }>('/products', { pageSize: 500 });
  const en = i18n.language === 'en';

  const option = useMemo<ChartOption | null>(() => {
    const r = lift.data;
    if (!r) return null;
    return {
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => v.toFixed(2) },
      legend: { top: 0, data: [t('campaignResults.treated'), t('campaignResults.control')] },
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: r.series.map((p) => p.day.slice(5)) },
      yAxis: { type: 'value', name: t('campaignResults.unitsPerStoreDay') },
      series: [
        {
          name: t('campaignResults.treated'),
          type: 'line',
          data: r.series.map((p) => p.treated),
          markArea: {
            itemStyle: { color: 'rgba(22, 119, 255, 0.08)' },
            data: [[{ name: t('campaignResults.campaign'), xAxis: r.campaign.start.slice(5) }, { xAxis: r.campaign.end.slice(5) }]],
          },
        },
        { name: t('campaignResults.control'), type: 'line', data: r.series.map((p) => p.control), lineStyle: { type: 'dashed' } },
      ],
    };
  }, [lift.data, t]);

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('campaignResults.title')}
      </Typography.Title>
      <Space wrap>
        <Input
          type="date"
          value={start}
          max={end}
          onChange={(e) => e.target.value && setStart(e.target.value)}
          data-testid="campaign-results-start"
        />
        <Input
          type="date"
          value={end}
          min={start}
          onChange={(e) => e.target.value && setEnd(e.target.value)}
          data-testid="campaign-results-end"
        />
        <Typography.Text type="secondary">{t('campaignResults.chinaDays')}</Typography.Text>
        <DivisionFilter value={region} onChange={setRegion} />
        <Select
          mode="multiple"
          allowClear
          style={{ minWidth: 260 }}
          placeholder={t('campaignResults.products')}
          value={gtins}
          onChange={setGtins}
          loading={products.loading}
          options={(products.data?.items ?? []).map((p) => ({ value: p.gtin, label: `${p.sku} ${en ? p.nameEn : p.nameZh}` }))}
          showSearch={{ optionFilterProp: 'label' }}
          data-testid="campaign-results-products"
        />
      </Space>
      {canLift ? (
        <Card title={t('campaignResults.liftTitle')} data-testid="campaign-results-lift">
          {!regionCode ? (
            <Alert type="info" showIcon message={t('campaignResults.pickRegion')} />
          ) : lift.error ? (
            <LoadError error={lift.error} onRetry={lift.reload} />
          ) : lift.data ? (
            <Row gutter={[24, 16]}>
              <Col xs={24} md={6}>
                <Statistic
                  title={t('campaignResults.lift')}
                  value={lift.data.lift === null ? '—' : (lift.data.lift * 100).toFixed(1)}
                  suffix={lift.data.lift === null ? undefined : '%'}
                  valueStyle={{ color: (lift.data.lift ?? 0) >= 0 ? '#3f8600' : '#cf1322' }}
                  data-testid="campaign-results-lift-value"
                />
                <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
                  {t('campaignResults.groups', {
                    treated: lift.data.treated.stores,
                    control: lift.data.control.stores,
                    from: lift.data.baseline.start,
                    to: lift.data.baseline.end,
                  })}
                </Typography.Paragraph>
                {lift.data.lift === null ? <Alert type="warning" showIcon message={t('campaignResults.noLift')} /> : null}
              </Col>
              <Col xs={24} md={18}>
                {option ? <Chart option={option} height={300} testId="campaign-results-chart" /> : null}
              </Col>
            </Row>
          ) : (
            <Empty />
          )}
        </Card>
      ) : null}
      <Row gutter={[24, 24]}>
        <Col xs={24} lg={12}>
          <Card title={t('campaignResults.storeRanking')}>
            {stores.error ? <LoadError error={stores.error} onRetry={stores.reload} /> : null}
            <Table<StoreRank>
              rowKey="storeId"
              size="small"
              loading={stores.loading}
              dataSource={stores.data?.items ?? []}
              pagination={{ pageSize: 10 }}
              data-testid="campaign-results-stores"
              columns={[
                { key: 'rank', title: '#', dataIndex: 'rank', width: 48 },
                { key: 'store', title: t('campaignResults.store'), render: (_, r) => `${r.code} ${r.name}` },
                { key: 'units', title: t('campaignResults.units'), dataIndex: 'units', align: 'right' },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t('campaignResults.clerkRanking')}>
            {clerks.error ? <LoadError error={clerks.error} onRetry={clerks.reload} /> : null}
            <Table<ClerkRank>
              rowKey="userId"
              size="small"
              loading={clerks.loading}
              dataSource={clerks.data?.items ?? []}
              pagination={{ pageSize: 10 }}
              data-testid="campaign-results-clerks"
              columns={[
                { key: 'rank', title: '#', dataIndex: 'rank', width: 48 },
                { key: 'clerk', title: t('campaignResults.clerk'), dataIndex: 'name' },
                { key: 'store', title: t('campaignResults.store'), render: (_, r) => `${r.storeCode} ${r.storeName}` },
                { key: 'units', title: t('campaignResults.units'), dataIndex: 'units', align: 'right' },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
