import { loadConfig } from '../../src/config.ts';
import { Keystore, loadMasterKey } from '../../src/modules/codes/keystore.ts';
/**
 * A forgery of a real serial: its last character changed, to A, or to B when it already ends in A. Serials are random
 * per run, so a fixed replacement is the real serial once in every few dozen runs (seen in CI with X), and the
 * "forgery" is then accepted.
 */
export function forgedSerial(serial: string): string {
  return `${serial.slice(0, -1)}${serial.endsWith('A') ? 'B' : 'A'}`;
}

/** The master key the test servers use (the app's default, .data/master.key), for what is hashed outside a server. */
export function testMasterKey(): Buffer {
  return loadMasterKey(loadConfig().dataDir);
}

/** The keystore the test servers use (the app's default master key, .data/master.key), for code made outside a server. */
export function testKeystore(): Keystore {
  return new Keystore(testMasterKey());
}
