/** Consumers: identities and the identity graph, profiles, membership and the points ledger. */
export { consumerFor, consumerOf, type Evidence, type IdentifierKind, identifierHasher } from './identity.ts';
export { bookPoints, type PointsChange, pointsBalance } from './points.ts';
