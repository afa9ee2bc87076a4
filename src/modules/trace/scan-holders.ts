/**
 * A scan refused or warned about because another party holds the unit (shipping what is not here, receiving what was
 * never shipped, selling at a store what was never delivered to it) says who holds it, so the operator knows whom to
 * call: the holder's name and code when the scanner's data scope includes that party (auth's partyScope), else only
 * that another party holds it, so neither a refusal nor a warning shows a party the scanner may not see. The code
 * stays the same (it is the contract); its words say more, and the error or warning entry carries `holder`.
 */
import type { Sql, Tx } from '../../db/connection.ts';
import type { FieldError } from '../../http/problem.ts';
import { type Actor, partyScope } from '../auth/index.ts';

/**
 * The refusals and warnings about a unit that someone else holds, or that was shipped to someone else (a receipt's
 * warning names the addressee: whom to hand it on to), with the words for each when that party is named or not (a
 * receipt's refusal already says "another party's stock").
 */
const HELD_ELSEWHERE: Record<string, { named: string; unnamed: string; party: PartyRole }> = {
  'code.not_held': { named: 'code.not_held.by', unnamed: 'code.not_held.by_other', party: 'holder' },
  'receive.not_shipped': { named: 'receive.not_shipped.by', unnamed: 'receive.not_shipped', party: 'holder' },
  'sell.not_delivered_here': { named: 'sell.not_delivered_here.by', unnamed: 'sell.not_delivered_here.by_other', party: 'holder' },
  'receive.not_for_you': { named: 'receive.not_for_you.to', unnamed: 'receive.not_for_you', party: 'addressee' },
};

/** The party an entry is about: who holds the unit, or whom it was shipped to. */
export type PartyRole = 'holder' | 'addressee';

/** An entry's `holder` (or `addressee`) member: the party, or only that it is one the scanner may not see. */
export type HolderMember = { code: string; name: string } | { outsideScope: true };

/**
 * Puts the party into the words and members of each of `errors` (refusals or warnings) that is about one: `holder`,
 * or `addressee` for a unit shipped to someone else.
 */
export async function nameHolders(
  sql: Sql,
  tx: Tx,
  actor: Actor,
  errors: FieldError[],
  partyOf: (epc: string, role: PartyRole) => number | null,
): Promise<void> {
  const held = errors.flatMap((e) => {
    const words = HELD_ELSEWHERE[e.code];
    const holder = words ? partyOf(String(e.params?.value), words.party) : null;
    return words && holder !== null ? [{ e, words, holder }] : [];
  });
  if (!held.length) return;
  const ids = [...new Set(held.map((h) => h.holder))];
  const rows = await tx<{ id: number; code: string; name: string; visible: boolean }[]>`
    select p.id::int, p.code, p.name, (${partyScope(sql, actor)}) as visible
    from parties p where p.tenant_id = ${actor.tenantId} and p.id = any(${ids}::bigint[])`;
  const parties = new Map(rows.map((r) => [r.id, r]));
  for (const { e, words, holder } of held) {
    const p = parties.get(holder);
    if (p?.visible) {
      e.message = words.named;
      e.params = { ...e.params, holderName: p.name, holderCode: p.code };
      e.members = { [words.party]: { code: p.code, name: p.name } satisfies HolderMember };
    } else {
      e.message = words.unnamed;
      e.members = { [words.party]: { outsideScope: true } satisfies HolderMember };
    }
  }
}
