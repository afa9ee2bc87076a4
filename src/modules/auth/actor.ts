import type { Role } from './roles.ts';

/** Who is asking: a logged-in user or a device API key, always inside one tenant. */
export interface Actor {
  kind: 'user' | 'api_key';
  tenantId: number;
  tenantCode: string;
  id: number;
  name: string;
  role: Role;
  /** the party the actor works for (brand roles may have none) */
  partyId: number | null;
  /** brand_sales: the division codes of the rep's territories */
  territories: string[];
  /** api keys: the actions the key was granted */
  keyActions?: string[];
}

/** How an actor is named in ledgers, timelines and logs: `user:12` or `api_key:3`. */
export function actorLabel(actor: Pick<Actor, 'kind' | 'id'>): string {
  return `${actor.kind}:${actor.id}`;
}
