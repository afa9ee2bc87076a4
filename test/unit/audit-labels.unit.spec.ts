import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditActionLabel, auditObjectLabel } from '../../web/src/pages/audit-labels.ts';

/** The audit log reads in the viewer's language: every action and object the server records has a label. */
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
const recording = files('src')
  .map((f) => readFileSync(f, 'utf8'))
  .filter((text) => text.includes('appendAudit('));
const literals = (key: string) =>
  [...new Set(recording.flatMap((text) => [...text.matchAll(new RegExp(`${key}: '([a-z_.]+)'`, 'g'))].map((m) => m[1] as string)))].sort();

describe('audit labels', () => {
  it('name every action the server records, in both languages', () => {
    const actions = literals('action');
    expect(actions.length).toBeGreaterThan(40);
    expect(actions.filter((a) => auditActionLabel(a, false) === a || auditActionLabel(a, true) === a)).toEqual([]);
  });

  it('name every kind of object, with its id', () => {
    expect(literals('entityType').filter((t) => auditObjectLabel(t, null, false) === t)).toEqual([]);
    expect(auditObjectLabel('user', 8, false)).toBe('用户 #8');
    expect(auditObjectLabel('tenant', 1, true)).toBe('Brand #1');
  });

  it('show an action they do not know as its code', () => {
    expect(auditActionLabel('something.new', false)).toBe('something.new');
  });
});
