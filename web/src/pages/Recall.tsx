import {
  Alert,
  App,
  AutoComplete,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Segmented,
  Skeleton,
  Space,
  Statistic,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, errorText, formFieldErrors, type Page, withQuery } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartOption } from '../components/Chart.tsx';
import { LoadError } from '../components/PageState.tsx';
import { ProvinceMap } from '../components/ProvinceMap.tsx';
import { formatDateTime, formatNumber } from '../format.ts';
import { provinceLabel } from '../geo/provinces.ts';
import { may } from '../nav.ts';
import { CODE_STATUS_COLOR } from '../trace.ts';
import type { ProductRow, RecallHolder, RecallReport } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';

const DEFAULTS = { gtin: '', lot: '', view: 'map' };
const MAP_COLORS: [string, string] = ['#fee2e2', '#b91c1c'];
const STATUS_CHART_COLOR: Record<string, string> = {
  commissioned: '#3b82f6',
  packed: '#6366f1',
  in_transit: '#f97316',
  received: '#16a34a',
  sold: '#a855f7',
  consumed: '#94a3b8',
  destroyed: '#dc2626',
  decommissioned: '#64748b',
};

/** GTIN options from the catalogue, searched on the server as the user types. */
function useProductOptions(search: string) {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { data, loading } = useApi<Page<ProductRow>>('/products', { q: search.trim() || undefined, pageSize: 20 });
  const options = (data?.items ?? []).map((p) => ({
    value: p.gtin,
    label: (
      <Space size={8}>
        <span>{p.gtin}</span>
        <Typography.Text type="secondary">{(en ? p.nameEn : p.nameZh) || p.nameZh}</Typography.Text>
      </Space>
    ),
  }));
  return { options, loading };
}

