/**
 * A forgery of a real serial: its last character changed, to A, or to B when it already ends in A. Serials are random
 * per run, so a fixed replacement is the real serial once in every few dozen runs (seen in CI with X), and the
 * "forgery" is then accepted.
 */
export function forgedSerial(serial: string): string {
  return `${serial.slice(0, -1)}${serial.endsWith('A') ? 'B' : 'A'}`;
}
