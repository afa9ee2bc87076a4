import { Alert, App, Button, Form, Input, InputNumber, Modal, Progress, Segmented, Select, Space, Spin, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table/index.js';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { ApiError, api, type ByteSink, downloadStream, errorText, formFieldErrors, type Page, saveBlob } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LoadError } from '../components/PageState.tsx';
import { dash, formatBytes, formatDateTime, formatNumber } from '../format.ts';
import { may } from '../nav.ts';
import type { CodeBatch, ProductRow } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';

const DEFAULTS = { page: '1', pageSize: '20' };
const MAX_QUANTITY = 1_000_000_000;
const FIELDS = ['gtin', 'quantity', 'resolver', 'note'] as const;
/** Above this, the file is written straight to disk where the browser can (File System Access API). */
const TO_DISK_FROM = 256 * 1024 * 1024;
/** Labels on the sample: the SVG is one sheet (36 at most), the PDF one page per sheet. */
const LABEL_COUNTS = [12, 24, 36, 72, 144];
/** The server's rule for a print file's password. */
const MIN_PASSWORD = 8;

/**
 * Expected size of a batch's print file (stored, not compressed): a header line and per code
 * `https://{resolver}/01/{gtin}/21/{17-char serial},{serial},{8-digit verification}\n`, plus the zip's own bytes.
 */
export function estimatePrintFileBytes(b: Pick<CodeBatch, 'quantity' | 'resolver'>): number {
  const line = 'https://'.length + b.resolver.length + '/01/'.length + 14 + '/21/'.length + 17 + 1 + 17 + 1 + 8 + 1;
  return 'uri,serial,verification_code\n'.length + b.quantity * line + 512;
}

interface SaveFilePicker {
  showSaveFilePicker?: (o: {
    suggestedName?: string;
    types?: { description?: string; accept: Record<string, string[]> }[];
  }) => Promise<{ createWritable(): Promise<{ write(d: Uint8Array): Promise<void>; close(): Promise<void>; abort(): Promise<void> }> }>;
}

/** Every packaging level of the products found (codes are made for units, cases and pallets alike), by name or any GTIN. */
function useProductOptions(search: string) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { data, loading } = useApi<Page<ProductRow>>('/products', { q: search.trim() || undefined, pageSize: 50 });
  const options = (data?.items ?? []).flatMap((p) =>
    (p.packaging?.length ? p.packaging : [{ level: 'unit', gtin: p.gtin }]).map((l) => ({
      value: l.gtin,
      label: `${(en ? p.nameEn : p.nameZh) || p.nameZh} · ${t(`level.${l.level}`, { defaultValue: l.level })} · ${l.gtin}`,
    })),
  );
  return { options, loading };
}

interface CreateValues {
  gtin: string;
  quantity: number;
  resolver?: string;
  note?: string;
}

function CreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (b: CodeBatch) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CreateValues>();
  const [search, setSearch] = useState('');
  const products = useProductOptions(search);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setFailure(null);
    try {
      const body: Record<string, unknown> = { gtin: v.gtin, quantity: v.quantity };
      if (v.resolver?.trim()) body.resolver = v.resolver.trim();
      if (v.note?.trim()) body.note = v.note.trim();
      onCreated(await api<CodeBatch>('/code-batches', { method: 'POST', body }));
    } catch (e) {
      const fields = formFieldErrors(e, FIELDS);
      if (fields.length) form.setFields(fields);
      if (!fields.length || (e instanceof ApiError && e.status !== 400)) setFailure(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={t('batches.create')}
      okText={t('batches.createOk')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: busy, ...{ 'data-testid': 'batch-create-ok' } }}
      onOk={() => void submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form<CreateValues> form={form} layout="vertical" initialValues={{ quantity: 10_000 }}>
        <Form.Item name="gtin" label={t('batches.product')} rules={[{ required: true, message: t('batches.productRequired') }]}>
          <Select
            showSearch={{ filterOption: false, onSearch: setSearch }}
            loading={products.loading}
            options={products.options}
            placeholder={t('batches.productPlaceholder')}
            data-testid="batch-gtin"
          />
        </Form.Item>
        <Form.Item
          name="quantity"
          label={t('batches.quantity')}
          extra={t('batches.quantityHint', { max: formatNumber(MAX_QUANTITY) })}
          rules={[
            {
              required: true,
              type: 'integer',
              min: 1,
              max: MAX_QUANTITY,
              message: t('batches.quantityInvalid', { max: formatNumber(MAX_QUANTITY) }),
            },
          ]}
        >
          <InputNumber<number>
            style={{ width: 240 }}
            formatter={(v) => (v === undefined || v === null || `${v}` === '' ? '' : formatNumber(Number(v)))}
            data-testid="batch-quantity"
          />
        </Form.Item>
        <Form.Item name="resolver" label={t('batches.resolver')} extra={t('batches.resolverHint')}>
          <Input placeholder={t('batches.resolverPlaceholder')} maxLength={200} data-testid="batch-resolver" />
        </Form.Item>
        <Form.Item name="note" label={t('batches.note')}>
          <Input.TextArea rows={2} maxLength={500} showCount data-testid="batch-note" />
        </Form.Item>
      </Form>
      {failure ? <Alert type="error" showIcon title={failure} /> : null}
    </Modal>
  );
}

