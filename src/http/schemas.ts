import { type TSchema, Type } from '@sinclair/typebox';

/** Shared pieces of route schemas. */
export const Paging = {
  page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
  pageSize: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

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
