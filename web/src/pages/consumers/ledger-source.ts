/**
 * What booked a points entry, read from its source key (the consumers module's `points_entries.source`, unique per
 * brand so a retry books nothing twice): the key is for the ledger, the profile shows the words for it.
 * - `campaign:{campaignId}:code:{epc}`: a scan campaign's reward for a unit (incentives/claim.ts)
 * - `mall:{idempotencyKey}`: a points-mall redemption (consumers/mall.ts)
 * - `expire:{consumerId}:{uuid}`: points that expired (consumers/expiry.ts)
 * Any other key (an import, a test, a source added later) is shown as written, so it is never hidden.
 */
export type LedgerSource =
  | { kind: 'campaign'; campaignId: number; epc: string }
  | { kind: 'mall' }
  | { kind: 'expire' }
  | { kind: 'other'; key: string };

export function ledgerSource(source: string): LedgerSource {
  const campaign = /^campaign:(\d+):code:(.+)$/.exec(source);
  if (campaign?.[1] && campaign[2]) return { kind: 'campaign', campaignId: Number(campaign[1]), epc: campaign[2] };
  if (source.startsWith('mall:')) return { kind: 'mall' };
  if (source.startsWith('expire:')) return { kind: 'expire' };
  return { kind: 'other', key: source };
}