type DownloadState =
  | { phase: 'idle' }
  | { phase: 'running'; loaded: number; total: number | null; startedAt: number }
  | { phase: 'done'; bytes: number; fileName: string; toDisk: boolean }
  | { phase: 'error'; detail: string };

function DownloadDialog({ batch, onClose }: { batch: CodeBatch; onClose: () => void }) {
  const { t } = useTranslation();
  const [password, setPassword] = useState('');
  const [state, setState] = useState<DownloadState>({ phase: 'idle' });
  const abort = useRef<AbortController | null>(null);
  const estimate = estimatePrintFileBytes(batch);
  const picker = (window as unknown as SaveFilePicker).showSaveFilePicker;
  const toDisk = estimate >= TO_DISK_FROM && typeof picker === 'function';
  const fallbackName = `codes-${batch.gtin}-${batch.keyVersion}-${batch.batchNo}.zip`;

  useEffect(() => () => abort.current?.abort(), []);

  const passwordTooShort = password.length > 0 && password.length < MIN_PASSWORD;

  const start = async () => {
    if (passwordTooShort) return;
    let sink: ByteSink | undefined;
    if (toDisk && picker) {
      try {
        const handle = await picker({
          suggestedName: fallbackName,
          types: [{ description: 'ZIP', accept: { 'application/zip': ['.zip'] } }],
        });
        sink = await handle.createWritable();
      } catch {
        return; // the user closed the save dialog
      }
    }
    const ctrl = new AbortController();
    abort.current = ctrl;
    const startedAt = Date.now();
    let shownAt = 0;
    setState({ phase: 'running', loaded: 0, total: null, startedAt });
    try {
      const r = await downloadStream(`/code-batches/${batch.id}/print-file`, {
        method: 'POST',
        body: password ? { password } : {},
        signal: ctrl.signal,
        sink,
        onProgress: ({ loaded, total }) => {
          // a big file arrives in tens of thousands of chunks: redraw a few times a second
          const now = Date.now();
          if (now - shownAt < 150) return;
          shownAt = now;
          setState({ phase: 'running', loaded, total, startedAt });
        },
      });
      const fileName = r.fileName ?? fallbackName;
      if (r.blob) saveBlob(r.blob, fileName);
      setState({ phase: 'done', bytes: r.bytes, fileName, toDisk: !r.blob });
    } catch (e) {
      setState(ctrl.signal.aborted ? { phase: 'idle' } : { phase: 'error', detail: errorText(e) });
    } finally {
      abort.current = null;
    }
  };

  const running = state.phase === 'running';
  let percent = 0;
  let detail = '';
  if (state.phase === 'running') {
    const total = state.total ?? estimate;
    percent = Math.min(99, Math.floor((state.loaded / total) * 100));
    const seconds = (Date.now() - state.startedAt) / 1000;
    const rate = seconds > 0.5 ? state.loaded / seconds : 0;
    detail =
      state.loaded === 0
        ? t('batches.preparing')
        : t(state.total ? 'batches.progressKnown' : 'batches.progressEstimated', {
            loaded: formatBytes(state.loaded),
            total: formatBytes(total),
            rate: rate ? `${formatBytes(rate)}/s` : '…',
          });
  }

  return (
    <Modal
      open
      title={t('batches.downloadTitle', { batchNo: batch.batchNo })}
      onCancel={() => {
        abort.current?.abort();
        onClose();
      }}
      footer={
        <Space>
          {running ? (
            <Button onClick={() => abort.current?.abort()} data-testid="batch-download-cancel">
              {t('common.cancel')}
            </Button>
          ) : (
            <Button onClick={onClose}>{t('common.close')}</Button>
          )}
          <Button
            type="primary"
            loading={running}
            disabled={passwordTooShort}
            onClick={() => void start()}
            data-testid="batch-download-start"
          >
            {state.phase === 'done' ? t('batches.downloadAgain') : t('batches.downloadStart')}
          </Button>
        </Space>
      }
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Typography.Text>
          {t('batches.downloadSummary', {
            quantity: formatNumber(batch.quantity),
            product: batch.productName ?? batch.gtin,
            size: formatBytes(estimate),
          })}
        </Typography.Text>
        <div>
          <Typography.Text>{t('batches.password')}</Typography.Text>
          <Input.Password
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            disabled={running}
            autoComplete="new-password"
            placeholder={t('batches.passwordPlaceholder')}
            status={passwordTooShort ? 'error' : undefined}
            style={{ marginTop: 4 }}
            data-testid="batch-password"
          />
          <Typography.Text type={passwordTooShort ? 'danger' : 'secondary'} style={{ fontSize: 12 }}>
            {passwordTooShort ? t('batches.passwordShort', { min: MIN_PASSWORD }) : t('batches.passwordHint')}
          </Typography.Text>
        </div>
        {toDisk ? <Alert type="info" showIcon title={t('batches.toDisk')} /> : null}
        {estimate >= TO_DISK_FROM && !toDisk ? <Alert type="warning" showIcon title={t('batches.bigInMemory')} /> : null}
        {state.phase === 'running' ? (
          <div data-testid="batch-download-progress">
            <Progress percent={percent} status="active" />
            <Typography.Text type="secondary">{detail}</Typography.Text>
          </div>
        ) : null}
        {state.phase === 'done' ? (
          <Alert
            type="success"
            showIcon
            data-testid="batch-download-done"
            title={t(state.toDisk ? 'batches.savedToDisk' : 'batches.downloaded', { file: state.fileName, size: formatBytes(state.bytes) })}
          />
        ) : null}
        {state.phase === 'error' ? <Alert type="error" showIcon title={t('batches.downloadFailed')} description={state.detail} /> : null}
      </Space>
    </Modal>
  );
}

