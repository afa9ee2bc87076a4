/**
 * One line of a replenishment plan, as a pure function of its inputs (inventory/order-up-to.ts has the rule):
 * demand over lead time + review period d·(L+R), safety stock z·σ·√(L+R) for the service level, the order-up-to
 * level S (their sum), and the suggested quantity topping the inventory position (on hand + in transit + on order)
 * up to S in quantities the seller accepts, in whole cases where the SKU has a case size. Demand over the plan's horizon (d·H) is carried for the demand plan.
 */
import { suggestedQuantity } from '../../inventory/index.ts';

export interface LineInputs {
  mean: number;
  sd: number;
  leadTimeDays: number;
  reviewDays: number;
  horizonDays: number;
  z: number;
  onHand: number;
  inTransit: number;
  onOrder: number;
  minQty: number | null;
  multipleOf: number | null;
  /** units per case of the SKU (catalog packaging), null when it has no case level */
  caseSize: number | null;
}

export interface LineFigures {
  demandLR: number;
  demandHorizon: number;
  safetyStock: number;
  orderUpTo: number;
  suggested: number;
}

export function planLine(x: LineInputs): LineFigures {
  const lr = x.leadTimeDays + x.reviewDays;
  const demandLR = x.mean * lr;
  const safetyStock = Math.max(0, x.z * x.sd * Math.sqrt(lr));
  const orderUpTo = demandLR + safetyStock;
  return {
    demandLR,
    demandHorizon: x.mean * x.horizonDays,
    safetyStock,
    orderUpTo,
    suggested: suggestedQuantity({
      level: orderUpTo,
      onHand: x.onHand,
      inTransit: x.inTransit,
      onOrder: x.onOrder,
      minQty: x.minQty,
      multipleOf: x.multipleOf,
      caseSize: x.caseSize,
    }),
  };
}
