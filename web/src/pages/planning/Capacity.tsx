import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Space, Table, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
// a week (its Monday, as the report keys it) named as the pickers and the Excel export name it: 2026年第49周, 2026-W49
import { weekLabel } from '../../../../src/modules/planning/capacity/weeks.ts';
import { api, downloadStream, errorText, type Page, saveBlob, uploadFile, XLSX_TYPE } from '../../api.ts';
import { Chart, type ChartOption } from '../../components/Chart.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { WeekPicker } from '../../components/WeekPicker.tsx';
import { numberRule, WHOLE } from '../../numberRules.ts';
import { problemFields } from '../../problemFields.ts';
import type { PartyRow } from '../../types.ts';
import { useApi } from '../../useApi.ts';

interface Row {
  factory: string | null;
  factoryName: string | null;
  week: string;
  itemKind: 'sku' | 'category';
  item: string;
  capacity: number;
  demand: number;
  gap: number;
  shortfall: number;
  skus: string[];
}
interface Report {
  weeks: string[];
  totals: { week: string; capacity: number; demand: number; shortfall: number }[];
  items: Row[];
}

const monday = (d: Dayjs) => d.subtract((d.day() + 6) % 7, 'day').format('YYYY-MM-DD');

/** Capacity by factory and week against the demand plan: shortfalls highlighted, a chart by week, Excel export, edits. */
export function CapacityPage() {
  const { t, i18n } = useTranslation();
  const [from, setFrom] = useState(() => monday(dayjs()));
  const [to, setTo] = useState(() =>
    dayjs(monday(dayjs()))
      .add(7 * 7 + 6, 'day')
      .format('YYYY-MM-DD'),
  );
  const [onlyShort, setOnlyShort] = useState(false);
  const report = useApi<Report>('/planning/capacity/report', { from, to, onlyShort: onlyShort ? 'true' : undefined });
  const [exporting, setExporting] = useState(false);
  const [exportProblem, setExportProblem] = useState<string>();
  // fetched in the page's language (a plain link would go in the browser's), so the file names weeks as the page does
  const exportFile = async () => {
    setExporting(true);
    setExportProblem(undefined);
    try {
      const r = await downloadStream('/planning/capacity/report', { query: { from, to, format: 'xlsx' } });
      if (r.blob) saveBlob(r.blob, r.fileName ?? `capacity-${from}-${to}.xlsx`);
    } catch (e) {
      setExportProblem(errorText(e));
    } finally {
      setExporting(false);
    }
  };
  const chart = useMemo<ChartOption | null>(() => {
    const totals = report.data?.totals ?? [];
    if (!totals.length) return null;
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [t('capacity.capacity'), t('capacity.demand'), t('capacity.shortfall')] },
      grid: { left: 56, right: 16, bottom: 40, top: 32 },
      xAxis: { type: 'category', data: totals.map((x) => weekLabel(x.week, i18n.language)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('capacity.capacity'), type: 'bar', data: totals.map((x) => x.capacity) },
        { name: t('capacity.demand'), type: 'bar', data: totals.map((x) => x.demand) },
        { name: t('capacity.shortfall'), type: 'line', data: totals.map((x) => x.shortfall), itemStyle: { color: '#cf1322' } },
      ],
    };
  }, [report.data, t, i18n.language]);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('capacity.title')}
        </Typography.Title>
        <Space wrap>
          <WeekPicker value={dayjs(from)} onChange={(d) => d && setFrom(monday(d))} allowClear={false} data-testid="capacity-from" />
          <WeekPicker
            value={dayjs(to)}
            onChange={(d) => d && setTo(dayjs(monday(d)).add(6, 'day').format('YYYY-MM-DD'))}
            allowClear={false}
            data-testid="capacity-to"
          />
          <Button onClick={() => setOnlyShort((v) => !v)} type={onlyShort ? 'primary' : 'default'} data-testid="capacity-only-short">
            {t('capacity.onlyShort')}
          </Button>
          <Button onClick={exportFile} loading={exporting} data-testid="capacity-export">
            {t('capacity.export')}
          </Button>
        </Space>
      </Space>
      {report.error ? <LoadError error={report.error} onRetry={report.reload} /> : null}
      {exportProblem ? <Alert type="error" showIcon title={exportProblem} /> : null}
      {chart ? (
        <Card size="small" title={t('capacity.chart')}>
          <Chart option={chart} height={280} testId="capacity-chart" />
        </Card>
      ) : null}
      <Table<Row>
        rowKey={(r) => `${r.week}|${r.factory ?? ''}|${r.itemKind}|${r.item}`}
        size="small"
        data-testid="capacity-table"
        loading={report.loading && !report.data}
        dataSource={report.data?.items ?? []}
        pagination={{ pageSize: 100 }}
        onRow={(r) =>
          ({ style: r.shortfall > 0 ? { background: '#fff1f0' } : undefined, 'data-short': r.shortfall > 0 ? 'yes' : 'no' }) as never
        }
        columns={[
          { title: t('capacity.week'), dataIndex: 'week', render: (w: string) => <span title={w}>{weekLabel(w, i18n.language)}</span> },
          {
            title: t('capacity.factory'),
            render: (_: unknown, r: Row) =>
              r.factory ? `${r.factoryName} (${r.factory})` : <Typography.Text type="danger">{t('capacity.noFactory')}</Typography.Text>,
          },
          { title: t('capacity.item'), render: (_: unknown, r: Row) => `${t(`capacity.kinds.${r.itemKind}`)}: ${r.item}` },
          { title: t('capacity.capacity'), dataIndex: 'capacity' },
          { title: t('capacity.demand'), dataIndex: 'demand' },
          { title: t('capacity.gap'), dataIndex: 'gap' },
          {
            title: t('capacity.shortfall'),
            dataIndex: 'shortfall',
            render: (v: number) =>
              v > 0 ? (
                <Typography.Text type="danger" strong>
                  {v}
                </Typography.Text>
              ) : (
                v
              ),
          },
        ]}
      />
      <CapacityEditor onSaved={report.reload} />
    </Space>
  );
}

