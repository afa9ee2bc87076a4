import i18n from './i18n/index.ts';

/** One entry of an RFC 9457 problem's `errors`: either a field error or an import row error. */
export interface ProblemError {
  pointer?: string;
  code?: string;
  detail?: string;
  row?: number;
  column?: string;
  reason?: string;
  /** the code a refusal is about, as the API names codes (e.g. channel.no_ticket): for the page's own words */
  epc?: string;
  /** a "one more" code redeemed before: by which store, when (channel.ticket_redeemed) */
  store?: string;
  redeemedAt?: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  errors?: ProblemError[];
  reportUrl?: string;
  errorCount?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

let unauthorizedHandler: (() => void) | null = null;

/** Called when an API call (other than the session probe and login) answers 401. */
export function onUnauthorized(fn: (() => void) | null): void {
  unauthorizedHandler = fn;
}

export function apiLanguage(): 'zh-CN' | 'en' {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  // a path may carry a query of its own (one whose empty values mean something)
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object') return body as Problem;
  } catch {
    // not JSON: fall through
  }
  return { status: res.status, title: res.statusText, detail: text || res.statusText };
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Do not trigger the global 401 handler (session probe, login). */
  quiet401?: boolean;
  /** Extra request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

/** One request to the API: language, CSRF header on writes, JSON body; a non-2xx answer throws its problem. */
async function request(path: string, opts: RequestOptions, accept: string): Promise<Response> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { ...opts.headers, Accept: accept, 'Accept-Language': apiLanguage() };
  if (method !== 'GET') headers['x-throughline-csrf'] = '1';
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(withQuery(`/api/v1${path}`, opts.query), {
    method,
    headers,
    body,
    credentials: 'same-origin',
    signal: opts.signal,
  });
  if (!res.ok) {
    const problem = await readProblem(res);
    if (res.status === 401 && !opts.quiet401) unauthorizedHandler?.();
    throw new ApiError(res.status, problem);
  }
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await request(path, opts, 'application/json');
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('json')) return (await res.text()) as T;
  return (await res.json()) as T;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** POST a raw file with XMLHttpRequest so upload progress can be shown. */
export function uploadFile<T>(
  path: string,
  file: File,
  contentType: string,
  onProgress: (p: UploadProgress) => void,
  headers: Record<string, string> = {},
): { promise: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<T>((resolve, reject) => {
    xhr.open('POST', `/api/v1${path}`);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', apiLanguage());
    xhr.setRequestHeader('x-throughline-csrf', '1');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body as T);
        return;
      }
      if (xhr.status === 401) unauthorizedHandler?.();
      const problem: Problem = body && typeof body === 'object' ? (body as Problem) : { status: xhr.status, detail: xhr.statusText };
      reject(new ApiError(xhr.status, problem));
    };
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'Network error' }));
    xhr.onabort = () => reject(new ApiError(0, { title: 'Aborted', detail: 'Aborted' }));
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

const RETRY_STATUS = new Set([0, 408, 425, 429]);

/**
 * Whether an HTTP status means "try again later" (no answer, a timeout, too many requests, a server fault) rather
 * than "what was asked is wrong": the scanning page's queue keeps such a scan for later, a page offers a retry.
 */
export function isRetryStatus(status: number): boolean {
  return status >= 500 || RETRY_STATUS.has(status);
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.problem.detail ?? e.problem.title ?? e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export interface DownloadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** Content-Length, when the server sent one. */
  total: number | null;
}

/** Where a streamed download's bytes go instead of memory (e.g. a file the user picked). */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export interface Downloaded {
  fileName: string | null;
  bytes: number;
  /** The file, unless a sink took the bytes. */
  blob: Blob | null;
}

/** `filename*=UTF-8''…` or `filename="…"` of a Content-Disposition header. */
export function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // malformed: try the plain parameter
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/.exec(disposition);
  const name = plain?.[1] ?? plain?.[2]?.trim();
  if (!name) return null;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * Fetches a file and reads its body as a stream, counting the bytes as they arrive (a file generated on the fly
 * can take minutes). The bytes go to `sink` when given, else they are collected into a Blob.
 */
export async function downloadStream(
  path: string,
  opts: RequestOptions & { onProgress?: (p: DownloadProgress) => void; sink?: ByteSink },
): Promise<Downloaded> {
  const res = await request(path, opts, '*/*');
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  const fileName = fileNameOf(res.headers.get('content-disposition'));
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let loaded = 0;
  opts.onProgress?.({ loaded, total });
  if (!res.body) {
    const blob = await res.blob();
    opts.onProgress?.({ loaded: blob.size, total });
    return { fileName, bytes: blob.size, blob };
  }
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.byteLength;
      if (opts.sink) await opts.sink.write(value);
      else chunks.push(value);
      opts.onProgress?.({ loaded, total });
    }
  } catch (e) {
    await opts.sink?.abort().catch(() => undefined);
    throw e;
  }
  if (opts.sink) {
    await opts.sink.close();
    return { fileName, bytes: loaded, blob: null };
  }
  return { fileName, bytes: loaded, blob: new Blob(chunks, { type: res.headers.get('content-type') ?? 'application/octet-stream' }) };
}

/** Hands a Blob to the browser as a download. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A problem's field errors for a form's fields (`/body/gtin` and `/gtin` both name `gtin`), as antd's
 * `form.setFields` takes them. Errors naming no known field are left out (the problem's detail shows them).
 */
export function formFieldErrors<F extends string>(e: unknown, fields: readonly F[]): { name: F; errors: string[] }[] {
  if (!(e instanceof ApiError)) return [];
  const byField = new Map<F, string[]>();
  for (const err of e.problem.errors ?? []) {
    const name = err.pointer?.split('/').pop() as F | undefined;
    if (!name || !fields.includes(name)) continue;
    byField.set(name, [...(byField.get(name) ?? []), err.detail ?? err.code ?? '']);
  }
  return [...byField.entries()].map(([name, errors]) => ({ name, errors }));
}
