/**
 * The consumer's device cookie `tl_device`: a random first-party id issued on first contact (a scan, the account
 * page), nothing about the person. The resolver's scans, the claims and the consumer's own endpoints all read it;
 * the identity graph binds it to a consumer (consumers/identity.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './problem.ts';

export const DEVICE_COOKIE = 'tl_device';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The request's device id. Without a valid cookie: a new one is issued (`issue`, the default), or the request is
 * refused with 401 `consumer.device_required` (an endpoint that needs a device seen before).
 */
export function deviceOf(req: FastifyRequest, reply: FastifyReply, issue = true): string {
  const given = req.cookies?.[DEVICE_COOKIE];
  if (given && UUID.test(given)) return given;
  if (!issue) throw AppError.unauthorized('consumer.device_required');
  const id = randomUUID();
  reply.setCookie(DEVICE_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    maxAge: 365 * 24 * 3600,
  });
  return id;
}
