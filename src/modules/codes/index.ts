/**
 * Codes: serials, hidden verification codes, print files and label sheets, as pure functions (no tables, no routes).
 *
 * What to store:
 * - per tenant: `exportKeyring(keys)` (JSON with the 16-byte keys in base64), encrypted at rest; parse it once with
 *   `importKeyring` and keep the object (derived per-GTIN ciphers are cached on it). `rotateTenantKeys` adds a version
 *   for new batches; never drop a version whose codes are in circulation. At most 32 versions (0..31).
 * - per batch: tenant, GTIN-14, key_version (the keyring's `current` when the batch is made), batch_no (0..2^20-1,
 *   unique per GTIN and key version; a sequence per GTIN is simplest), count (<= 2^30), created_at. Nothing per code.
 * - resolving `/01/{gtin}/21/{serial}`: `decodeSerial(keys, gtin, serial)` -> { keyVersion, batchNo, index } or null,
 *   then look up the batch by (gtin, keyVersion, batchNo) and require index < count. Store used or scanned codes under
 *   the canonical `serial` it returns. `checkVerificationCode` before any reward; rate-limit it (8 digits).
 */
export {
  type CodeKey,
  type CodeKeyring,
  exportKeyring,
  generateTenantKeys,
  importKeyring,
  keyFor,
  MAX_KEY_VERSION,
  rotateTenantKeys,
} from './keys.ts';
export { type LabelSheetLayout, type LabelSheetOptions, labelSheetCapacity, labelSheetSvg, layoutSheet } from './label-sheet.ts';
export { type LabelSheetPdfOptions, labelSheetPdf } from './label-sheet-pdf.ts';
export { generatePrintFile, type PrintFileOptions, printFileContentSize, printFileWebStream } from './print-file.ts';
export { PRINT_FILE_HEADER } from './print-lines.ts';
export {
  type BatchRef,
  canonicalSerial,
  codesFor,
  type DecodedSerial,
  decodeSerial,
  decodeSerials,
  encodeSerial,
  MAX_BATCH_NO,
  MAX_BATCH_SIZE,
  REDUNDANCY_BITS,
  SERIAL_ALPHABET,
  SERIAL_LENGTH,
  serialKeyVersion,
  serialsFor,
  VERIFICATION_DIGITS,
} from './serials.ts';
export { checkDecodedVerificationCode, checkVerificationCode, verificationCodeFor } from './verification.ts';
