import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Segmented,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, errorText, formFieldErrors, type Page } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Chart, type ChartClick, type ChartOption } from '../components/Chart.tsx';
import { loadDivisions } from '../components/DivisionFilter.tsx';
import { LoadError } from '../components/PageState.tsx';
import { PartyPicker } from '../components/PartyPicker.tsx';
import { ProvinceMap } from '../components/ProvinceMap.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { formatDateTime, formatNumber } from '../format.ts';
import { provinceLabel } from '../geo/provinces.ts';
import { may } from '../nav.ts';
import { ALERT_STATUS_COLOR } from '../trace.ts';
import type { DiversionAlert, DiversionGroup, DiversionHeatmap, Division } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';
import { AlertGroups, groupFilter, groupSummary } from './diversion/AlertGroups.tsx';
import { ProductCell, placeText } from './diversion/AlertText.tsx';
import { BulkReviewDialog, MAX_BULK_REVIEW } from './diversion/BulkReviewDialog.tsx';
import { RulesCard } from './diversion/RulesCard.tsx';

// `group`: the filters of one group's key (groupFilter), when the list shows that group's alerts (查看明细)
const DEFAULTS = { page: '1', pageSize: '50', status: '', provinceCode: '', distributorId: '', view: 'map', alerts: 'groups', group: '' };
const FOUND_COLORS: [string, string] = ['#fee2e2', '#b91c1c'];
const FROM_COLORS: [string, string] = ['#ccfbf1', '#0f766e'];
const ALERT_STATUSES = ['open', 'confirmed', 'dismissed'] as const;

/** Horizontal bars of alerts per province, largest on top; each bar carries its province code (for clicks). */
function provinceBars(rows: DiversionHeatmap['foundIn'], color: string, en: boolean, seriesName: string): ChartOption {
  const sorted = [...rows].sort((a, b) => a.alerts - b.alerts);
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: sorted.map((r) => provinceLabel(r.code, r.name, en)) },
    series: [
      {
        type: 'bar',
        name: seriesName,
        data: sorted.map((r) => ({ value: r.alerts, code: r.code })),
        itemStyle: { color },
        label: { show: true, position: 'right' },
        barMaxWidth: 28,
      },
    ],
  };
}

function useProvinces(): Division[] {
  const [items, setItems] = useState<Division[]>([]);
  useEffect(() => {
    let live = true;
    loadDivisions('')
      .then((d) => live && setItems(d))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return items;
}

function Evidence({ a }: { a: DiversionAlert }) {
  const { t } = useTranslation();
  const ev = a.evidence ?? {};
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2 }}
      data-testid="diversion-evidence"
      items={[
        {
          key: 'code',
          label: t('diversion.code'),
          children: (
            <Link to={`/trace/journey?${new URLSearchParams({ code: a.code })}`} style={{ wordBreak: 'break-all' }}>
              {a.code}
            </Link>
          ),
          span: 2,
        },
        {
          key: 'expected',
          label: t('diversion.expected'),
          children: (
            <Space size={4} wrap>
              {a.expected.map((d) => (
                <Tag key={d.code} color="green">
                  {placeText(d)} <Typography.Text type="secondary">{d.code}</Typography.Text>
                </Tag>
              ))}
            </Space>
          ),
        },
        {
          key: 'actual',
          label: t('diversion.actual'),
          children: a.actual ? (
            <Tag color="red">
              {placeText(a.actual)} <Typography.Text type="secondary">{a.actual.code}</Typography.Text>
            </Tag>
          ) : (
            '—'
          ),
        },
        {
          key: 'scannedBy',
          label: t('diversion.scannedBy'),
          children: ev.scannedBy ? (
            <Space size={4}>
              <Link to={`/channel/parties/${ev.scannedBy.id}`}>{ev.scannedBy.name}</Link>
              <Typography.Text type="secondary">{ev.scannedBy.code}</Typography.Text>
              <Tag>{t(`kinds.${ev.scannedBy.kind}`, { defaultValue: ev.scannedBy.kind })}</Tag>
            </Space>
          ) : (
            t('diversion.noParty')
          ),
        },
        { key: 'kind', label: t('diversion.scanKind'), children: t(`scanKind.${a.scanKind}`, { defaultValue: a.scanKind }) },
        {
          key: 'level',
          label: t('diversion.ruleLevel'),
          children: ev.level ? t(`diversion.level${ev.level}`, { defaultValue: String(ev.level) }) : '—',
        },
        { key: 'units', label: t('diversion.units'), children: ev.units ? formatNumber(ev.units) : '—' },
        {
          key: 'product',
          label: t('diversion.productName'),
          children: a.product?.name ? `${a.product.name} (GTIN ${a.gtin})` : (a.gtin ?? '—'),
        },
        { key: 'lot', label: t('recall.lot'), children: a.lot ?? '—' },
        { key: 'at', label: t('diversion.createdAt'), children: formatDateTime(a.createdAt) },
        ...(a.review
          ? [
              {
                key: 'review',
                label: t('diversion.reviewedBy'),
                children: (
                  <span data-testid="diversion-review-info">
                    {t('diversion.reviewedAs', {
                      status: t(`alertStatus.${a.status}`),
                      by: a.review.by.name ?? '—',
                      at: formatDateTime(a.review.at),
                    })}
                  </span>
                ),
              },
              { key: 'note', label: t('diversion.reviewNote'), children: a.review.note ?? '—' },
            ]
          : []),
      ]}
    />
  );
}

