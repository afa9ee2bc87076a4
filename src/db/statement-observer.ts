import type net from 'node:net';

/**
 * Times every statement a pool runs by watching the PostgreSQL wire protocol on the pool's own sockets
 * (connection.ts creates them). postgres.js has no hook that fires when a query completes, and wrapping its
 * tagged-template function would break `.cursor()`, `.simple()` and transactions; the protocol has no such
 * gaps: every extended-protocol query ends with Sync and every simple query is one Query message, and the
 * server answers each with exactly one ReadyForQuery, in order. So per connection, a statement's time is from
 * its Sync/Query (or the previous ReadyForQuery, if it was pipelined behind another) to its ReadyForQuery.
 *
 * The text comes from the Parse (or Query) message: postgres.js sends parameters separately, so values are not
 * in it; `normalizeStatement` also blanks any literal written into the text (migrations, `unsafe`).
 * TLS connections are not watched (the bytes are encrypted): they count as open but are not timed.
 * The figure includes the time the reply waited for Node's event loop, i.e. what the application saw.
 */
export interface StatementTiming {
  /** the statement's text, normalized: literals blanked, whitespace collapsed, at most 2,000 characters */
  statement: string;
  ms: number;
}

export interface PoolStats {
  /** connections open or opening (including a LISTEN connection) */
  open: number;
  /** connections with a statement in flight */
  busy: number;
  /** the pool's configured maximum */
  max: number;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const T_PARSE = 0x50; // P
const T_BIND = 0x42; // B
const T_QUERY = 0x51; // Q
const T_SYNC = 0x53; // S
const T_READY = 0x5a; // Z

export class PoolObserver {
  private readonly watches = new Set<Watch>();
  private readonly listeners = new Set<(t: StatementTiming) => void>();

  constructor(readonly max: number) {}

  /** Starts watching a socket the pool is about to use (before anything is written to it). */
  attach(socket: net.Socket): void {
    const watch = new Watch(socket, (text, ms) => this.emit(text, ms));
    this.watches.add(watch);
    socket.once('close', () => {
      watch.stop();
      this.watches.delete(watch);
    });
  }

  /** Calls `fn` with every finished statement; returns the function that stops it. */
  onStatement(fn: (t: StatementTiming) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  stats(): PoolStats {
    let busy = 0;
    for (const w of this.watches) if (w.inFlight > 0) busy++;
    return { open: this.watches.size, busy, max: this.max };
  }

  private emit(text: string, ms: number): void {
    if (this.listeners.size === 0) return;
    // normalized only when a listener reads it (the slow-statement log, a benchmark), not for every histogram sample
    let statement: string | undefined;
    const timing: StatementTiming = {
      get statement() {
        statement ??= normalizeStatement(text);
        return statement;
      },
      ms,
    };
    for (const fn of this.listeners) {
      try {
        fn(timing);
      } catch {
        // a listener's failure must not reach the connection
      }
    }
  }
}

/** One connection: frames the client's and the server's messages, pairs each Sync/Query with its ReadyForQuery. */
class Watch {
  private disabled = false;
  private readonly names = new Map<string, string>();
  private current = '';
  private readonly pending: { text: string; sentAt: number }[] = [];
  private lastReady = 0;
  private readonly client: Framer;
  private readonly server: Framer;
  private readonly onData = (chunk: Buffer) => this.guard(() => this.server.push(chunk));

  constructor(
    private readonly socket: net.Socket,
    private readonly done: (text: string, ms: number) => void,
  ) {
    this.client = new Framer(
      true,
      // a Bind's statement name is at its start: its parameters (megabytes for a bulk unnest) are not copied
      (t) => (t === T_BIND ? 256 : t === T_PARSE || t === T_QUERY || t === -1 ? Number.POSITIVE_INFINITY : 0),
      (t, body) => this.fromClient(t, body),
    );
    this.server = new Framer(
      false,
      () => 0,
      (t) => this.fromServer(t),
    );
    const write = socket.write;
    let first = true;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (first) {
        first = false;
        // postgres.js has its own 'data' listener in place before it writes the startup message
        socket.on('data', this.onData);
      }
      if (!this.disabled && Buffer.isBuffer(chunk)) this.guard(() => this.client.push(chunk));
      return (write as (...a: unknown[]) => boolean).apply(socket, [chunk, ...rest]);
    }) as typeof socket.write;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  stop(): void {
    this.disabled = true;
    this.pending.length = 0;
    this.names.clear();
    this.socket.removeListener('data', this.onData);
  }

