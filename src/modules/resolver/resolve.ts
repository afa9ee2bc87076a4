/**
 * What the resolver knows about a scanned `/01/{gtin}/21/{serial}`: whose code it is (the brand is found by the
 * GTIN, and the serial must decode under that brand's keys to an issued batch), and the unit's facts: product, lot
 * and production date, factory and channel path, state and any active recall of its lot.
 */
import type { Db } from '../../context.ts';
import { parseGtin } from '../../platform/gs1.ts';
import { issuedCodes } from '../codes/batches.ts';
import type { Keystore } from '../codes/keystore.ts';
import { canonicalSerial, decodeSerial, SERIAL_LENGTH, serialKeyVersion } from '../codes/serials.ts';

export interface Place {
  kind: string;
  name: string;
  /** the division code of its city, named in the reader's language when the page is drawn */
  cityCode: string | null;
}

export interface CodeFacts {
  tenantId: number;
  epc: string;
  gtin: string;
  serial: string;
  productNameZh: string;
  productNameEn: string;
  spec: string | null;
  lot: string | null;
  productionDate: string | null;
  expiryDate: string | null;
  status: string;
  /** where it came from: the factory, then the channel parties that held it */
  path: Place[];
  recall: { reason: string; since: Date } | null;
}

export type Resolution =
  | { kind: 'invalid' }
  | { kind: 'unknown'; tenantId: number | null; gtin: string; serial: string; epc: string }
  | { kind: 'known'; facts: CodeFacts };

export type Identified =
  | { kind: 'invalid' }
  | { kind: 'unknown'; tenantId: number | null; gtin: string; serial: string; epc: string }
  /** `keyVersion`: the key the serial decoded under (its hidden code is checked under the same one) */
  | { kind: 'decoded'; tenantId: number; gtin: string; serial: string; epc: string; keyVersion: number };

/** Codes no longer in circulation: a scan of one is answered like a code never issued. */
export const OUT_OF_CIRCULATION = new Set(['destroyed', 'decommissioned']);
const TENANTS_TTL_MS = 60_000;

export class CodeResolver {
  private readonly tenantsByGtin = new Map<string, { ids: number[]; at: number }>();

  constructor(
    private readonly sql: Db,
    private readonly keystore: Keystore,
  ) {}

  /** The brands that hold this GTIN (one, in practice: a GTIN belongs to one company prefix). Cached a minute. */
  private async tenantsOf(gtin: string): Promise<number[]> {
    const hit = this.tenantsByGtin.get(gtin);
    if (hit && Date.now() - hit.at < TENANTS_TTL_MS) return hit.ids;
    const rows = await this.sql<{ tenant_id: number }[]>`select distinct tenant_id from packaging_levels where gtin = ${gtin}`;
    const ids = rows.map((r) => Number(r.tenant_id));
    if (this.tenantsByGtin.size > 50_000) this.tenantsByGtin.clear();
    this.tenantsByGtin.set(gtin, { ids, at: Date.now() });
    return ids;
  }

  async resolve(gtinInput: string, serialInput: string): Promise<Resolution> {
    const id = await this.identify(gtinInput, serialInput);
    if (id.kind !== 'decoded') return id;
    const facts = await this.factsOf(id.tenantId, id.gtin, id.serial, id.epc);
    if (facts && !OUT_OF_CIRCULATION.has(facts.status)) return { kind: 'known', facts };
    return { kind: 'unknown', tenantId: id.tenantId, gtin: id.gtin, serial: id.serial, epc: id.epc };
  }

  /**
   * Whose code this is, without reading the code's row: the brand by the GTIN (cached), and the serial decoded under
   * the brand's keys (cached). A decoded code may still be one never put on a product (its row says so).
   */
  async identify(gtinInput: string, serialInput: string): Promise<Identified> {
    const g = parseGtin(gtinInput);
    if (!g.ok || serialInput.length === 0 || serialInput.length > 20) return { kind: 'invalid' };
    const gtin = g.value;
    const serial = serialInput.length === SERIAL_LENGTH ? canonicalSerial(serialInput) : serialInput;
    const epc = `https://id.gs1.org/01/${gtin}/21/${encodeURIComponent(serial)}`;
    const tenants = await this.tenantsOf(gtin);
    if (serial.length === SERIAL_LENGTH) {
      for (const tenantId of tenants) {
        const keyVersion = await this.decodes(tenantId, gtin, serial);
        if (keyVersion !== null) return { kind: 'decoded', tenantId, gtin, serial, epc, keyVersion };
      }
    }
    return { kind: 'unknown', tenantId: tenants.length === 1 ? (tenants[0] ?? null) : null, gtin, serial, epc };
  }

