/**
 * The job that refreshes a brand's consumer segments (consumer-segments.ts), and how a reader of the page starts one:
 * at most one queued or running per brand, so a second click, or a second analyst, gets the refresh already under way.
 */
import { Type } from '@sinclair/typebox';
import type { RequestContext } from '../../../context.ts';
import { type JobKind, type JobRegistry, type JobView, latestJobOfKind, queueJob } from '../../../platform/jobs/index.ts';
import { type RefreshedSnapshot, refreshConsumerSegments } from './consumer-segments.ts';
import { CONSUMER_SEGMENTS_JOB } from './consumer-snapshot.ts';

export function consumerSegmentsJob(masterKey: Buffer): JobKind<Record<string, never>, RefreshedSnapshot> {
  return {
    kind: CONSUMER_SEGMENTS_JOB,
    access: 'consumer_segments:read',
    maxAttempts: 2,
    params: Type.Object({}, { additionalProperties: false }),
    run: (ctx, _params, progress) => refreshConsumerSegments(ctx.sql, ctx.actor.tenantId, masterKey, ctx.jobId, progress),
  };
}

/** Queues a refresh of the caller's brand, or returns the one already queued or running (`started: false`). */
export async function startConsumerSegmentsRefresh(
  ctx: RequestContext,
  registry: JobRegistry,
): Promise<{ job: JobView; started: boolean }> {
  return ctx.sql.begin(async (tx) => {
    // not the job's own lock (held while it runs): this one only orders two requests to start one
    await tx`select pg_advisory_xact_lock(hashtext('consumers.segments.queue'), ${ctx.actor.tenantId})`;
    const last = await latestJobOfKind(tx, ctx, CONSUMER_SEGMENTS_JOB);
    if (last && (last.status === 'queued' || last.status === 'running')) return { job: last, started: false };
    return { job: await queueJob(tx, ctx, registry, CONSUMER_SEGMENTS_JOB, {}), started: true };
  });
}