type Decision = 'confirmed' | 'dismissed';

/** Confirm (real diversion, to follow up) or dismiss (false alarm) an open alert, with a note; audited on the server. */
function ReviewDialog({
  alert,
  decision,
  onDone,
  onClose,
}: {
  alert: DiversionAlert;
  decision: Decision;
  onDone: () => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ note?: string }>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async () => {
    const { note } = await form.validateFields();
    setBusy(true);
    setFailure(null);
    try {
      await api<DiversionAlert>(`/diversion/alerts/${alert.id}/review`, {
        method: 'POST',
        body: { decision, ...(note?.trim() ? { note: note.trim() } : {}) },
      });
      message.success(t(decision === 'confirmed' ? 'diversion.confirmedOk' : 'diversion.dismissedOk'));
      onDone();
    } catch (e) {
      const fields = formFieldErrors(e, ['note'] as const);
      if (fields.length) form.setFields(fields);
      else setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t(decision === 'confirmed' ? 'diversion.confirmTitle' : 'diversion.dismissTitle')}
      okText={t(decision === 'confirmed' ? 'diversion.confirm' : 'diversion.dismiss')}
      okButtonProps={{ danger: decision === 'confirmed', loading: busy, ...{ 'data-testid': 'diversion-review-ok' } }}
      cancelText={t('common.cancel')}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        {t(decision === 'confirmed' ? 'diversion.confirmHint' : 'diversion.dismissHint', {
          distributor: `${alert.distributor.name} (${alert.distributor.code})`,
          place: placeText(alert.actual),
        })}
      </Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: alert.code }} style={{ wordBreak: 'break-all' }}>
        {alert.code}
      </Typography.Paragraph>
      <Form form={form} layout="vertical">
        <Form.Item name="note" label={t('diversion.reviewNote')} rules={[{ max: 500, message: t('diversion.noteLength') }]}>
          <Input.TextArea
            rows={3}
            maxLength={500}
            showCount
            placeholder={t(decision === 'confirmed' ? 'diversion.confirmPlaceholder' : 'diversion.dismissPlaceholder')}
            data-testid="diversion-review-note"
          />
        </Form.Item>
      </Form>
      {failure ? <Alert type="error" showIcon title={failure} data-testid="diversion-review-error" /> : null}
    </Modal>
  );
}