interface EditForm {
  factory: string;
  week: Dayjs;
  itemKind: 'sku' | 'category';
  item: string;
  capacity: number;
}

function CapacityEditor({ onSaved }: { onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditForm>();
  const factories = useApi<Page<PartyRow>>('/parties', { kind: 'factory', pageSize: 100, sort: 'code' });
  const [problem, setProblem] = useState<string>();
  const save = async (v: EditForm) => {
    setProblem(undefined);
    try {
      const row = { factory: v.factory, week: monday(v.week), [v.itemKind]: v.item, capacity: v.capacity };
      await api('/planning/capacity', { method: 'PUT', body: { rows: [row] } });
      message.success(t('capacity.saved'));
      onSaved();
    } catch (e) {
      form.setFields(problemFields(e).map((f) => ({ ...f, name: [String(f.name[f.name.length - 1])] })) as never);
      setProblem(errorText(e));
    }
  };
  const upload = async (file: File) => {
    setProblem(undefined);
    const csv = file.name.toLowerCase().endsWith('.csv');
    try {
      await uploadFile(`/planning/capacity/import?format=${csv ? 'csv' : 'xlsx'}`, file, csv ? 'text/csv' : XLSX_TYPE, () => {}, {
        'x-throughline-csrf': '1',
      }).promise;
      message.success(t('capacity.imported'));
      onSaved();
    } catch (e) {
      setProblem(errorText(e));
    }
    return false;
  };
  return (
    <Card size="small" title={t('capacity.edit')}>
      <Form<EditForm> form={form} layout="inline" onFinish={save} initialValues={{ itemKind: 'sku' }}>
        <Form.Item name="factory" label={t('capacity.factory')} rules={[{ required: true }]}>
          <Select
            style={{ width: 200 }}
            options={(factories.data?.items ?? []).map((f) => ({ value: f.code, label: `${f.name} (${f.code})` }))}
          />
        </Form.Item>
        <Form.Item name="week" label={t('capacity.week')} rules={[{ required: true }]}>
          <WeekPicker />
        </Form.Item>
        <Form.Item name="itemKind">
          <Select
            style={{ width: 120 }}
            options={(['sku', 'category'] as const).map((k) => ({ value: k, label: t(`capacity.kinds.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="item" rules={[{ required: true }]}>
          <Input style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="capacity" label={t('capacity.capacity')} rules={[{ required: true }, numberRule({ ...WHOLE, min: 0 })]}>
          <InputNumber />
        </Form.Item>
        <Button type="primary" htmlType="submit">
          {t('common.save')}
        </Button>
        <Upload accept=".xlsx,.csv" showUploadList={false} beforeUpload={upload}>
          <Button style={{ marginLeft: 8 }}>{t('capacity.import')}</Button>
        </Upload>
      </Form>
      {problem ? <Alert type="error" showIcon title={problem} style={{ marginTop: 12 }} /> : null}
    </Card>
  );
}
