import { type TSchema, Type } from '@sinclair/typebox';

/** Shared pieces of route schemas. */
export const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};

/**
 * A row id (bigint columns): at most 2^53 - 1, the largest integer a JSON number carries exactly; a larger one would
 * fail the statement (bigint out of range) instead of being refused (found by the route fuzzer).
 */
export const Id = (opts: { default?: number } = {}) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, ...opts });

export const IdParams = Type.Object({ id: Id() }, { additionalProperties: false });

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  code: Type.String(),
  detail: Type.String(),
});

export function strictObject<T extends Record<string, TSchema>>(props: T) {
  return Type.Object(props, { additionalProperties: false });
}