function OpenRecallDialog({ report, onDone, onClose }: { report: RecallReport; onDone: () => void; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async () => {
    const { reason } = await form.validateFields();
    setBusy(true);
    setFailure(null);
    try {
      const r = await api<{ id: number; created: boolean }>('/recalls', {
        method: 'POST',
        body: { gtin: report.gtin, lot: report.lot, reason: reason.trim() },
      });
      message.success(r.created ? t('recall.opened') : t('recall.alreadyOpen'));
      onDone();
    } catch (e) {
      const fields = formFieldErrors(e, ['reason'] as const);
      if (fields.length) form.setFields(fields);
      else setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('recall.openTitle', { gtin: report.gtin, lot: report.lot })}
      okText={t('recall.confirm')}
      okButtonProps={{ danger: true, loading: busy, ...{ 'data-testid': 'recall-confirm' } }}
      cancelText={t('common.cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Alert
        type="warning"
        showIcon
        style={{ marginBottom: 16 }}
        title={t('recall.openWarning', { units: formatNumber(report.units), holders: formatNumber(report.byHolder.length) })}
      />
      <Form form={form} layout="vertical">
        <Form.Item
          name="reason"
          label={t('recall.reason')}
          rules={[
            { required: true, whitespace: true, message: t('recall.reasonRequired') },
            { min: 2, max: 500, message: t('recall.reasonLength') },
          ]}
        >
          <Input.TextArea rows={4} maxLength={500} showCount placeholder={t('recall.reasonPlaceholder')} data-testid="recall-reason" />
        </Form.Item>
      </Form>
      {failure ? <Alert type="error" showIcon title={failure} /> : null}
    </Modal>
  );
}

export function RecallPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { me } = useAuth();
  const { get, set } = useQueryState(DEFAULTS);
  const gtin = get('gtin');
  const lot = get('lot');
  const view = get('view') === 'bars' ? 'bars' : 'map';
  const [form] = Form.useForm<{ gtin: string; lot: string }>();
  const [gtinSearch, setGtinSearch] = useState('');
  const products = useProductOptions(gtinSearch);
  const [dialog, setDialog] = useState(false);

  useEffect(() => form.setFieldsValue({ gtin, lot }), [form, gtin, lot]);

  const ready = !!gtin && !!lot;
  const { data, error, loading, reload } = useApi<RecallReport>(ready ? '/recalls/lot' : null, ready ? { gtin, lot } : undefined);
  const report = ready ? data : undefined;

  const provinceOption = useMemo<ChartOption>(() => {
    const rows = [...(report?.byProvince ?? [])].sort((a, b) => a.units - b.units);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value' },
      yAxis: {
        type: 'category',
        data: rows.map((r) => (r.provinceCode ? provinceLabel(r.provinceCode, r.provinceName, en) : t('recall.noProvince'))),
      },
      series: [
        {
          type: 'bar',
          name: t('recall.units'),
          data: rows.map((r) => r.units),
          itemStyle: { color: '#dc2626' },
          label: { show: true, position: 'right' },
          barMaxWidth: 28,
        },
      ],
    };
  }, [report, t, en]);

  const provinceRows = useMemo(
    () => (report?.byProvince ?? []).flatMap((r) => (r.provinceCode ? [{ code: r.provinceCode, value: r.units }] : [])),
    [report],
  );
  const unplaced = (report?.byProvince ?? []).filter((r) => !r.provinceCode).reduce((n, r) => n + r.units, 0);

  const statusOption = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      legend: { type: 'scroll', bottom: 0 },
      series: [
        {
          type: 'pie',
          radius: ['40%', '68%'],
          name: t('recall.byStatus'),
          data: Object.entries(report?.byStatus ?? {}).map(([s, n]) => ({
            name: t(`codeStatus.${s}`, { defaultValue: s }),
            value: n,
            itemStyle: { color: STATUS_CHART_COLOR[s] },
          })),
        },
      ],
    }),
    [report, t],
  );

  const columns: ColumnsType<RecallHolder> = [
    { key: 'code', dataIndex: 'partyCode', title: t('parties.code'), width: 130, render: (v: string | null) => v ?? '—' },
    {
      key: 'name',
      title: t('recall.holder'),
      render: (_, r) =>
        r.partyId ? (
          <Link to={`/channel/parties/${r.partyId}`} data-testid="recall-holder">
            {r.partyName ?? r.partyId}
          </Link>
        ) : (
          <Typography.Text type="secondary">{t('recall.noHolder')}</Typography.Text>
        ),
    },
    {
      key: 'kind',
      dataIndex: 'kind',
      title: t('parties.kind'),
      width: 100,
      render: (k: string | null) => (k ? <Tag>{t(`kinds.${k}`, { defaultValue: k })}</Tag> : '—'),
      filters: [...new Set((report?.byHolder ?? []).map((h) => h.kind ?? ''))].map((k) => ({
        text: k ? t(`kinds.${k}`, { defaultValue: k }) : '—',
        value: k,
      })),
      onFilter: (v, r) => (r.kind ?? '') === v,
    },
    {
      key: 'region',
      title: t('parties.region'),
      render: (_, r) =>
        [r.provinceCode ? provinceLabel(r.provinceCode, r.provinceName, en) : null, r.cityName !== r.provinceName ? r.cityName : null]
          .filter(Boolean)
          .join(' ') || '—',
    },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('common.status'),
      width: 110,
      render: (s: string) => <Tag color={CODE_STATUS_COLOR[s] ?? 'default'}>{t(`codeStatus.${s}`, { defaultValue: s })}</Tag>,
      filters: Object.keys(report?.byStatus ?? {}).map((s) => ({ text: t(`codeStatus.${s}`, { defaultValue: s }), value: s })),
      onFilter: (v, r) => r.status === v,
    },
    {
      key: 'units',
      dataIndex: 'units',
      title: t('recall.units'),
      align: 'right',
      width: 120,
      sorter: (a, b) => a.units - b.units,
      defaultSortOrder: 'descend',
      render: (n: number) => formatNumber(n),
    },
  ];

  const provinceBars = report ? (
    <Chart option={provinceOption} height={Math.max(240, report.byProvince.length * 28 + 40)} testId="recall-province-chart" />
  ) : null;
  const active = report?.recall?.active ? report.recall : null;
  const canOpen = may('recall:write', me?.user.role);
  const exportHref = report ? withQuery('/api/v1/recalls/lot/export', { gtin: report.gtin, lot: report.lot }) : undefined;
  // every code of the lot, one line each: CSV, as a lot can be a million codes
  const codesHref = report ? withQuery('/api/v1/recalls/lot/codes', { gtin: report.gtin, lot: report.lot }) : undefined;

  return (
    <div data-testid="recall-page">
      <Typography.Title level={3}>{t('recall.title')}</Typography.Title>
      <Card style={{ marginBottom: 16 }}>
        <Form
          form={form}
          layout="inline"
          initialValues={{ gtin, lot }}
          onFinish={(v) => set({ gtin: v.gtin.trim(), lot: v.lot.trim() })}
          data-testid="recall-form"
        >
          <Form.Item
            name="gtin"
            label={t('recall.gtin')}
            rules={[
              { required: true, message: t('recall.gtinRequired') },
              { pattern: /^\s*\d{8,14}\s*$/, message: t('recall.gtinInvalid') },
            ]}
          >
            <AutoComplete
              style={{ width: 300 }}
              options={products.options}
              onSearch={setGtinSearch}
              placeholder={t('recall.gtinPlaceholder')}
              data-testid="recall-gtin"
            />
          </Form.Item>
          <Form.Item name="lot" label={t('recall.lot')} rules={[{ required: true, whitespace: true, message: t('recall.lotRequired') }]}>
            <Input style={{ width: 200 }} maxLength={40} placeholder={t('recall.lotPlaceholder')} data-testid="recall-lot" />
          </Form.Item>
          <Form.Item>
            <Button type="primary" htmlType="submit" loading={loading} data-testid="recall-query">
              {t('recall.query')}
            </Button>
          </Form.Item>
        </Form>
      </Card>

      <LoadError error={error} onRetry={reload} />
      {!ready ? <Empty description={t('recall.empty')} /> : null}
      {ready && loading && !report ? <Skeleton active /> : null}

      {report && !error ? (
        <Space orientation="vertical" size="large" style={{ width: '100%' }}>
          {active ? (
            <Alert
              type="error"
              showIcon
              data-testid="recall-active"
              title={t('recall.activeTitle', { at: formatDateTime(active.createdAt) })}
              description={t('recall.activeReason', { reason: active.reason })}
            />
          ) : null}
          <Row gutter={[16, 16]}>
            <Col xs={12} xl={6}>
              <Card>
                <div data-testid="recall-units">
                  <Statistic title={t('recall.units')} value={report.units} />
                </div>
              </Card>
            </Col>
            <Col xs={12} xl={6}>
              <Card>
                <Statistic title={t('recall.containers')} value={report.containers} />
              </Card>
            </Col>
            <Col xs={12} xl={6}>
              <Card>
                <Statistic title={t('recall.holders')} value={report.byHolder.filter((h) => h.partyId !== null).length} />
              </Card>
            </Col>
            <Col xs={12} xl={6}>
              <Card>
                <Statistic title={t('recall.provinces')} value={report.byProvince.filter((p) => p.provinceCode).length} />
              </Card>
            </Col>
            <Col xs={24} xl={14}>
              <Card
                title={t('recall.byProvince')}
                extra={
                  <Segmented<string>
                    size="small"
                    value={view}
                    onChange={(v) => set({ view: v })}
                    options={[
                      { value: 'map', label: t('recall.viewMap') },
                      { value: 'bars', label: t('recall.viewBars') },
                    ]}
                    data-testid="recall-view"
                  />
                }
              >
                {!report.byProvince.length ? (
                  <Empty description={t('common.noData')} />
                ) : view === 'map' ? (
                  <>
                    <ProvinceMap
                      rows={provinceRows}
                      en={en}
                      seriesName={t('recall.units')}
                      colors={MAP_COLORS}
                      height={380}
                      testId="recall-province-chart"
                      fallback={provinceBars}
                    />
                    {unplaced ? (
                      <Typography.Text type="secondary" data-testid="recall-unplaced">
                        {t('recall.unplaced', { units: formatNumber(unplaced) })}
                      </Typography.Text>
                    ) : null}
                  </>
                ) : (
                  provinceBars
                )}
              </Card>
            </Col>
            <Col xs={24} xl={10}>
              <Card title={t('recall.byStatus')}>
                {Object.keys(report.byStatus).length ? (
                  <Chart option={statusOption} height={300} testId="recall-status-chart" />
                ) : (
                  <Empty description={t('common.noData')} />
                )}
              </Card>
            </Col>
          </Row>
          <Card
            title={t('recall.holdersTitle', { gtin: report.gtin, lot: report.lot })}
            extra={
              <Space wrap>
                <Button href={exportHref} download data-testid="recall-export">
                  {t('recall.export')}
                </Button>
                <Button href={codesHref} download data-testid="recall-export-codes">
                  {t('recall.exportCodes')}
                </Button>
                {canOpen ? (
                  <Button type="primary" danger disabled={!!active} onClick={() => setDialog(true)} data-testid="recall-open">
                    {active ? t('recall.isOpen') : t('recall.open')}
                  </Button>
                ) : null}
              </Space>
            }
          >
            <Table<RecallHolder>
              rowKey={(r) => `${r.partyId ?? 'none'}|${r.status}`}
              size="middle"
              columns={columns}
              dataSource={report.byHolder}
              data-testid="recall-holders"
              pagination={{
                defaultPageSize: 20,
                showSizeChanger: true,
                pageSizeOptions: [20, 50, 100],
                showTotal: (n) => t('common.total', { count: n }),
              }}
            />
          </Card>
        </Space>
      ) : null}
      {dialog && report ? (
        <OpenRecallDialog
          report={report}
          onClose={() => setDialog(false)}
          onDone={() => {
            setDialog(false);
            reload();
          }}
        />
      ) : null}
    </div>
  );
}