function LabelSheetDialog({ batch, onClose }: { batch: CodeBatch; onClose: () => void }) {
  const { t } = useTranslation();
  const [count, setCount] = useState(24);
  const [loaded, setLoaded] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const path = `/code-batches/${batch.id}/label-sheet?count=${count}&format=svg`;
  const pdfPath = `/code-batches/${batch.id}/label-sheet?count=${count}&format=pdf`;
  const fileName = `labels-${batch.gtin}-${batch.batchNo}`;

  const changeCount = (c: number) => {
    setCount(c);
    setLoaded(false);
    setFailure(null);
  };

  // an <img> cannot show why it failed: ask again for the problem's detail
  const onError = () => {
    api<string>(path)
      .then(() => setFailure(t('batches.previewFailed')))
      .catch((e: unknown) => setFailure(errorText(e)));
  };

  return (
    <Modal
      open
      width={760}
      title={t('batches.previewTitle', { batchNo: batch.batchNo })}
      onCancel={onClose}
      footer={
        <Space>
          <Button href={`/api/v1${path}`} target="_blank" rel="noopener">
            {t('batches.openSheet')}
          </Button>
          <Button href={`/api/v1${path}`} download={`${fileName}.svg`} data-testid="batch-label-svg">
            {t('batches.downloadSvg')}
          </Button>
          <Button type="primary" href={`/api/v1${pdfPath}`} download={`${fileName}.pdf`} data-testid="batch-label-pdf">
            {t('batches.downloadPdf', { count: Math.ceil(count / 36) })}
          </Button>
          <Button onClick={onClose}>{t('common.close')}</Button>
        </Space>
      }
      destroyOnHidden
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Space>
          <Typography.Text>{t('batches.labelCount')}</Typography.Text>
          <Segmented<number> value={count} onChange={changeCount} options={LABEL_COUNTS} data-testid="batch-label-count" />
        </Space>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('batches.previewHint')}
        </Typography.Text>
        {failure ? <Alert type="error" showIcon title={t('batches.previewFailed')} description={failure} /> : null}
        <div style={{ position: 'relative', minHeight: 300, border: '1px solid #f0f0f0', background: '#fafafa', textAlign: 'center' }}>
          {!loaded && !failure ? (
            <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
              <Spin />
            </div>
          ) : null}
          {!failure ? (
            <img
              key={path}
              src={`/api/v1${path}`}
              alt={t('batches.previewTitle', { batchNo: batch.batchNo })}
              onLoad={() => setLoaded(true)}
              onError={onError}
              style={{ maxWidth: '100%', background: '#fff', visibility: loaded ? 'visible' : 'hidden' }}
              data-testid="batch-label-sheet"
            />
          ) : null}
        </div>
      </Space>
    </Modal>
  );
}

