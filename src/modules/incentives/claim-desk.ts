/**
 * Where a claim goes after the HTTP layer has read it: its code identified (the brand by the GTIN, the serial decoded
 * under the brand's cached keys), the hidden verification code checked in the process, the device and address
 * hashed, and then the claim decided with the others of the moment (claim-batch.ts). Run on the claim thread
 * (claim-worker.ts) this work leaves the HTTP thread: AES and three HMACs a claim were ~8 % of that thread under a
 * rush, and the HTTP thread is the one that saturates first.
 */
import type { Sql } from '../../db/connection.ts';
import { checkDecodedVerificationCode } from '../codes/index.ts';
import type { Keystore } from '../codes/keystore.ts';
import { identifierHasher } from '../consumers/index.ts';
import { CodeResolver } from '../resolver/resolve.ts';
import { addressHasher } from '../resolver/scans.ts';
import type { ClaimAnswer, ClaimProcessor, VerifiedClaim } from './claim-batch.ts';

/** A claim as the consumer asked it, before any check. */
export interface ClaimRequest {
  gtin: string;
  serial: string;
  /** the hidden verification code the consumer typed */
  code: string;
  /** the device cookie */
  deviceId: string;
  /** the caller's address (hashed here, never kept) */
  ip: string;
  lat?: number | null;
  lng?: number | null;
}

/** The batch's answers, and a hidden code that does not match (the HTTP layer counts it under the throttle and refuses). */
export type DeskAnswer = ClaimAnswer | { kind: 'wrong_code' };

export interface ClaimDesk {
  claim(request: ClaimRequest): Promise<DeskAnswer>;
}

export class ClaimVerifier implements ClaimDesk {
  private readonly resolver: CodeResolver;
  private readonly hashAddress: (ip: string) => Buffer;
  private readonly hashIdentifier: (kind: 'device', value: string) => Buffer;

  constructor(
    private readonly sql: Sql,
    private readonly keystore: Keystore,
    masterKey: Buffer,
    private readonly processor: Pick<ClaimProcessor, 'claim'>,
    /** the caller's own, when it has one (its cache of brands by GTIN is then shared) */
    resolver: CodeResolver = new CodeResolver(sql, keystore),
  ) {
    this.resolver = resolver;
    this.hashAddress = addressHasher(masterKey);
    this.hashIdentifier = identifierHasher(masterKey);
  }

  claim(request: ClaimRequest): Promise<DeskAnswer> {
    return this.claimAll([request])[0] as Promise<DeskAnswer>;
  }

  /**
   * Claims that arrived together (one message from the HTTP thread): all are checked first, then those that pass
   * are handed to the processor in one go, so they go into one batch.
   */
  claimAll(requests: readonly ClaimRequest[]): Promise<DeskAnswer>[] {
    const answers = Promise.allSettled(requests.map((r) => this.verify(r))).then((checked) =>
      checked.map((c): Promise<DeskAnswer> => {
        if (c.status === 'rejected') return Promise.reject(c.reason);
        return 'tenantId' in c.value ? this.processor.claim(c.value) : Promise.resolve(c.value);
      }),
    );
    return requests.map((_, i) => answers.then((all) => all[i] as Promise<DeskAnswer>));
  }

  private async verify(r: ClaimRequest): Promise<VerifiedClaim | { kind: 'unknown' } | { kind: 'wrong_code' }> {
    // whose code it is, without a query (cached brand and keys)
    const id = await this.resolver.identify(r.gtin, r.serial);
    if (id.kind !== 'decoded') return { kind: 'unknown' };
    // a key version this thread had not cached was looked up afresh by identify (and is in the cache now)
    const keys = await this.keystore.keyring(this.sql, id.tenantId);
    if (!checkDecodedVerificationCode(keys, id.keyVersion, id.gtin, id.serial, r.code)) return { kind: 'wrong_code' };
    const ipHash = this.hashAddress(r.ip);
    return {
      tenantId: id.tenantId,
      epc: id.epc,
      gtin: id.gtin,
      deviceId: r.deviceId,
      deviceHash: this.hashIdentifier('device', r.deviceId),
      ipHash,
      subjects: { code: id.epc, device: r.deviceId, address: ipHash.toString('hex') },
      lat: r.lat ?? null,
      lng: r.lng ?? null,
    };
  }
}
