import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, outageCode } from '../../src/db/availability.ts';
import { Framer, normalizeStatement } from '../../src/db/statement-observer.ts';
import { loggablePath, maskPersonalData, requestIdOf, serializeError } from '../../src/http/logging.ts';

describe('normalizeStatement', () => {
  it('blanks literals but keeps placeholders, identifiers and casts', () => {
    expect(normalizeStatement("select * from t1 where a = $1 and b = 'x''y' and c > 42 and d = 3.5e2")).toBe(
      'select * from t1 where a = $1 and b = ? and c > ? and d = ?',
    );
    expect(normalizeStatement("insert into schema_migrations values (7, '0007_x', E'\\\\abc')")).toBe(
      'insert into schema_migrations values (?, ?, ?)',
    );
    expect(normalizeStatement('select $$secret body$$, $fn$ more $fn$, $2::int4')).toBe('select ?, ?, $2::int4');
    expect(normalizeStatement('select 1 -- 13812345678\n  from   x /* note 42 */')).toBe('select ? from x');
  });

  it('cuts long statements', () => {
    expect(normalizeStatement(`select ${'a,'.repeat(5000)}b`)).toHaveLength(2000);
  });
});

describe('Framer', () => {
  const msg = (type: string, body: Buffer) => {
    const b = Buffer.alloc(5 + body.length);
    b.write(type, 0, 'latin1');
    b.writeInt32BE(4 + body.length, 1);
    body.copy(b, 5);
    return b;
  };

  it('finds every message, whole or split anywhere across chunks, and keeps only the bodies asked for', () => {
    const stream = Buffer.concat([
      msg('P', Buffer.from('s1\0select $1\0\0\0', 'latin1')),
      msg('D', Buffer.alloc(300, 7)),
      msg('S', Buffer.alloc(0)),
      msg('Z', Buffer.from('I')),
    ]);
    for (const cut of [1, 2, 3, 5, 7, 64, stream.length]) {
      const seen: [string, string | null][] = [];
      const f = new Framer(
        false,
        (t) => (t === 0x50 ? Number.POSITIVE_INFINITY : 0),
        (t, body) => seen.push([String.fromCharCode(t), body ? body.toString('latin1') : null]),
      );
      for (let i = 0; i < stream.length; i += cut) f.push(stream.subarray(i, i + cut));
      expect(seen, `chunks of ${cut}`).toEqual([
        ['P', 's1\0select $1\0\0\0'],
        ['D', null],
        ['S', null],
        ['Z', null],
      ]);
    }
  });

  it('keeps only the first bytes of a message when asked to (a Bind whose parameters are megabytes)', () => {
    const seen: (string | null)[] = [];
    const f = new Framer(
      false,
      () => 4,
      (_t, body) => seen.push(body ? body.toString('latin1') : null),
    );
    f.push(Buffer.concat([msg('B', Buffer.from('portal\0stmt\0params')), msg('S', Buffer.alloc(0))]));
    expect(seen).toEqual(['port', '']);
  });

  it('reads an untyped first message, and gives up on a stream that is not the protocol', () => {
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8, 0);
    startup.writeInt32BE(196608, 4);
    const seen: number[] = [];
    new Framer(
      true,
      () => Number.POSITIVE_INFINITY,
      (t) => seen.push(t),
    ).push(Buffer.concat([startup, msg('Q', Buffer.from('select 1\0'))]));
    expect(seen).toEqual([-1, 0x51]);
    const tls: number[] = [];
    new Framer(
      true,
      () => Number.POSITIVE_INFINITY,
      (t) => tls.push(t),
    ).push(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    expect(tls).toEqual([-2]);
  });
});

describe('what the log may show', () => {
  it('masks mobile numbers, resident ID numbers and e-mail addresses, not GTINs or SSCC-like codes', () => {
    expect(maskPersonalData('call 13812345678 or +86 13987654321, mail li.lei@example.cn')).toBe('call [phone] or [phone], mail [email]');
    expect(maskPersonalData('id 11010519491231002X')).toBe('id [id-number]');
    expect(maskPersonalData('gtin 06901234567892, sscc 069012345678901234')).toBe('gtin 06901234567892, sscc 069012345678901234');
  });

  it('drops the query string and decodes the path before masking', () => {
    expect(loggablePath('/api/v1/consumers/138%2012345678?token=abc')).toBe('/api/v1/consumers/138 12345678');
    expect(loggablePath('/api/v1/consumers/13812345678/points?x=1')).toBe('/api/v1/consumers/[phone]/points');
  });

  it('keeps a sane incoming request id and makes one up otherwise', () => {
    const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as IncomingMessage;
    expect(requestIdOf(req('lb-1234:abc.def_9'))).toBe('lb-1234:abc.def_9');
    for (const bad of [undefined, '', ' x', 'a'.repeat(129), 'x\ny', '"quoted"']) expect(requestIdOf(req(bad))).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reduces an error to fields that cannot carry parameter values', () => {
    const e = Object.assign(new Error('duplicate key value violates unique constraint "users_phone"'), {
      code: '23505',
      detail: 'Key (phone)=(13812345678) already exists.',
      parameters: ['13812345678', 'secret'],
      query: "insert into users (phone, name) values ($1, 'x')",
      constraint_name: 'users_phone',
    });
    const s = serializeError(e);
    expect(s).toMatchObject({
      type: 'Error',
      code: '23505',
      constraint_name: 'users_phone',
      statement: 'insert into users (phone, name) values ($1, ?)',
    });
    expect(JSON.stringify(s)).not.toContain('13812345678');
    expect(JSON.stringify(s)).not.toContain('secret');
  });
});

describe('which errors mean the database is unreachable', () => {
  it('knows socket, postgres.js and PostgreSQL outage codes, also inside an AggregateError or a cause', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'CONNECTION_CLOSED', 'CONNECT_TIMEOUT', '57P01', '57P03', '08006', '53300']) {
      expect(outageCode(Object.assign(new Error('x'), { code })), code).toBe(code);
    }
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: Object.assign(new Error('b'), { code: '57P01' }) }))).toBe(true);
    for (const code of ['23505', '42P01', '22P02', '40001', undefined]) {
      expect(isDatabaseUnavailable(Object.assign(new Error('x'), { code })), String(code)).toBe(false);
    }
    // the embedded server's Unix socket gone is an outage; any other missing file is not
    const socketGone = Object.assign(new Error('connect ENOENT'), { code: 'ENOENT', address: '/var/tmp/pg/.s.PGSQL.54321' });
    expect(outageCode(socketGone)).toBe('ENOENT');
    expect(isDatabaseUnavailable(Object.assign(new Error('no file'), { code: 'ENOENT', path: '/srv/export.xlsx' }))).toBe(false);
  });
});
