/**
 * "One more" (再来一瓶): a consumer campaign issues a winning ticket for a unit code (issueOneMoreTicket); the
 * consumer takes the unit to any participating store (a one-more program whose region covers it), which scans the
 * winning code and is reimbursed the program's amount to its rebate balance. A ticket is redeemed once: the row is
 * locked for the redemption, so a second store's scan, even at the same instant, is refused with who redeemed it;
 * the same store scanning it again gets its first answer and is paid nothing more.
 */
import type { Db, RequestContext } from '../../../context.ts';
import { AppError } from '../../../http/problem.ts';
import { appendAudit } from '../../audit/index.ts';
import { actorLabel, whoOf } from '../../auth/index.ts';
import { canonicalCode } from '../../trace/journey.ts';
import { gtinFacts, placesOf } from './codes.ts';
import { payClaims } from './payouts.ts';
import { activePrograms } from './programs.ts';
import { businessDay, eligibility } from './rules.ts';

/** Issues the ticket for a winning unit code (idempotent: the same code again issues nothing new). */
export async function issueOneMoreTicket(tx: Db, tenantId: number, epc: string, campaignRef: string): Promise<{ issued: boolean }> {
  const rows = await tx`
    insert into one_more_tickets (tenant_id, epc, campaign_ref) values (${tenantId}, ${epc}, ${campaignRef})
    on conflict (tenant_id, epc) do nothing returning epc`;
  return { issued: rows.length === 1 };
}

export interface Redemption {
  code: string;
  programId: number;
  amountFen: number;
  campaignRef: string;
  redeemedAt: Date;
  /** true when this store had redeemed it before: the first answer, nothing paid again */
  replayed: boolean;
}

export async function redeemOneMore(ctx: RequestContext, raw: string): Promise<Redemption> {
  const t = ctx.actor.tenantId;
  const epc = canonicalCode(raw);
  if (!epc) throw AppError.field('/body/code', 'code.unrecognised', { value: raw });
  const storeId = ctx.actor.partyId;
  return ctx.sql.begin(async (tx) => {
    const store = storeId == null ? undefined : (await placesOf(tx, t, [storeId])).get(storeId);
    if (store?.kind !== 'store') throw AppError.forbidden('channel.stores_only');
    const [ticket] = await tx<{ campaign_ref: string; redeemed_at: Date | null; redeemed_by_party_id: string | null }[]>`
      select campaign_ref, redeemed_at, redeemed_by_party_id::text from one_more_tickets where tenant_id = ${t} and epc = ${epc} for update`;
    if (!ticket)
      // the words name the unit (GTIN and serial), not the link as scanned; `epc` is the code as the redemption
      // answer names it, for a page to say the refusal in its own words and language
      throw new AppError(422, 'channel.no_ticket', { value: epc }, [
        { pointer: '/body/code', code: 'channel.no_ticket', params: { value: epc }, members: { epc } },
      ]);
    if (ticket.redeemed_at && Number(ticket.redeemed_by_party_id) === store.id) {
      // the same store again (a retried request, a second clerk): the first redemption, paid once
      const [first] = await tx<{ program_id: string; amount_fen: string }[]>`
        select o.program_id::text, o.amount_fen::text from channel_payouts o
        where o.tenant_id = ${t} and o.epc = ${epc} and o.kind = 'one_more' and o.payee_party_id = ${store.id} order by o.id limit 1`;
      return {
        code: epc,
        programId: Number(first?.program_id),
        amountFen: Number(first?.amount_fen),
        campaignRef: ticket.campaign_ref,
        redeemedAt: ticket.redeemed_at,
        replayed: true,
      };
    }
    if (ticket.redeemed_at) {
      const by = (await placesOf(tx, t, [Number(ticket.redeemed_by_party_id)])).get(Number(ticket.redeemed_by_party_id));
      const params = { store: by?.name ?? '—', at: ticket.redeemed_at.toISOString() };
      // which store and when are members too, for a page to say the refusal in its own language
      throw new AppError(409, 'channel.ticket_redeemed', params, [
        { pointer: '/body/code', code: 'channel.ticket_redeemed', params, members: { store: params.store, redeemedAt: params.at } },
      ]);
    }
    const gtin = /\/01\/(\d{14})\//.exec(epc)?.[1] ?? null;
    const facts = gtin ? (await gtinFacts(tx, t, [gtin])).get(gtin) : undefined;
    const now = new Date();
    const program = (await activePrograms(tx, t, ['one_more'])).find(
      (p) => eligibility(p, facts ?? { productId: null, level: null, unitsPerCase: null }, store.division, now).ok,
    );
    if (!program)
      throw new AppError(409, 'channel.not_participating', {}, [{ pointer: '/body/code', code: 'channel.not_participating', params: {} }]);
    const amountFen = program.amountFen;
    const [result] = await payClaims(
      tx,
      t,
      [
        {
          programId: program.id,
          kind: 'one_more',
          epc,
          day: businessDay(now),
          source: `ticket:${ticket.campaign_ref}`,
          payees: [{ role: 'store', partyId: store.id, units: 1, amountFen }],
        },
      ],
      actorLabel(ctx.actor),
    );
    if (!result?.paid) {
      const reason = result?.reason ?? 'inactive';
      throw new AppError(409, 'channel.payout_refused', { reason }, [
        { pointer: '/body/code', code: 'channel.payout_refused', params: { reason } },
      ]);
    }
    const [done] = await tx<{ redeemed_at: Date }[]>`
      update one_more_tickets set redeemed_at = now(), redeemed_by_party_id = ${store.id}, redeemed_by = ${actorLabel(ctx.actor)},
        program_id = ${program.id}
      where tenant_id = ${t} and epc = ${epc} returning redeemed_at`;
    await appendAudit(tx, whoOf(ctx), {
      action: 'channel.one_more_redeem',
      entityType: 'one_more_ticket',
      entityId: epc,
      details: { store: store.id, programId: program.id, amountFen },
    });
    return {
      code: epc,
      programId: program.id,
      amountFen,
      campaignRef: ticket.campaign_ref,
      redeemedAt: done?.redeemed_at as Date,
      replayed: false,
    };
  });
}
