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
export { type LabelSheetLayout, type LabelSheetOptions, labelSheetCapacity, labelSheetSvg } from './label-sheet.ts';
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
  serialsFor,
  VERIFICATION_DIGITS,
} from './serials.ts';
export { checkVerificationCode, verificationCodeFor } from './verification.ts';
