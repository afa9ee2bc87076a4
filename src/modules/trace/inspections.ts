/**
 * A market inspection: an inspector scans a unit found on a shelf and gets the evidence at once: the code's
 * path, the orders and the distributor it was shipped under, that distributor's authorised territory, and
 * whether finding it here is diversion (窜货), in which case an alert is recorded with the evidence.
 */
import type { RequestContext } from '../../context.ts';
import { AppError } from '../../http/problem.ts';
import { allDivisions, regionName } from '../parties/index.ts';
import { checkDiversion, diversionRules, insideTerritory } from './diversion.ts';
import { codeJourney } from './journey.ts';
import { activeRecallOf } from './recall.ts';

export async function inspect(ctx: RequestContext, input: { code: string; divisionCode: string; note?: string }) {
  if (!allDivisions().has(input.divisionCode))
    throw AppError.field('/body/divisionCode', 'division.unknown', { value: input.divisionCode });
  const journey = await codeJourney(ctx, input.code);
  const [state] = await ctx.sql<{ channel_party_id: number | null; gtin: string | null; lot: string | null }[]>`
    select channel_party_id, gtin, lot from code_now where tenant_id = ${ctx.actor.tenantId} and epc = ${journey.code}`;
  const distributorId = state?.channel_party_id == null ? null : Number(state.channel_party_id);
  const [distributor] = distributorId
    ? await ctx.sql<
        { id: number; code: string; name: string }[]
      >`select id, code, name from parties where tenant_id = ${ctx.actor.tenantId} and id = ${distributorId}`
    : [];
  const territories = distributorId
    ? (
        await ctx.sql<{ division_code: string }[]>`
          select division_code from party_territories where tenant_id = ${ctx.actor.tenantId} and party_id = ${distributorId} order by 1`
      ).map((t) => t.division_code)
    : [];
  const rules = await diversionRules(ctx.sql, ctx.actor.tenantId);
  const diverted =
    !!distributorId &&
    territories.length > 0 &&
    !rules.exemptPartyIds.includes(distributorId) &&
    !insideTerritory(input.divisionCode, territories, rules.level);
  if (diverted) {
    await checkDiversion(ctx.sql, ctx.actor.tenantId, [
      {
        epc: journey.code,
        gtin: state?.gtin ?? null,
        lot: state?.lot ?? null,
        channelPartyId: distributorId,
        scannedByPartyId: null,
        actualDivision: input.divisionCode,
        kind: 'inspection',
      },
    ]);
  }
  const [alert] = diverted
    ? await ctx.sql<{ id: number }[]>`select id from diversion_alerts where tenant_id = ${ctx.actor.tenantId} and epc = ${journey.code}
        and distributor_id = ${distributorId} and scan_kind = 'inspection'`
    : [];
  const orders = [
    ...new Set(journey.events.flatMap((e) => (e.bizTransactions as { bizTransaction: string }[]).map((b) => b.bizTransaction))),
  ];
  return {
    code: journey.code,
    foundIn: { code: input.divisionCode, name: regionName(input.divisionCode, ctx.locale) },
    state: journey.state,
    recall: await activeRecallOf(ctx, state?.gtin ?? null, state?.lot ?? null),
    distributor: distributor
      ? {
          id: Number(distributor.id),
          code: distributor.code,
          name: distributor.name,
          territories: territories.map((t) => ({ code: t, name: regionName(t, ctx.locale) })),
        }
      : null,
    orders,
    diverted,
    alertId: alert ? Number(alert.id) : null,
    path: journey.events,
  };
}
