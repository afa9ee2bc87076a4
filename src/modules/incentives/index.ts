/** Incentives: consumer scan campaigns, their budgets, claims and the rewards ledger. */
export { type ClaimOptions, claimRoutes } from './claim-routes.ts';
export { campaignsRoutes } from './routes.ts';
