import { App, Button, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { LoadError } from '../components/PageState.tsx';
import { UnitCode } from '../components/UnitCode.tsx';
import { formatChinaMinute } from '../format.ts';
import { may } from '../nav.ts';
import { detailsText } from '../recordDetails.ts';
import { useApi } from '../useApi.ts';

const RULES = ['repeat_scans', 'far_apart', 'device_burst', 'address_burst', 'clerk_undelivered'] as const;
const STATUSES = ['open', 'confirmed', 'dismissed'] as const;
type FlagStatus = (typeof STATUSES)[number];

interface Flag {
  id: number;
  rule: (typeof RULES)[number];
  subjectKind: string;
  subject: string;
  subjectName: string | null;
  code: string | null;
  action: 'refused' | 'flagged';
  evidence: Record<string, unknown>;
  hits: number;
  status: FlagStatus;
  createdAt: string;
  lastSeenAt: string;
  review: { by: string | null; at: string; note: string | null } | null;
}

const STATUS_COLOR: Record<FlagStatus, string> = { open: 'orange', confirmed: 'red', dismissed: 'default' };

/** 风控审核: flags raised by the fraud rules, filtered by rule and status; staff confirm or dismiss each with a note. */
export function FraudReviewPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { me } = useAuth();
  const canReview = may('fraud:review', me?.user.role);
  const [rule, setRule] = useState<string>();
  const [status, setStatus] = useState<string | undefined>('open');
  const [page, setPage] = useState(1);
  const [deciding, setDeciding] = useState<{ flag: Flag; decision: 'confirmed' | 'dismissed' } | null>(null);
  const [note, setNote] = useState('');
  const list = useApi<{ total: number; items: Flag[] }>('/fraud/flags', { rule, status, page, pageSize: 20 });
  const decide = async () => {
    if (!deciding) return;
    try {
      await api(`/fraud/flags/${deciding.flag.id}/review`, {
        method: 'POST',
        body: { decision: deciding.decision, note: note.trim() || undefined },
      });
      message.success(t(`fraud.decided.${deciding.decision}`));
      setDeciding(null);
      setNote('');
      list.reload();
    } catch (e) {
      message.error(errorText(e));
    }
  };
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('fraud.title')}
      </Typography.Title>
      <Space wrap>
        <Select
          allowClear
          placeholder={t('fraud.rule')}
          style={{ width: 220 }}
          value={rule}
          onChange={(v) => {
            setRule(v);
            setPage(1);
          }}
          options={RULES.map((r) => ({ value: r, label: t(`fraud.rules.${r}`) }))}
          data-testid="fraud-rule-filter"
        />
        <Select
          allowClear
          placeholder={t('common.status')}
          style={{ width: 160 }}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={STATUSES.map((s) => ({ value: s, label: t(`fraud.status.${s}`) }))}
          data-testid="fraud-status-filter"
        />
      </Space>
      {list.error ? <LoadError error={list.error} onRetry={list.reload} /> : null}
      <Table<Flag>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        pagination={{ current: page, pageSize: 20, total: list.data?.total ?? 0, onChange: setPage, showSizeChanger: false }}
        scroll={{ x: 1100 }}
        data-testid="fraud-flags-table"
        columns={[
          { key: 'at', title: t('fraud.lastSeen'), render: (_, f) => formatChinaMinute(f.lastSeenAt) },
          { key: 'rule', title: t('fraud.rule'), render: (_, f) => t(`fraud.rules.${f.rule}`) },
          {
            key: 'subject',
            title: t('fraud.subject'),
            render: (_, f) => (
              <span>
                {t(`fraud.subjects.${f.subjectKind}`)}: {f.subjectName ?? <UnitCode epc={f.subject} />}
              </span>
            ),
          },
          {
            key: 'code',
            title: t('fraud.code'),
            render: (_, f) => (f.code ? <UnitCode epc={f.code} testId={`fraud-code-${f.id}`} /> : '—'),
          },
          {
            key: 'action',
            title: t('fraud.action'),
            render: (_, f) => <Tag color={f.action === 'refused' ? 'red' : 'gold'}>{t(`fraud.actions.${f.action}`)}</Tag>,
          },
          { key: 'hits', title: t('fraud.hits'), dataIndex: 'hits', align: 'right' },
          {
            key: 'evidence',
            title: t('fraud.evidence'),
            render: (_, f) => (
              <Typography.Text type="secondary" style={{ fontSize: 12 }} title={JSON.stringify(f.evidence)}>
                {detailsText(Object.fromEntries(Object.entries(f.evidence).filter(([k]) => k !== 'codes')), i18n.language === 'en')}
              </Typography.Text>
            ),
          },
          {
            key: 'status',
            title: t('common.status'),
            render: (_, f) => (
              <Space direction="vertical" size={0}>
                <Tag color={STATUS_COLOR[f.status]} data-testid={`fraud-status-${f.id}`}>
                  {t(`fraud.status.${f.status}`)}
                </Tag>
                {f.review ? (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {f.review.by} {formatChinaMinute(f.review.at)} {f.review.note ?? ''}
                  </Typography.Text>
                ) : null}
              </Space>
            ),
          },
          {
            key: 'review',
            title: t('fraud.review'),
            render: (_, f) =>
              canReview && f.status === 'open' ? (
                <Space>
                  <Button
                    size="small"
                    danger
                    onClick={() => setDeciding({ flag: f, decision: 'confirmed' })}
                    data-testid={`fraud-confirm-${f.id}`}
                  >
                    {t('fraud.confirm')}
                  </Button>
                  <Button
                    size="small"
                    onClick={() => setDeciding({ flag: f, decision: 'dismissed' })}
                    data-testid={`fraud-dismiss-${f.id}`}
                  >
                    {t('fraud.dismiss')}
                  </Button>
                </Space>
              ) : null,
          },
        ]}
      />
      <Modal
        open={deciding !== null}
        title={deciding ? t(`fraud.decide.${deciding.decision}`) : ''}
        onCancel={() => setDeciding(null)}
        onOk={decide}
        okButtonProps={{ 'data-testid': 'fraud-decide-ok' } as never}
        destroyOnHidden
      >
        <Input.TextArea
          rows={3}
          maxLength={500}
          placeholder={t('fraud.note')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          data-testid="fraud-note"
        />
      </Modal>
    </Space>
  );
}