export function DiversionPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { get, set } = useQueryState(DEFAULTS);
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 50;
  const status = get('status');
  const provinceCode = get('provinceCode');
  const distributorId = get('distributorId');
  const view = get('view') === 'bars' ? 'bars' : 'map';
  const provinces = useProvinces();
  const { me } = useAuth();
  const canReview = may('diversion:write', me?.user.role);
  const [reviewing, setReviewing] = useState<{ alert: DiversionAlert; decision: Decision } | null>(null);
  const [bulkReviewing, setBulkReviewing] = useState<{ ids: number[]; decision: Decision; summary: string } | null>(null);
  // a case turns up as one alert per unit: by default the reviewer reads (and reviews) them as one group
  const grouped = get('alerts') !== 'list';
  const [selected, setSelected] = useState<DiversionAlert[]>([]);
  // one group's alerts: its key's filters go in the path as they are (an empty one selects alerts without a value,
  // which a query object would drop)
  const group = grouped ? '' : get('group');

  const query = { status, provinceCode, distributorId, page, pageSize };
  const { data, error, loading, reload } = useApi<Page<DiversionAlert>>(
    grouped ? null : group ? `/diversion/alerts?${group}` : '/diversion/alerts',
    query,
  );
  const groups = useApi<Page<DiversionGroup>>(grouped ? '/diversion/alerts/groups' : null, query);
  const heat = useApi<DiversionHeatmap>('/diversion/heatmap');
  // the picked rows are of the page on screen: a new page, filter or view starts with none
  // biome-ignore lint/correctness/useExhaustiveDependencies: the dependencies are what resets the pick, not what it reads
  useEffect(() => setSelected([]), [grouped, group, status, provinceCode, distributorId, page, pageSize]);
  const selectedSummary = () => {
    const distributors = [...new Set(selected.map((a) => `${a.distributor.name} (${a.distributor.code})`))];
    return distributors.length === 1 ? (distributors[0] as string) : t('diversion.selectedSummary', { count: distributors.length });
  };

  const foundOption = useMemo(() => provinceBars(heat.data?.foundIn ?? [], '#dc2626', en, t('diversion.alerts')), [heat.data, en, t]);
  const fromOption = useMemo(() => provinceBars(heat.data?.shippedFrom ?? [], '#0f766e', en, t('diversion.alerts')), [heat.data, en, t]);
  const foundRows = useMemo(() => (heat.data?.foundIn ?? []).map((r) => ({ code: r.code, value: r.alerts })), [heat.data]);
  const fromRows = useMemo(() => (heat.data?.shippedFrom ?? []).map((r) => ({ code: r.code, value: r.alerts })), [heat.data]);
  const onFoundClick = (p: ChartClick) => {
    const code = (p.data as { code?: string } | undefined)?.code;
    if (code) set({ provinceCode: code });
  };

  const columns: ColumnsType<DiversionAlert> = [
    { key: 'createdAt', dataIndex: 'createdAt', title: t('diversion.createdAt'), width: 190, render: (v: string) => formatDateTime(v) },
    {
      key: 'code',
      title: t('diversion.code'),
      render: (_, a) => <UnitCode epc={a.code} testId="diversion-code" journeyLink />,
    },
    {
      key: 'lot',
      title: t('diversion.product'),
      render: (_, a) => <ProductCell product={a.product} gtin={a.gtin} lot={a.lot} />,
    },
    {
      key: 'distributor',
      title: t('diversion.distributor'),
      render: (_, a) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/channel/parties/${a.distributor.id}`}>{a.distributor.name}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {a.distributor.code}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'expected',
      title: t('diversion.expected'),
      render: (_, a) => (
        <Space size={4} wrap>
          {a.expected.slice(0, 3).map((d) => (
            <Tag key={d.code} color="green">
              {placeText(d)}
            </Tag>
          ))}
          {a.expected.length > 3 ? <Tag>+{a.expected.length - 3}</Tag> : null}
        </Space>
      ),
    },
    {
      key: 'actual',
      title: t('diversion.actual'),
      render: (_, a) => (a.actual ? <Tag color="red">{placeText(a.actual)}</Tag> : '—'),
    },
    {
      key: 'scanKind',
      dataIndex: 'scanKind',
      title: t('diversion.scanKind'),
      width: 120,
      render: (k: string) => t(`scanKind.${k}`, { defaultValue: k }),
    },
    {
      key: 'status',
      dataIndex: 'status',
      title: t('common.status'),
      width: 100,
      render: (s: string, a) => {
        const tag = (
          <Tag color={ALERT_STATUS_COLOR[s] ?? 'default'} data-testid="diversion-status">
            {t(`alertStatus.${s}`, { defaultValue: s })}
          </Tag>
        );
        if (!a.review) return tag;
        const tip = [
          t('diversion.reviewedAs', { status: t(`alertStatus.${s}`), by: a.review.by.name ?? '—', at: formatDateTime(a.review.at) }),
          a.review.note,
        ]
          .filter(Boolean)
          .join(' · ');
        return <Tooltip title={tip}>{tag}</Tooltip>;
      },
    },
    ...(canReview
      ? [
          {
            key: 'review',
            title: t('diversion.review'),
            width: 150,
            render: (_: unknown, a: DiversionAlert) =>
              a.status === 'open' ? (
                <Space size={4}>
                  <Button
                    size="small"
                    danger
                    onClick={() => setReviewing({ alert: a, decision: 'confirmed' })}
                    data-testid="diversion-confirm"
                  >
                    {t('diversion.confirm')}
                  </Button>
                  <Button size="small" onClick={() => setReviewing({ alert: a, decision: 'dismissed' })} data-testid="diversion-dismiss">
                    {t('diversion.dismiss')}
                  </Button>
                </Space>
              ) : (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {a.review?.by.name ?? '—'}
                </Typography.Text>
              ),
          },
        ]
      : []),
  ];

  const heatEmpty = !heat.data?.foundIn.length && !heat.data?.shippedFrom.length;
  const foundBars = (
    <Chart
      option={foundOption}
      height={Math.max(220, (heat.data?.foundIn.length ?? 0) * 28 + 40)}
      testId="diversion-found-chart"
      onClick={onFoundClick}
    />
  );
  const fromBars = (
    <Chart option={fromOption} height={Math.max(220, (heat.data?.shippedFrom.length ?? 0) * 28 + 40)} testId="diversion-from-chart" />
  );
  return (
    <div data-testid="diversion-page">
      <Space style={{ width: '100%', justifyContent: 'space-between', alignItems: 'baseline' }} wrap>
        <Typography.Title level={3}>{t('diversion.title')}</Typography.Title>
        <Segmented<string>
          value={view}
          onChange={(v) => set({ view: v }, false)}
          options={[
            { value: 'map', label: t('diversion.viewMap') },
            { value: 'bars', label: t('diversion.viewBars') },
          ]}
          data-testid="diversion-view"
        />
      </Space>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={24} xl={12}>
          <Card title={t('diversion.foundIn')} extra={<Typography.Text type="secondary">{t('diversion.clickToFilter')}</Typography.Text>}>
            <LoadError error={heat.error} onRetry={heat.reload} />
            {heat.loading && !heat.data ? (
              <Skeleton active />
            ) : heatEmpty ? (
              <Empty description={t('diversion.noAlerts')} />
            ) : view === 'map' ? (
              <ProvinceMap
                rows={foundRows}
                en={en}
                seriesName={t('diversion.alerts')}
                colors={FOUND_COLORS}
                height={400}
                testId="diversion-found-chart"
                onClick={onFoundClick}
                fallback={foundBars}
              />
            ) : (
              foundBars
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t('diversion.shippedFrom')}>
            {heat.loading && !heat.data ? (
              <Skeleton active />
            ) : heatEmpty ? (
              <Empty description={t('diversion.noAlerts')} />
            ) : view === 'map' ? (
              <ProvinceMap
                rows={fromRows}
                en={en}
                seriesName={t('diversion.alerts')}
                colors={FROM_COLORS}
                height={400}
                testId="diversion-from-chart"
                fallback={fromBars}
              />
            ) : (
              fromBars
            )}
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Card
            title={t('diversion.alertsTitle')}
            extra={
              <Segmented<string>
                value={grouped ? 'groups' : 'list'}
                onChange={(v) => set({ alerts: v, page: 1, group: undefined })}
                options={[
                  { value: 'groups', label: t('diversion.viewGroups') },
                  { value: 'list', label: t('diversion.viewList') },
                ]}
                data-testid="diversion-alerts-view"
              />
            }
          >
            <Space wrap style={{ marginBottom: 16, display: 'flex' }}>
              <Select
                allowClear
                placeholder={t('diversion.allStatuses')}
                value={status || undefined}
                onChange={(v?: string) => set({ status: v })}
                style={{ width: 140 }}
                options={ALERT_STATUSES.map((s) => ({ value: s, label: t(`alertStatus.${s}`) }))}
                data-testid="diversion-filter-status"
              />
              <Select
                allowClear
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('diversion.foundProvince')}
                value={provinceCode || undefined}
                onChange={(v?: string) => set({ provinceCode: v })}
                style={{ width: 180 }}
                options={provinces.map((p) => ({ value: p.code, label: provinceLabel(p.code, p.name, en) }))}
                data-testid="diversion-filter-province"
              />
              <PartyPicker
                kind="distributor"
                placeholder={t('diversion.distributor')}
                value={distributorId ? Number(distributorId) : null}
                onChange={(v) => set({ distributorId: v ?? undefined, group: undefined })}
                style={{ width: 260 }}
                testId="diversion-filter-distributor"
              />
              {group ? (
                <Tag closable onClose={() => set({ group: undefined })} data-testid="diversion-group-filter">
                  {t('diversion.groupOnly')}
                </Tag>
              ) : null}
            </Space>
            {grouped ? (
              <AlertGroups
                groups={groups}
                query={{ page, pageSize }}
                canReview={canReview}
                onReview={(g, decision) => setBulkReviewing({ ids: g.openIds, decision, summary: groupSummary(g) })}
                onShowAlerts={(g) =>
                  set({ alerts: 'list', distributorId: String(g.distributor.id), group: groupFilter(g).toString(), page: 1 })
                }
                onPage={(p, size) => set({ page: p, pageSize: size }, false)}
              />
            ) : (
              <>
                {canReview && selected.length ? (
                  <Space style={{ marginBottom: 12 }} wrap data-testid="diversion-bulk-bar">
                    <Typography.Text>{t('diversion.selected', { count: selected.length })}</Typography.Text>
                    <Button
                      size="small"
                      danger
                      onClick={() =>
                        setBulkReviewing({ ids: selected.map((a) => a.id), decision: 'confirmed', summary: selectedSummary() })
                      }
                      data-testid="diversion-bulk-confirm"
                    >
                      {t('diversion.confirmAll', { count: selected.length })}
                    </Button>
                    <Button
                      size="small"
                      onClick={() =>
                        setBulkReviewing({ ids: selected.map((a) => a.id), decision: 'dismissed', summary: selectedSummary() })
                      }
                      data-testid="diversion-bulk-dismiss"
                    >
                      {t('diversion.dismissAll', { count: selected.length })}
                    </Button>
                    <Button size="small" type="link" onClick={() => setSelected([])}>
                      {t('diversion.clearSelection')}
                    </Button>
                  </Space>
                ) : null}
                <LoadError error={error} onRetry={reload} />
                <Table<DiversionAlert>
                  rowKey="id"
                  size="middle"
                  columns={columns}
                  dataSource={data?.items ?? []}
                  loading={loading}
                  data-testid="diversion-table"
                  rowSelection={
                    canReview
                      ? {
                          selectedRowKeys: selected.map((a) => a.id),
                          onChange: (_, rows) => setSelected(rows.slice(0, MAX_BULK_REVIEW)),
                          getCheckboxProps: (a) => ({ disabled: a.status !== 'open' }),
                        }
                      : undefined
                  }
                  expandable={{ expandedRowRender: (a) => <Evidence a={a} /> }}
                  locale={{ emptyText: <Empty description={t('diversion.noAlerts')} /> }}
                  pagination={{
                    current: page,
                    pageSize,
                    total: data?.total ?? 0,
                    showSizeChanger: true,
                    pageSizeOptions: [20, 50, 100, 200],
                    showTotal: (n) => t('common.total', { count: n }),
                  }}
                  onChange={(p) => set({ page: p.pageSize !== pageSize ? 1 : p.current, pageSize: p.pageSize }, false)}
                />
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} xxl={7}>
          <RulesCard />
        </Col>
      </Row>
      {reviewing ? (
        <ReviewDialog
          alert={reviewing.alert}
          decision={reviewing.decision}
          onClose={() => setReviewing(null)}
          onDone={() => {
            setReviewing(null);
            reload();
            heat.reload();
          }}
        />
      ) : null}
      {bulkReviewing ? (
        <BulkReviewDialog
          ids={bulkReviewing.ids}
          decision={bulkReviewing.decision}
          summary={bulkReviewing.summary}
          onClose={() => setBulkReviewing(null)}
          onDone={() => {
            setBulkReviewing(null);
            setSelected([]);
            if (grouped) groups.reload();
            else reload();
            heat.reload();
          }}
        />
      ) : null}
    </div>
  );
}