export function CodeBatchesPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const { message } = App.useApp();
  const canWrite = may('codes:write', me?.user.role);
  const { get, set } = useQueryState(DEFAULTS);
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 20;
  const { data, error, loading, reload } = useApi<Page<CodeBatch>>('/code-batches', { page, pageSize });
  const [creating, setCreating] = useState(false);
  const [download, setDownload] = useState<CodeBatch | null>(null);
  const [preview, setPreview] = useState<CodeBatch | null>(null);

  const columns: ColumnsType<CodeBatch> = [
    { key: 'batchNo', dataIndex: 'batchNo', title: t('batches.batchNo'), width: 100, render: (n: number) => `#${n}` },
    {
      key: 'product',
      title: t('batches.product'),
      render: (_, b) => (
        <Space orientation="vertical" size={0}>
          {b.productId ? <Link to={`/products/${b.productId}`}>{dash(b.productName)}</Link> : <span>{dash(b.productName)}</span>}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            GTIN {b.gtin}
          </Typography.Text>
        </Space>
      ),
    },
    {
      key: 'quantity',
      dataIndex: 'quantity',
      title: t('batches.quantity'),
      align: 'right',
      width: 140,
      render: (n: number) => formatNumber(n),
    },
    { key: 'keyVersion', dataIndex: 'keyVersion', title: t('batches.keyVersion'), width: 100, align: 'right' },
    { key: 'resolver', dataIndex: 'resolver', title: t('batches.resolver'), render: dash },
    { key: 'note', dataIndex: 'note', title: t('batches.note'), ellipsis: true, render: dash },
    { key: 'createdAt', dataIndex: 'createdAt', title: t('batches.createdAt'), width: 190, render: (v: string) => formatDateTime(v) },
    {
      key: 'actions',
      title: t('batches.actions'),
      width: 260,
      render: (_, b) => (
        <Space size={4} wrap>
          {canWrite ? (
            <Button size="small" onClick={() => setDownload(b)} data-testid="batch-download">
              {t('batches.download')}
            </Button>
          ) : null}
          <Button size="small" onClick={() => setPreview(b)} data-testid="batch-preview">
            {t('batches.preview')}
          </Button>
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="batches-page">
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="center">
        <Typography.Title level={3}>{t('batches.title')}</Typography.Title>
        {canWrite ? (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="batch-create">
            {t('batches.create')}
          </Button>
        ) : null}
      </Space>
      <LoadError error={error} onRetry={reload} />
      <Table<CodeBatch>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={data?.items ?? []}
        loading={loading}
        data-testid="batches-table"
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: (n) => t('common.total', { count: n }),
        }}
        onChange={(p) => set({ page: p.pageSize !== pageSize ? 1 : p.current, pageSize: p.pageSize }, false)}
      />
      {creating ? (
        <CreateDialog
          onClose={() => setCreating(false)}
          onCreated={(b) => {
            setCreating(false);
            message.success(t('batches.created', { batchNo: b.batchNo, quantity: formatNumber(b.quantity), resolver: b.resolver }));
            set({ page: 1 }, false);
            reload();
            setDownload(b);
          }}
        />
      ) : null}
      {download ? <DownloadDialog batch={download} onClose={() => setDownload(null)} /> : null}
      {preview ? <LabelSheetDialog batch={preview} onClose={() => setPreview(null)} /> : null}
    </div>
  );
}
