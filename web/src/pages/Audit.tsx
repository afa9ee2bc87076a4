import { Alert, Button, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText, type Page } from '../api.ts';
import { LoadError } from '../components/PageState.tsx';
import { dash, formatDateTime } from '../format.ts';
import { detailsText } from '../recordDetails.ts';
import type { AuditRow } from '../types.ts';
import { useApi } from '../useApi.ts';
import { useQueryState } from '../useQueryState.ts';
import { auditActionLabel, auditObjectLabel } from './audit-labels.ts';

const DEFAULTS = { page: '1', pageSize: '50' };

interface VerifyResult {
  ok: boolean;
  checked: number;
  brokenAt?: number | string | null;
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const { get, set } = useQueryState(DEFAULTS);
  const page = Number(get('page')) || 1;
  const pageSize = Number(get('pageSize')) || 50;
  const { data, error, loading, reload } = useApi<Page<AuditRow>>('/audit', { page, pageSize });
  const [verifying, setVerifying] = useState(false);
  const [verify, setVerify] = useState<VerifyResult | null>(null);
  const [verifyError, setVerifyError] = useState<string | null>(null);

  const runVerify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerify(await api<VerifyResult>('/audit/verify', { method: 'POST' }));
    } catch (e) {
      setVerify(null);
      setVerifyError(errorText(e));
    } finally {
      setVerifying(false);
    }
  };

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} align="center">
        <Typography.Title level={3}>{t('audit.title')}</Typography.Title>
        <Button type="primary" loading={verifying} onClick={() => void runVerify()} data-testid="audit-verify">
          {t('audit.verify')}
        </Button>
      </Space>
      {verify ? (
        <Alert
          data-testid="audit-verify-result"
          style={{ marginBottom: 16 }}
          showIcon
          type={verify.ok ? 'success' : 'error'}
          title={
            verify.ok
              ? t('audit.verifyOk', { checked: verify.checked })
              : t('audit.verifyBroken', { checked: verify.checked, brokenAt: verify.brokenAt ?? '?' })
          }
        />
      ) : null}
      {verifyError ? <Alert style={{ marginBottom: 16 }} showIcon type="error" title={verifyError} /> : null}
      <LoadError error={error} onRetry={reload} />
      <Table<AuditRow>
        rowKey="seq"
        size="small"
        data-testid="audit-table"
        loading={loading}
        dataSource={data?.items ?? []}
        pagination={{
          current: page,
          pageSize,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => t('common.total', { count: n }),
        }}
        onChange={(p) => set({ page: p.current, pageSize: p.pageSize }, false)}
        columns={[
          { key: 'seq', dataIndex: 'seq', title: t('audit.seq'), width: 80 },
          { key: 'at', dataIndex: 'at', title: t('audit.at'), render: formatDateTime, width: 200 },
          { key: 'actor', dataIndex: 'actor', title: t('audit.actor'), render: dash },
          {
            key: 'action',
            dataIndex: 'action',
            title: t('audit.action'),
            render: (action: string) => (
              <span title={action} data-testid="audit-action">
                {auditActionLabel(action, en)}
              </span>
            ),
          },
          {
            key: 'entity',
            title: t('audit.entity'),
            render: (_, r) => (r.entityType ? auditObjectLabel(r.entityType, r.entityId, en) : '—'),
          },
          { key: 'ip', dataIndex: 'ip', title: t('audit.ip'), render: dash },
          {
            key: 'details',
            dataIndex: 'details',
            title: t('audit.details'),
            ellipsis: true,
            // readable in the reader's language; the details as recorded on hover
            render: (d: unknown) => (
              <span title={d === null || d === undefined ? undefined : JSON.stringify(d)} data-testid="audit-details">
                {detailsText(d, en)}
              </span>
            ),
          },
        ]}
      />
    </div>
  );
}