  private guard(fn: () => void): void {
    if (this.disabled) return;
    try {
      fn();
    } catch {
      this.stop();
    }
  }

  private fromClient(type: number, body: Buffer | null): void {
    if (type === -1) {
      // the untyped first message: StartupMessage, or SSL / GSS encryption / cancel requests (then nothing to time)
      const code = body && body.length >= 4 ? body.readInt32BE(0) : 0;
      if (code === SSL_REQUEST || code === GSSENC_REQUEST || code === CANCEL_REQUEST) this.stop();
      return;
    }
    if (type === -2) {
      // not the protocol we know (e.g. direct TLS): stop watching
      this.stop();
      return;
    }
    const now = performance.now();
    if (type === T_PARSE && body) {
      const nameEnd = body.indexOf(0);
      const textEnd = body.indexOf(0, nameEnd + 1);
      const text = body.toString('utf8', nameEnd + 1, textEnd < 0 ? body.length : textEnd);
      this.names.set(body.toString('utf8', 0, nameEnd), text);
      this.current = text;
    } else if (type === T_BIND && body) {
      const portalEnd = body.indexOf(0);
      const nameEnd = body.indexOf(0, portalEnd + 1);
      this.current = this.names.get(body.toString('utf8', portalEnd + 1, nameEnd)) ?? this.current;
    } else if (type === T_QUERY && body) {
      this.pending.push({ text: body.toString('utf8', 0, Math.max(0, body.length - 1)), sentAt: now });
    } else if (type === T_SYNC) {
      this.pending.push({ text: this.current, sentAt: now });
    }
  }

  private fromServer(type: number): void {
    if (type !== T_READY) return;
    const now = performance.now();
    const p = this.pending.shift();
    if (p) this.done(p.text, now - Math.max(p.sentAt, this.lastReady));
    this.lastReady = now;
  }
}

/**
 * Splits a byte stream into protocol messages: a type byte (absent on the client's first message) and an
 * int32 length that counts itself. Bodies are kept only for the types asked for; others are skipped.
 */
export class Framer {
  private readonly header = Buffer.alloc(5);
  private headerLength = 0;
  private inBody = false;
  private remaining = 0;
  private type = 0;
  private parts: Buffer[] | null = null;
  private limit = 0;
  private kept = 0;

  constructor(
    private untyped: boolean,
    /** how many bytes of a message's body to keep (0: none) */
    private readonly keep: (type: number) => number,
    private readonly onMessage: (type: number, body: Buffer | null) => void,
  ) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (!this.inBody) {
        const size = this.untyped ? 4 : 5;
        const take = Math.min(size - this.headerLength, chunk.length - off);
        chunk.copy(this.header, this.headerLength, off, off + take);
        this.headerLength += take;
        off += take;
        if (this.headerLength < size) return;
        this.headerLength = 0;
        const length = this.header.readInt32BE(this.untyped ? 0 : 1);
        if (this.untyped && (length < 8 || length > 65_536)) {
          // a first message no client sends (direct TLS starts with a handshake record): give up on this stream
          this.onMessage(-2, null);
          return;
        }
        this.type = this.untyped ? -1 : (this.header[0] as number);
        this.remaining = Math.max(0, length - 4);
        this.inBody = true;
        this.limit = this.keep(this.type);
        this.kept = 0;
        this.parts = this.limit > 0 ? [] : null;
        if (this.remaining === 0) {
          this.finish();
          continue;
        }
      }
      const take = Math.min(this.remaining, chunk.length - off);
      if (this.parts && this.kept < this.limit) {
        const part = chunk.subarray(off, off + Math.min(take, this.limit - this.kept));
        this.parts.push(part);
        this.kept += part.length;
      }
      this.remaining -= take;
      off += take;
      if (this.remaining === 0) this.finish();
    }
  }

  private finish(): void {
    const body = this.parts ? Buffer.concat(this.parts) : null;
    const type = this.type;
    this.parts = null;
    this.inBody = false;
    this.untyped = false;
    this.onMessage(type, body);
  }
}

/**
 * A statement as it may be logged: string, dollar-quoted and numeric literals become `?` (placeholders like
 * `$1` stay), comments go, whitespace collapses; at most `max` characters.
 */
export function normalizeStatement(text: string, max = 2000): string {
  return text
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, '?')
    .replace(/(?:(?<!\w)[eE])?'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w$.])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?!\w)/g, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}
