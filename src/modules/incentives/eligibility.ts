/**
 * Whether a claim may take part in a campaign (pure). The region is that of the party the code was last shipped to
 * (its distributor, else the store or site holding it), known from the brand's own shipping scans; a region the
 * phone sends is the client's say-so and could be set to any value, so it never decides a reward.
 */

export interface EligibilityRules {
  startsAt: Date;
  endsAt: Date;
  gtins: string[] | null;
  regions: string[] | null;
  firstScanOnly: boolean;
  newMembersOnly: boolean;
}

export interface ClaimFacts {
  now: Date;
  gtin: string;
  /** division code of the party the code was shipped to (district, else city, else province), or null */
  regionCode: string | null;
  /** whether the claiming device made the code's first consumer scan (or the code was never scanned before) */
  firstScan: boolean;
  consumerCreatedAt: Date;
}

export type Ineligibility = 'time' | 'sku' | 'region' | 'first_scan' | 'new_member';

/** The first rule the claim fails, or null when it is eligible. */
export function ineligibility(rules: EligibilityRules, f: ClaimFacts): Ineligibility | null {
  if (f.now < rules.startsAt || f.now >= rules.endsAt) return 'time';
  if (rules.gtins?.length && !rules.gtins.includes(f.gtin)) return 'sku';
  if (rules.regions?.length) {
    const region = f.regionCode;
    if (!region || !rules.regions.some((prefix) => region.startsWith(prefix))) return 'region';
  }
  if (rules.firstScanOnly && !f.firstScan) return 'first_scan';
  if (rules.newMembersOnly && f.consumerCreatedAt < rules.startsAt) return 'new_member';
  return null;
}
