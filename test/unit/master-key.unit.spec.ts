import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../src/modules/codes/keystore.ts';

const run = promisify(execFile);
const keystore = path.resolve('src/modules/codes/keystore.ts');

describe('the master key file of the embedded set-up', () => {
  it('is created once, mode 0600, and read back the same', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-key-'));
    try {
      const key = loadMasterKey(dir, {});
      expect(key).toHaveLength(32);
      expect(fs.statSync(path.join(dir, 'master.key')).mode & 0o777).toBe(0o600);
      expect(loadMasterKey(dir, {}).equals(key)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['master.key']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives processes that start at the same moment one and the same key, never a half-written file', async () => {
    // six processes race through the same 300 fresh directories: a process that finds the file already there reads
    // it at once, which is when a file created in place could still be empty
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tl-key-'));
    const rounds = 300;
    try {
      const script = `import(${JSON.stringify(`file://${keystore}`)}).then((m) => {
        const keys = [];
        for (let k = 0; k < ${rounds}; k++) {
          try { keys.push(m.loadMasterKey(${JSON.stringify(base)} + '/' + k, {}).toString('hex')); }
          catch (e) { keys.push('error: ' + e.message); }
        }
        process.stdout.write(JSON.stringify(keys));
      })`;
      const outputs = await Promise.all(
        Array.from({ length: 6 }, () =>
          run(process.execPath, ['--import', 'tsx', '-e', script], { maxBuffer: 1 << 24 }).then((r) => JSON.parse(r.stdout) as string[]),
        ),
      );
      for (let k = 0; k < rounds; k++) {
        const seen = new Set(outputs.map((o) => o[k]));
        expect([...seen], `directory ${k}`).toHaveLength(1);
        expect([...seen][0], `directory ${k}`).toMatch(/^[0-9a-f]{64}$/);
        expect(fs.readdirSync(path.join(base, String(k)))).toEqual(['master.key']);
      }
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }, 60_000);
});
