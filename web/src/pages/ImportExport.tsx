import { Alert, Button, Card, Col, Progress, Row, Segmented, Select, Space, Table, Typography, Upload } from 'antd';
import type { UploadFile } from 'antd/es/upload/interface.js';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type ProblemError, uploadFile, XLSX_TYPE } from '../api.ts';
import { useAuth } from '../auth.tsx';

type Entity = 'products' | 'parties' | 'users';
const ENTITIES: Entity[] = ['products', 'parties', 'users'];
const PARTY_KINDS = ['store', 'distributor', 'factory', 'warehouse'] as const;

type Outcome =
  | { kind: 'success'; imported: number }
  | { kind: 'rows'; detail: string; errors: ProblemError[]; errorCount: number; reportUrl?: string }
  | { kind: 'error'; detail: string };

function contentTypeOf(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.endsWith('.xlsx')) return XLSX_TYPE;
  if (lower.endsWith('.csv')) return 'text/csv';
  return null;
}

function ImportCard() {
  const { t } = useTranslation();
  const [entity, setEntity] = useState<Entity>('products');
  const [file, setFile] = useState<File | null>(null);
  const [percent, setPercent] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [typeError, setTypeError] = useState(false);

  const fileList: UploadFile[] = file ? [{ uid: 'selected', name: file.name, size: file.size, status: 'done' }] : [];

  const start = async () => {
    if (!file) return;
    const type = contentTypeOf(file.name);
    if (!type) {
      setTypeError(true);
      return;
    }
    setBusy(true);
    setOutcome(null);
    setPercent(0);
    try {
      const { promise } = uploadFile<{ imported: number }>(`/imports/${entity}`, file, type, ({ loaded, total }) =>
        setPercent(Math.round((loaded / total) * 100)),
      );
      const res = await promise;
      setPercent(100);
      setOutcome({ kind: 'success', imported: res?.imported ?? 0 });
    } catch (e) {
      const problem = e instanceof ApiError ? e.problem : { detail: String(e) };
      const rowErrors = (problem.errors ?? []).filter((x) => x.row !== undefined || x.reason !== undefined);
      if (e instanceof ApiError && e.status === 422 && rowErrors.length) {
        setOutcome({
          kind: 'rows',
          detail: problem.detail ?? t('io.failed'),
          errors: rowErrors,
          errorCount: problem.errorCount ?? rowErrors.length,
          reportUrl: problem.reportUrl,
        });
      } else {
        setOutcome({ kind: 'error', detail: problem.detail ?? problem.title ?? t('io.failed') });
      }
    } finally {
      setBusy(false);
    }
  };

  const uploadDone = percent === 100;
  return (
    <Card title={t('io.import')}>
      <Space orientation="vertical" style={{ width: '100%' }} size="middle">
        <Space wrap>
          <Typography.Text>{t('io.entity')}</Typography.Text>
          <Segmented<Entity>
            value={entity}
            onChange={(v) => {
              setEntity(v);
              setOutcome(null);
            }}
            options={ENTITIES.map((e) => ({ value: e, label: t(`entities.${e}`) }))}
            data-testid="import-entity"
          />
        </Space>
        <Upload.Dragger
          accept=".xlsx,.csv"
          multiple={false}
          fileList={fileList}
          disabled={busy}
          beforeUpload={(f) => {
            setTypeError(!contentTypeOf(f.name));
            setFile(f);
            setOutcome(null);
            setPercent(null);
            return false;
          }}
          onRemove={() => {
            setFile(null);
            setTypeError(false);
            setPercent(null);
          }}
          data-testid="import-file"
        >
          <p className="ant-upload-text">{t('io.chooseFile')}</p>
          <p className="ant-upload-hint">{t('io.hint')}</p>
        </Upload.Dragger>
        {typeError ? <Alert type="warning" showIcon title={t('io.badType')} /> : null}
        <Button type="primary" disabled={!file || typeError} loading={busy} onClick={() => void start()} data-testid="import-submit">
          {t('io.upload')}
        </Button>
        {percent !== null ? (
          <div>
            <Progress
              percent={percent}
              status={busy ? 'active' : outcome?.kind === 'success' ? 'success' : outcome ? 'exception' : 'normal'}
            />
            {busy ? <Typography.Text type="secondary">{uploadDone ? t('io.processing') : t('io.uploading')}</Typography.Text> : null}
          </div>
        ) : null}
        {outcome?.kind === 'success' ? (
          <Alert type="success" showIcon title={t('io.success', { imported: outcome.imported })} data-testid="import-success" />
        ) : null}
        {outcome?.kind === 'error' ? <Alert type="error" showIcon title={t('io.failed')} description={outcome.detail} /> : null}
        {outcome?.kind === 'rows' ? (
          <>
            <Alert
              type="error"
              showIcon
              title={t('io.rowErrors', { count: outcome.errorCount })}
              description={outcome.detail}
              action={
                outcome.reportUrl ? (
                  <Button size="small" href={outcome.reportUrl} download data-testid="import-report">
                    {t('io.downloadReport')}
                  </Button>
                ) : null
              }
            />
            <Table<ProblemError>
              size="small"
              data-testid="import-errors"
              rowKey={(r) => `${r.row}:${r.column}:${r.reason}`}
              dataSource={outcome.errors}
              pagination={{ pageSize: 20, hideOnSinglePage: true }}
              columns={[
                { key: 'row', dataIndex: 'row', title: t('io.row'), width: 90 },
                { key: 'column', dataIndex: 'column', title: t('io.column'), width: 180 },
                { key: 'reason', title: t('io.reason'), render: (_, r) => r.reason ?? r.detail ?? r.code },
              ]}
            />
          </>
        ) : null}
      </Space>
    </Card>
  );
}

function ExportCard({ canUsers }: { canUsers: boolean }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<(typeof PARTY_KINDS)[number]>('store');
  const links = (entity: Entity, extra = '') =>
    (['xlsx', 'csv'] as const).map((format) => (
      <Button key={format} href={`/api/v1/exports/${entity}?format=${format}${extra}`} download data-testid={`export-${entity}-${format}`}>
        {t(format === 'xlsx' ? 'io.exportXlsx' : 'io.exportCsv')}
      </Button>
    ));
  return (
    <Card title={t('io.export')}>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <div>
          <Typography.Title level={5}>{t('entities.products')}</Typography.Title>
          <Space wrap>{links('products')}</Space>
        </div>
        <div>
          <Typography.Title level={5}>{t('entities.parties')}</Typography.Title>
          <Space wrap>
            <Select
              value={kind}
              onChange={setKind}
              style={{ width: 140 }}
              aria-label={t('io.exportKind')}
              options={PARTY_KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
            />
            {links('parties', `&kind=${kind}`)}
          </Space>
        </div>
        {canUsers ? (
          <div>
            <Typography.Title level={5}>{t('entities.users')}</Typography.Title>
            <Space wrap>{links('users')}</Space>
          </div>
        ) : null}
      </Space>
    </Card>
  );
}

export function ImportExportPage() {
  const { t } = useTranslation();
  const { me } = useAuth();
  const isAdmin = me?.user.role === 'brand_admin';
  return (
    <div>
      <Typography.Title level={3}>{t('io.title')}</Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={14}>
          {isAdmin ? <ImportCard /> : <Alert type="info" showIcon title={t('io.noImportPermission')} />}
        </Col>
        <Col xs={24} xl={10}>
          <ExportCard canUsers={isAdmin} />
        </Col>
      </Row>
    </div>
  );
}
