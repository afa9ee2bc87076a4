/** Consumers: identities and the identity graph, profiles, membership, the points ledger and the points mall. */
export {
  consumerFor,
  consumerOf,
  consumersFor,
  consumersOf,
  type Evidence,
  firstSeenOf,
  type IdentifierKind,
  identifierHasher,
  identifierKey,
} from './identity.ts';
export { meRoutes } from './me-routes.ts';
export { bookPoints, bookPointsMany, type PointsChange, pointsBalance } from './points.ts';
export { maskPhone } from './privacy.ts';
export { type ConsumersOptions, consumersSettings } from './settings.ts';
export type { SmsMessage, SmsSender } from './sms.ts';
export { consumersStaffRoutes } from './staff-routes.ts';
