import { Button, Progress, Space, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorText } from '../api.ts';

export interface Job {
  id: number;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  progress: { done: number; total: number | null; percent: number | null };
  message: string | null;
  result: unknown;
  error: string | null;
  cancelRequested: boolean;
  createdAt: string;
  finishedAt: string | null;
}

export const JOB_COLORS: Record<Job['status'], string> = {
  queued: 'default',
  running: 'processing',
  succeeded: 'success',
  failed: 'error',
  cancelled: 'warning',
};

export const finished = (j: Job) => j.status === 'succeeded' || j.status === 'failed' || j.status === 'cancelled';

/** A job's progress, polled every second until it ends (then `onDone`); running or queued jobs can be cancelled. */
export function JobProgress({ jobId, onDone, pollMs = 1000 }: { jobId: number; onDone?: (job: Job) => void; pollMs?: number }) {
  const { t } = useTranslation();
  const [job, setJob] = useState<Job>();
  const [problem, setProblem] = useState<string>();
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const j = await api<Job>(`/jobs/${jobId}`);
        if (!live) return;
        setJob(j);
        if (finished(j)) {
          done.current?.(j);
          return;
        }
      } catch (e) {
        if (live) setProblem(errorText(e));
      }
      if (live) timer = setTimeout(poll, pollMs);
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [jobId, pollMs]);
  const cancel = async () => {
    try {
      setJob(await api<Job>(`/jobs/${jobId}/cancel`, { method: 'POST' }));
    } catch (e) {
      setProblem(errorText(e));
    }
  };
  if (!job) return problem ? <Typography.Text type="danger">{problem}</Typography.Text> : null;
  const status =
    job.status === 'failed' ? 'exception' : job.status === 'succeeded' ? 'success' : job.status === 'running' ? 'active' : 'normal';
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid={`job-${job.id}`} data-status={job.status}>
      <Space>
        <Tag color={JOB_COLORS[job.status]} data-testid="job-status">
          {t(`jobs.status.${job.status}`)}
        </Tag>
        <Typography.Text type="secondary">
          {job.progress.total != null ? `${job.progress.done} / ${job.progress.total}` : job.progress.done || ''}
        </Typography.Text>
        {!finished(job) && !job.cancelRequested ? (
          <Button size="small" onClick={cancel} data-testid="job-cancel">
            {t('jobs.cancel')}
          </Button>
        ) : null}
      </Space>
      <Progress percent={job.progress.percent ?? (job.status === 'running' ? 0 : 0)} status={status} data-testid="job-progress" />
      {job.message ? <Typography.Text type={job.status === 'failed' ? 'danger' : 'secondary'}>{job.message}</Typography.Text> : null}
      {problem ? <Typography.Text type="danger">{problem}</Typography.Text> : null}
    </Space>
  );
}
