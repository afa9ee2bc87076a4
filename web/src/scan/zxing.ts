/**
 * The camera fallback decoder where the browser has no BarcodeDetector: ZXing-C++ compiled to WebAssembly. The .wasm
 * file is bundled by Vite and served by this app (never fetched from a CDN), so it works offline once cached.
 */
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

export const ZXING_WASM_URL = new URL(wasmUrl, window.location.href).href;

// one overrides object: prepareZXingModule compares overrides shallowly and would instantiate again for a new one
const overrides = {
  locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? ZXING_WASM_URL : prefix + path),
};
prepareZXingModule({ overrides });

/** Decodes QR, Data Matrix and Code 128 symbols in one frame; GS1 element strings come back as `(01)…(21)…`. */
export async function zxingRead(frame: ImageData): Promise<string[]> {
  const results = await readBarcodes(frame, {
    formats: ['QRCode', 'DataMatrix', 'Code128'],
    tryHarder: true,
    maxNumberOfSymbols: 8,
    textMode: 'HRI',
  });
  return results.filter((r) => r.isValid && r.text).map((r) => r.text);
}

/** Loads and compiles the .wasm now (the first frame would otherwise wait for it). */
export async function warmUp(): Promise<void> {
  await prepareZXingModule({ overrides, fireImmediately: true });
}
