import type { Sql, Tx } from '../../db/connection.ts';
import { type CopyStream, openCopy, reserveIds } from '../../db/copy.ts';
import type { FieldError } from '../../http/problem.ts';
import type { ValidParty } from './party-rules.ts';
import { PARTY_COLUMNS, partyRow, supplyProblem, type Upstream } from './party-writes.ts';

const ID_CHUNK = 8192;

/**
 * Writes a long stream of checked parties (an import of 100,000 stores) while it is still being read:
 * each party whose supplier is known (in the database, or earlier in the file) is COPYed at once, so
 * PostgreSQL maintains its indexes on one core while the file is parsed and checked on the other.
 * A party whose supplier comes later in the file waits until that supplier has been written.
 *
 * Codes and GLNs already in the database are left to the unique indexes: a conflict makes `finish`
 * reject with PostgreSQL's unique violation, and the caller re-runs the batch path for a row-by-row report.
 */
export class PartyStreamWriter {
  private readonly known = new Map<string, Upstream>();
  private readonly codes = new Set<string>();
  private readonly glns = new Set<string>();
  /** supplier code -> parties in this batch waiting for it */
  private readonly waiting = new Map<string, { party: ValidParty; index: number }[]>();
  private readonly failedCodes = new Set<string>();
  private readonly territories: [number, number, string][] = [];
  private ids: number[] = [];
  private nextId = 0;
  private failed = false;
  private count = 0;

  private constructor(
    private readonly tx: Tx,
    private readonly sql: Sql,
    private readonly tenantId: number,
    private readonly copy: CopyStream,
    private readonly pointer: (index: number, field: string) => string,
  ) {}

  static async open(tx: Tx, sql: Sql, tenantId: number, pointer: (index: number, field: string) => string): Promise<PartyStreamWriter> {
    // every party that can supply another (stores never do): a few thousand rows at most
    const suppliers = await tx<{ code: string; id: number; kind: Upstream['kind']; tier: number | null; ancestors: number[] }[]>`
      select code, id, kind, tier, ancestors from parties where tenant_id = ${tenantId} and kind <> 'store'`;
    const copy = await openCopy(tx, 'parties', PARTY_COLUMNS);
    const writer = new PartyStreamWriter(tx, sql, tenantId, copy, pointer);
    for (const s of suppliers)
      writer.known.set(s.code, { id: Number(s.id), kind: s.kind, tier: s.tier, ancestors: s.ancestors.map(Number) });
    return writer;
  }

  /** Takes one checked party; returns the problems found with it (duplicates in the file, wrong supplier). */
  async add(party: ValidParty, index: number): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    if (this.codes.has(party.code)) {
      errors.push({ pointer: this.pointer(index, 'code'), code: 'import.duplicate', params: { field: 'code', value: party.code } });
    }
    this.codes.add(party.code);
    if (party.gln) {
      if (this.glns.has(party.gln))
        errors.push({ pointer: this.pointer(index, 'gln'), code: 'import.duplicate', params: { field: 'gln', value: party.gln } });
      this.glns.add(party.gln);
    }
    if (errors.length) {
      this.fail(party.code);
      return errors;
    }
    if (party.parentCode && !this.known.has(party.parentCode)) {
      if (this.failedCodes.has(party.parentCode)) this.fail(party.code);
      else this.waiting.set(party.parentCode, [...(this.waiting.get(party.parentCode) ?? []), { party, index }]);
      return errors;
    }
    await this.place(party, index, errors);
    return errors;
  }

  /** Ends the stream: parties still waiting for a supplier are errors; otherwise the rows are made durable in the transaction. */
  async finish(): Promise<{ errors: FieldError[]; count: number }> {
    const errors: FieldError[] = [];
    // suppliers never seen: stores in the database (which supply no one) or codes that do not exist
    const outside = [...this.waiting.keys()].filter((c) => !this.codes.has(c));
    const stores = new Map<string, Upstream>();
    if (outside.length) {
      const rows = await this.sql<{ code: string; id: number; kind: Upstream['kind']; tier: number | null }[]>`
        select code, id, kind, tier from parties where tenant_id = ${this.tenantId} and code = any(${outside}::text[])`;
      for (const r of rows) stores.set(r.code, { id: Number(r.id), kind: r.kind, tier: r.tier, ancestors: [] });
    }
    for (const [supplier, parties] of this.waiting) {
      for (const { party, index } of parties) {
        const at = this.pointer(index, 'parentCode');
        const found = stores.get(supplier);
        if (found)
          errors.push(
            supplyProblem(party, found, at) ?? { pointer: at, code: 'import.reference', params: { field: 'parentCode', value: supplier } },
          );
        else if (this.codes.has(supplier))
          errors.push({ pointer: at, code: 'field.invalid', params: { field: 'parentCode', reason: 'cycle' } });
        else errors.push({ pointer: at, code: 'import.reference', params: { field: 'parentCode', value: supplier } });
      }
    }
    if (errors.length || this.failed) {
      this.abort();
      return { errors, count: 0 };
    }
    await this.copy.end();
    if (this.territories.length) {
      const territories = await openCopy(this.tx, 'party_territories', ['tenant_id', 'party_id', 'division_code']);
      for (const t of this.territories) await territories.write(t);
      await territories.end();
    }
    return { errors, count: this.count };
  }

  abort(): void {
    this.copy.abort('import abandoned');
  }

  /** Writes a party whose supplier is known, then every party that was waiting for it. */
  private async place(first: ValidParty, firstIndex: number, errors: FieldError[]): Promise<void> {
    const stack = [{ party: first, index: firstIndex }];
    while (stack.length) {
      const { party, index } = stack.pop() as { party: ValidParty; index: number };
      const supplier = party.parentCode ? this.known.get(party.parentCode) : undefined;
      const problem = supplyProblem(party, supplier, this.pointer(index, 'parentCode'));
      if (problem) {
        errors.push(problem);
        this.fail(party.code);
        continue;
      }
      // ids come from the sequence over another connection: this one is busy with the COPY
      if (this.nextId === this.ids.length) {
        this.ids = await reserveIds(this.sql, 'parties', ID_CHUNK);
        this.nextId = 0;
      }
      const up: Upstream = {
        id: this.ids[this.nextId++] as number,
        kind: party.kind,
        tier: party.tier,
        ancestors: supplier ? [...supplier.ancestors, supplier.id] : [],
      };
      this.known.set(party.code, up);
      this.count++;
      for (const t of party.territories) this.territories.push([this.tenantId, up.id, t]);
      if (!this.failed) await this.copy.write(partyRow(this.tenantId, party, up));
      const children = this.waiting.get(party.code);
      if (children) {
        this.waiting.delete(party.code);
        stack.push(...children);
      }
    }
  }

  /** After the first problem nothing more is sent: the transaction will roll back; checking goes on for the report. */
  private fail(code: string): void {
    this.failedCodes.add(code);
    const children = this.waiting.get(code);
    if (children) {
      this.waiting.delete(code);
      for (const c of children) this.fail(c.party.code);
    }
    if (!this.failed) {
      this.failed = true;
      this.abort();
    }
  }
}
