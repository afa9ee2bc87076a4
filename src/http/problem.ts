import { type Locale, message } from './messages.ts';

/** One field-level reason: `pointer` is an RFC 6901 JSON pointer into the request (e.g. /body/gtin, /query/page). */
export interface FieldError {
  pointer: string;
  code: string;
  params?: Record<string, unknown>;
  /** the words' key when they say more than the code does (e.g. who holds a unit); the code stays the contract */
  message?: string;
  /** more members of the problem's error entry, for machines (e.g. `holder`) */
  members?: Record<string, unknown>;
}

/**
 * An expected refusal with a stable `code`, rendered as RFC 9457 problem+json in the caller's language.
 * Domain code throws these; anything else is a 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params: Record<string, unknown> = {},
    readonly fieldErrors: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }

  /** Response headers that go with the refusal (e.g. Retry-After). */
  readonly headers: Record<string, string> = {};

  withHeader(name: string, value: string): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  static invalid(fieldErrors: FieldError[]): AppError {
    return new AppError(400, 'request.invalid', {}, fieldErrors);
  }
  static field(pointer: string, code: string, params: Record<string, unknown> = {}): AppError {
    return new AppError(400, 'request.invalid', {}, [{ pointer, code, params }]);
  }
  static notFound(): AppError {
    return new AppError(404, 'not_found');
  }
  static forbidden(code = 'access.denied', params: Record<string, unknown> = {}): AppError {
    return new AppError(403, code, params);
  }
  static unauthorized(code = 'auth.required'): AppError {
    return new AppError(401, code);
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: { pointer: string; code: string; detail: string; [member: string]: unknown }[];
  [k: string]: unknown;
}

/** A field error's message in `locale` (the field named by the last step of its pointer unless its params name it). */
export function fieldDetail(f: FieldError, locale: Locale): string {
  return message(f.message ?? f.code, locale, { field: f.pointer.split('/').pop(), ...f.params });
}

/** A field error as a problem's error entry: its members, pointer, code and words (its message key stays inside). */
export function fieldEntry(f: FieldError, locale: Locale): { pointer: string; code: string; detail: string; [member: string]: unknown } {
  return { ...f.members, pointer: f.pointer, code: f.code, detail: fieldDetail(f, locale) };
}

export function toProblem(err: AppError, locale: Locale, instance?: string): Problem {
  const errors = err.fieldErrors.map((f) => fieldEntry(f, locale));
  const first = errors[0];
  const detail = err.code === 'request.invalid' && first ? first.detail : message(err.code, locale, err.params);
  return {
    type: `https://throughline.dev/problems/${err.code}`,
    title: message(err.code, locale, err.params),
    status: err.status,
    code: err.code,
    detail,
    ...(instance ? { instance } : {}),
    ...(errors.length ? { errors } : {}),
    ...err.extra,
  };
}
