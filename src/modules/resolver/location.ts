/**
 * Where a consumer's phone says it is, sent with a claim or a verification when the consumer allows it: the fraud
 * rules' distance check (a code claimed in two places too far apart for the time between) needs it, and the address
 * (hashed) cannot give it. Kept at 4 decimals (about 11 m), enough for the rule and no closer to a home than that.
 */
import { Type } from '@sinclair/typebox';
import { AppError } from '../../http/problem.ts';

/** The two optional body fields, for a route's body schema. */
export const locationFields = {
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
};

/** A body that may carry a location (the route's schema has bounded both fields). */
export type LocatedBody = { lat?: number; lng?: number };

export interface Location {
  lat: number | null;
  lng: number | null;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** The body's location, or nulls; one coordinate without the other is refused (400, pointing at the missing one). */
export function locationOf(body: LocatedBody): Location {
  if (body.lat === undefined && body.lng === undefined) return { lat: null, lng: null };
  if (body.lat === undefined) throw AppError.field('/body/lat', 'consumer.coordinates_pair');
  if (body.lng === undefined) throw AppError.field('/body/lng', 'consumer.coordinates_pair');
  return { lat: round(body.lat), lng: round(body.lng) };
}
