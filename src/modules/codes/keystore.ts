/**
 * Where each tenant's code keyring lives: in the database, encrypted with the server's master key
 * (AES-256-GCM). The master key comes from THROUGHLINE_MASTER_KEY (base64, 32 bytes) or, for the embedded
 * set-up, from `<data dir>/master.key`, created on first use with mode 0600. Back it up apart from the
 * database: without it no printed code can be verified.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../context.ts';
import { type CodeKeyring, exportKeyring, generateTenantKeys, importKeyring, rotateTenantKeys } from './keys.ts';

/**
 * Creates the key file whole or not at all: written under another name, then linked to its own (which fails if it
 * exists). Created in place, a process starting at the same moment (two test workers, two servers on one data
 * directory) could read it empty between its creation and its write, and refuse to start.
 */
function createKeyFile(file: string): void {
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  fs.writeFileSync(draft, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  try {
    fs.linkSync(draft, file);
  } catch (e) {
    // EEXIST: another process made it first, and that one is the key
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.THROUGHLINE_MASTER_KEY) {
    const key = Buffer.from(env.THROUGHLINE_MASTER_KEY, 'base64');
    if (key.length !== 32) throw new Error('THROUGHLINE_MASTER_KEY must be 32 bytes in base64');
    return key;
  }
  const file = path.join(dataDir, 'master.key');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) createKeyFile(file);
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte key`);
  return key;
}

function seal(masterKey: Buffer, text: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

function open(masterKey: Buffer, row: { ciphertext: Buffer; iv: Buffer; tag: Buffer }): string {
  const decipher = createDecipheriv('aes-256-gcm', masterKey, row.iv);
  decipher.setAuthTag(row.tag);
  return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
}

/** Keyrings by tenant, decrypted once per process (and again after a rotation on this node or after a minute). */
export class Keystore {
  private readonly cache = new Map<number, { ring: CodeKeyring; at: number }>();

  constructor(private readonly masterKey: Buffer) {}

  /**
   * Creates the keyring of every tenant that has none. The server does this when it starts, so a request never
   * writes one: a request that is then refused must change nothing, and a keyring is setup state.
   */
  async provisionAll(db: Db): Promise<number> {
    const missing = await db<{ id: number }[]>`
      select id from tenants t where not exists (select 1 from code_keyrings k where k.tenant_id = t.id)`;
    for (const { id } of missing) await this.create(db, id);
    return missing.length;
  }

  private async create(db: Db, tenantId: number): Promise<void> {
    const ring = generateTenantKeys();
    const sealed = seal(this.masterKey, exportKeyring(ring));
    await db`insert into code_keyrings (tenant_id, ciphertext, iv, tag, current_version)
      values (${tenantId}, ${sealed.ciphertext}, ${sealed.iv}, ${sealed.tag}, ${ring.current}) on conflict (tenant_id) do nothing`;
  }

  /**
   * The tenant's keyring. Created at server start (provisionAll); a tenant added while the server runs gets its
   * keyring here on first use.
   */
  async keyring(db: Db, tenantId: number, opts: { fresh?: boolean } = {}): Promise<CodeKeyring> {
    const hit = this.cache.get(tenantId);
    if (hit && !opts.fresh && Date.now() - hit.at < 60_000) return hit.ring;
    let [row] = await db<{ ciphertext: Buffer; iv: Buffer; tag: Buffer }[]>`
      select ciphertext, iv, tag from code_keyrings where tenant_id = ${tenantId}`;
    if (!row) {
      await this.create(db, tenantId);
      [row] = await db<{ ciphertext: Buffer; iv: Buffer; tag: Buffer }[]>`
        select ciphertext, iv, tag from code_keyrings where tenant_id = ${tenantId}`;
    }
    if (!row) throw new Error('keyring missing');
    let ring: CodeKeyring;
    try {
      ring = importKeyring(open(this.masterKey, row));
    } catch {
      throw new Error(`the code keyring of tenant ${tenantId} cannot be opened with this server's master key`);
    }
    // a keyring object keeps its derived per-GTIN codecs: reuse the cached one while it is the same ring
    const same = hit && hit.ring.current === ring.current && hit.ring.keys.length === ring.keys.length ? hit.ring : ring;
    this.cache.set(tenantId, { ring: same, at: Date.now() });
    return same;
  }

  /** Adds a key version for new batches; earlier batches keep decoding with theirs. */
  async rotate(db: Db, tenantId: number): Promise<number> {
    const ring = rotateTenantKeys(await this.keyring(db, tenantId));
    const sealed = seal(this.masterKey, exportKeyring(ring));
    await db`update code_keyrings set ciphertext = ${sealed.ciphertext}, iv = ${sealed.iv}, tag = ${sealed.tag},
      current_version = ${ring.current}, updated_at = now() where tenant_id = ${tenantId}`;
    this.cache.set(tenantId, { ring, at: Date.now() });
    return ring.current;
  }
}
