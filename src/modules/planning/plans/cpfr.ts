/**
 * The collaborative planning (CPFR) states of a plan and who moves it, as a pure rule:
 *
 *   draft --share(brand)--> shared --accept(distributor)--> adjusted --accept(brand)--> accepted --(drafts made)--> ordered
 *                             ^  |  adjust lines (distributor)    |
 *                             +--+------send back (brand)---------+
 *   draft | shared | adjusted --reject(brand)--> rejected;  shared --reject(distributor)--> rejected
 *
 * `adjusted` is the distributor's answer (its line changes, if any, with reasons) waiting for the brand. Anything
 * else is refused with 409 `plans.invalid_transition`.
 */
import { AppError } from '../../../http/problem.ts';

export const PLAN_STATUSES = ['draft', 'shared', 'adjusted', 'accepted', 'ordered', 'rejected'] as const;
export type PlanStatus = (typeof PLAN_STATUSES)[number];
export type PlanAction = 'share' | 'adjust' | 'accept' | 'send_back' | 'reject';
export type Side = 'brand' | 'distributor';

/** The status a plan moves to, or null when the action is not allowed from `status` for `side`. */
export function nextStatus(status: PlanStatus, action: PlanAction, side: Side): PlanStatus | null {
  switch (action) {
    case 'share':
      return side === 'brand' && status === 'draft' ? 'shared' : null;
    case 'adjust':
      return side === 'distributor' && status === 'shared' ? 'shared' : null;
    case 'accept':
      if (side === 'distributor') return status === 'shared' ? 'adjusted' : null;
      return status === 'adjusted' ? 'accepted' : null;
    case 'send_back':
      return side === 'brand' && status === 'adjusted' ? 'shared' : null;
    case 'reject':
      if (side === 'distributor') return status === 'shared' ? 'rejected' : null;
      return status === 'draft' || status === 'shared' || status === 'adjusted' ? 'rejected' : null;
    default: {
      const never: never = action;
      throw new Error(`unknown plan action ${String(never)}`);
    }
  }
}

/** As nextStatus, refusing with a stable 409. */
export function decide(status: PlanStatus, action: PlanAction, side: Side): PlanStatus {
  const to = nextStatus(status, action, side);
  if (!to) throw new AppError(409, 'plans.invalid_transition', { status, action, side });
  return to;
}
