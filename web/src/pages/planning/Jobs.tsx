import { Button, Space, Table, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { finished, JOB_COLORS, type Job, JobProgress } from '../../components/JobProgress.tsx';
import { LoadError } from '../../components/PageState.tsx';
import { formatDateTime } from '../../format.ts';
import { useApi } from '../../useApi.ts';

/** The caller's jobs, newest first; the list refreshes while any is unfinished. */
export function JobsPage() {
  const { t } = useTranslation();
  const jobs = useApi<{ items: Job[] }>('/jobs', { limit: 100 });
  const open = (jobs.data?.items ?? []).some((j) => !finished(j));
  const { reload } = jobs;
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(reload, 3000);
    return () => clearInterval(timer);
  }, [open, reload]);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('jobs.title')}
        </Typography.Title>
        <Button onClick={reload}>{t('jobs.refresh')}</Button>
      </Space>
      {jobs.error ? <LoadError error={jobs.error} onRetry={reload} /> : null}
      <Table<Job>
        rowKey="id"
        data-testid="jobs-table"
        loading={jobs.loading && !jobs.data}
        dataSource={jobs.data?.items ?? []}
        pagination={false}
        expandable={{
          expandedRowRender: (j) => <JobProgress jobId={j.id} onDone={() => reload()} />,
          rowExpandable: () => true,
        }}
        columns={[
          { title: 'ID', dataIndex: 'id', width: 80 },
          { title: t('jobs.kind'), dataIndex: 'kind', render: (k: string) => t(`jobs.kinds.${k}`, { defaultValue: k }) },
          {
            title: t('jobs.statusLabel'),
            dataIndex: 'status',
            render: (s: Job['status']) => <Tag color={JOB_COLORS[s]}>{t(`jobs.status.${s}`)}</Tag>,
          },
          {
            title: t('jobs.progress'),
            render: (_: unknown, j: Job) => (j.progress.percent != null ? `${j.progress.percent}%` : j.progress.done),
          },
          { title: t('jobs.message'), dataIndex: 'message', ellipsis: true },
          {
            title: t('jobs.created'),
            dataIndex: 'createdAt',
            render: formatDateTime,
          },
        ]}
      />
    </Space>
  );
}
