/** The job queue: long runs in the app process, with progress, cancel and recovery after a restart. */
export { type JobContext, type JobKind, type JobMessage, JobRegistry, JobStopped, type ReportProgress } from './registry.ts';
export { jobsRoutes } from './routes.ts';
export { DEFAULT_RUNNER_OPTIONS, JobRunner, type RunnerOptions } from './runner.ts';
export { cancelJob, getJob, type JobStatus, type JobView, latestJobOfKind, listJobs, queueJob, startJob } from './store.ts';
