import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../context.ts';

/**
 * China's administrative divisions (NBS codes, 2023-06-30), shipped in data/china-divisions
 * (modood/Administrative-divisions-of-China, WTFPL). Loaded into the `divisions` reference table once,
 * and held in memory for validation and names.
 */
export interface Division {
  code: string;
  name: string;
  level: 1 | 2 | 3;
  parentCode: string | null;
  provinceCode: string;
  cityCode: string | null;
}

interface PcaNode {
  code: string;
  name: string;
  children?: PcaNode[];
}

const DATA_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../data/china-divisions/pca-code.json');

let cached: Map<string, Division> | undefined;

export function allDivisions(): Map<string, Division> {
  if (cached) return cached;
  const tree = JSON.parse(fs.readFileSync(DATA_FILE, 'utf8')) as PcaNode[];
  const out = new Map<string, Division>();
  for (const p of tree) {
    out.set(p.code, { code: p.code, name: p.name, level: 1, parentCode: null, provinceCode: p.code, cityCode: null });
    for (const c of p.children ?? []) {
      out.set(c.code, { code: c.code, name: c.name, level: 2, parentCode: p.code, provinceCode: p.code, cityCode: c.code });
      for (const d of c.children ?? []) {
        out.set(d.code, { code: d.code, name: d.name, level: 3, parentCode: c.code, provinceCode: p.code, cityCode: c.code });
      }
    }
  }
  cached = out;
  return out;
}

export function divisionName(code: string | null | undefined): string | null {
  return code ? (allDivisions().get(code)?.name ?? null) : null;
}

/** Inserts the divisions the database does not have yet (idempotent; run at start-up). */
export async function loadDivisions(sql: Db): Promise<number> {
  const [c] = await sql<{ n: number }[]>`select count(*)::int as n from divisions`;
  const all = [...allDivisions().values()];
  if ((c?.n ?? 0) >= all.length) return 0;
  const byLevel = [1, 2, 3].map((l) => all.filter((d) => d.level === l));
  for (const rows of byLevel) {
    await sql`insert into divisions (code, name, level, parent_code, province_code, city_code)
      select * from unnest(${rows.map((d) => d.code)}::text[], ${rows.map((d) => d.name)}::text[],
        ${rows.map((d) => d.level)}::smallint[], ${rows.map((d) => d.parentCode) as string[]}::text[],
        ${rows.map((d) => d.provinceCode)}::text[], ${rows.map((d) => d.cityCode) as string[]}::text[])
      on conflict (code) do nothing`;
  }
  return all.length;
}

const children = new Map<string | null, Division[]>();

export function childDivisions(parentCode: string | null): Division[] {
  if (!children.size) {
    for (const d of allDivisions().values()) children.set(d.parentCode, [...(children.get(d.parentCode) ?? []), d]);
  }
  return children.get(parentCode) ?? [];
}