  /**
   * The key version under which the serial is one of this brand's for this GTIN, or null: decoded under its keys (no query: the keyring is
   * cached). Whether it was issued in a batch and put on a product is then the code_state row the facts come from.
   * A serial of a key version this node has not loaded yet (rotated on another node) is checked the long way.
   */
  private async decodes(tenantId: number, gtin: string, serial: string): Promise<number | null> {
    const keys = await this.keystore.keyring(this.sql, tenantId);
    const decoded = decodeSerial(keys, gtin, serial);
    if (decoded) return decoded.keyVersion;
    const version = serialKeyVersion(serial);
    if (version === null || keys.keys.some((k) => k.version === version)) return null;
    const [issued] = await issuedCodes(this.sql, this.keystore, tenantId, gtin, [serial]);
    return issued?.decoded ? version : null;
  }

  /** The unit's facts in one query, or null when the code was issued but never commissioned (not on a product). */
  private async factsOf(tenantId: number, gtin: string, serial: string, epc: string): Promise<CodeFacts | null> {
    const [r] = await this.sql<
      {
        status: string;
        lot: string | null;
        name_zh: string;
        name_en: string;
        spec: string | null;
        production_date: string | null;
        expiry_date: string | null;
        factory_name: string | null;
        factory_city: string | null;
        channel_kind: string | null;
        channel_name: string | null;
        channel_city: string | null;
        holder_kind: string | null;
        holder_name: string | null;
        holder_city: string | null;
        recall_reason: string | null;
        recall_since: Date | null;
      }[]
    >`
      select c.status, c.lot, p.name_zh, p.name_en, p.spec,
        l.production_date::text as production_date, l.expiry_date::text as expiry_date,
        f.name as factory_name, f.city_code as factory_city,
        ch.kind as channel_kind, ch.name as channel_name, ch.city_code as channel_city,
        h.kind as holder_kind, h.name as holder_name, h.city_code as holder_city,
        rc.reason as recall_reason, rc.created_at as recall_since
      from code_state c
      join packaging_levels pl on pl.tenant_id = c.tenant_id and pl.gtin = c.gtin
      join products p on p.tenant_id = pl.tenant_id and p.id = pl.product_id
      left join lots l on l.tenant_id = p.tenant_id and l.product_id = p.id and l.lot_code = c.lot
      left join parties f on f.tenant_id = l.tenant_id and f.id = l.factory_id
      left join parties ch on ch.tenant_id = c.tenant_id and ch.id = c.channel_party_id
      left join parties h on h.tenant_id = c.tenant_id and h.id = c.holder_party_id
      left join recalls rc on rc.tenant_id = c.tenant_id and rc.gtin = c.gtin and rc.lot = c.lot and rc.active
      where c.tenant_id = ${tenantId} and c.epc = ${epc}`;
    if (!r) return null;
    const path: Place[] = [];
    const add = (kind: string | null, name: string | null, city: string | null) => {
      if (kind && name && !path.some((p) => p.name === name)) path.push({ kind, name, cityCode: city });
    };
    add(r.factory_name ? 'factory' : null, r.factory_name, r.factory_city);
    add(r.channel_kind, r.channel_name, r.channel_city);
    // the current holder only once it left the brand's own sites (a unit still at the factory has no channel yet)
    if (r.holder_kind === 'distributor' || r.holder_kind === 'store') add(r.holder_kind, r.holder_name, r.holder_city);
    return {
      tenantId,
      epc,
      gtin,
      serial,
      productNameZh: r.name_zh,
      productNameEn: r.name_en,
      spec: r.spec,
      lot: r.lot,
      productionDate: r.production_date,
      expiryDate: r.expiry_date,
      status: r.status,
      path,
      recall: r.recall_reason ? { reason: r.recall_reason, since: r.recall_since as Date } : null,
    };
  }
}
