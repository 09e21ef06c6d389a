// Generators of corrupt, foreign or hostile stored items, for the property tests of the codec
// (src/codec/decode-item.property.test.ts) and of the store behind a real Express app
// (test/integration/corrupt-items.property.test.ts). Items are small, so each check is fast;
// deep nesting is written as JSON text, so no generator recurses.
import { deflateRawSync } from 'node:zlib';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';

/** A DynamoDB item in the low-level attribute-value form. */
export type Item = Record<string, AttributeValue>;

/** Every attribute the store reads (see src/codec/item-format.ts). */
export const ATTRIBUTES = ['id', 'data', 'version', 'lastAccessed', 'expiresAt', 'createdAt', 'deletedAt', 'movedTo', 'writeId'] as const;

/** Cookie fields the frameworks read, and own properties that shadow express-session's Cookie class. */
export const COOKIE_FIELDS = [
  'originalMaxAge',
  'maxAge',
  'expires',
  'originalExpires',
  'httpOnly',
  'secure',
  'partitioned',
  'session',
  'path',
  'domain',
  'sameSite',
  'priority',
  '_expires',
  'data',
  'serialize',
  'toJSON',
  '__proto__',
  'constructor',
  'encode',
] as const;

/** Options of the generators. */
export interface CorruptItemOptions {
  /**
   * Only values DynamoDB accepts in a PutItem (valid numbers, non-empty distinct sets, `id` always
   * a string): for items written to a real table. @default false
   */
  readonly storable?: boolean;
  /** The id the near-valid items carry. @default 'generated-session-id-0001' */
  readonly id?: string;
  /** The time the near-valid items were last written, epoch ms. @default Date.now() when the generator is built */
  readonly nowMs?: number;
}

/** A cookie as express-session stores it by default. */
export const VALID_COOKIE = { originalMaxAge: null, path: '/', httpOnly: true } as const;

/** JSON text nested `levels` deep in objects, written out without recursion. */
export const deepObjectText = (levels: number): string => `${'{"v":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`;
/** JSON text nested `levels` deep in arrays. */
export const deepArrayText = (levels: number): string => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

/** The `data` attribute for a JSON text: format 1, plain or deflated. */
export function encodeData(json: string, deflated: boolean): Uint8Array {
  const raw = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from([1, deflated ? 1 : 0]), deflated ? deflateRawSync(raw) : raw]);
}

/** An item as plain JSON, binary attributes as base64: compares an item read back with another. */
export function plainItem(item: Item | undefined): unknown {
  if (item === undefined) return undefined;
  const plain = (value: AttributeValue): unknown => {
    if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
    if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')).sort() };
    if (value.L !== undefined) return { L: value.L.map(plain) };
    if (value.M !== undefined) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, plain(v)])) };
    if (value.SS !== undefined) return { SS: [...value.SS].sort() };
    if (value.NS !== undefined) return { NS: [...value.NS].sort() };
    return value;
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, plain(v)]));
}

/** A short description of an item for failure messages: binary as base64, long strings cut. */
export function describeItem(item: Item): string {
  const text = JSON.stringify(plainItem(item));
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Numeric text DynamoDB accepts: up to 38 significant digits, magnitude 1e-130 to 1e125. */
const storableNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 }).filter((d) => d === 0 || Math.abs(d) > 1e-100).map(String),
  fc.constantFrom('0', '-1', '1.5', '-0', '1E+20', '1e125', '-1e125', '1e-100', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740993', '12345678901234567890123456789012345678', '0.000001', '00012', '1.0'),
);

/** Any text in an `N` attribute: the above, and what no DynamoDB would return. */
const anyNumberText: fc.Arbitrary<string> = fc.oneof(
  storableNumberText,
  fc.double().map(String),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '-1e309', '0x10', '0b11', '0o7', ' 1 ', '', '+3', '.5', '5.', '1_000', '1e-400', '9'.repeat(400), '١٢٣', 'null', 'true', '1n', '--1', '1e'),
  fc.string({ maxLength: 12 }),
);

// ---------------------------------------------------------------------------------------------
// Session bodies (JSON text)

/** A JSON value as text, including numbers JSON.parse turns into Infinity or -0. */
const jsonValueText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.constantFrom('1e300', '-1e300', '1e17', '-1e17', '8.64e15', '8.64e15', '8.7e15', '-8.7e15', '1e400', '-1e400', '-0', '1e-7', '0.5', '1.7976931348623157e308', '9007199254740993') },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), fc.constantFrom('2026-01-01', 'garbage', '', 'Tue, 01 Jan 2030 00:00:00 GMT', '275760-09-13T00:00:00.000Z', '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00.000Z', '0'))
      .map((s) => JSON.stringify(s)),
  },
  { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null', '"auto"', '"LAX"', '"Strict"', '"none"', '"HIGH"', '"/"', '"/\\u0001"', '"a;b"', '"example.com"', '".a.b"', '"-bad-"', '{}', '[]', '{"__proto__":{}}') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)) },
);

/** The text of a JSON object from entries of key and value text (keys may repeat: the last wins). */
const objectText = (entries: readonly (readonly [string, string])[]): string => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** A cookie object as text: known fields with valid or random values, and fields that shadow Cookie's prototype. */
const cookieText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(fc.tuple(fc.constantFrom(...COOKIE_FIELDS), jsonValueText), { maxLength: 5 }).map((entries) => objectText([...Object.entries(VALID_COOKIE).map(([k, v]) => [k, JSON.stringify(v)] as const), ...entries])) },
  { weight: 2, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...COOKIE_FIELDS), fc.string({ maxLength: 6 })), jsonValueText), { maxLength: 6 }).map(objectText) },
  { weight: 1, arbitrary: jsonValueText },
);

/** Nesting written as text: shallow, near the limit of 100, or far beyond it. */
const nestedText: fc.Arbitrary<string> = fc
  .tuple(fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 95, max: 105 }), fc.integer({ min: 106, max: 5000 })), fc.boolean())
  .map(([levels, arrays]) => (arrays ? deepArrayText(levels) : deepObjectText(levels)));

/** A session body as JSON text: mostly session-like objects, sometimes anything at all. */
export const sessionJsonText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(cookieText, fc.array(fc.tuple(fc.oneof(fc.constantFrom('views', 'user', '__proto__', 'cookie', 'constructor', 'id', 'req', 'touch', 'save'), fc.string({ maxLength: 8 })), fc.oneof(jsonValueText, nestedText)), { maxLength: 4 }))
      .map(([cookie, rest]) => objectText([['cookie', cookie], ...rest])),
  },
  { weight: 1, arbitrary: jsonValueText },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

// ---------------------------------------------------------------------------------------------
// The data attribute

/** A small deflate stream that inflates to 9 MB: past the 8 MB guard. */
let bomb: Uint8Array | undefined;
const zipBomb = (): Uint8Array => (bomb ??= Buffer.concat([Buffer.from([1, 1]), deflateRawSync(Buffer.alloc(9 * 1024 * 1024, 0x20))]));

/** Bytes for the `data` attribute: valid headers with any JSON, plain or deflated, and arbitrary bytes. */
export const dataBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(sessionJsonText, fc.boolean()).map(([json, deflated]) => encodeData(json, deflated)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1), fc.uint8Array({ maxLength: 40 })).map(([flags, rest]) => Uint8Array.from([1, flags, ...rest])) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), sessionJsonText).map(([format, flags, json]) => Uint8Array.from([format, flags, ...Buffer.from(json)])) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.tuple(sessionJsonText, fc.integer({ min: 0, max: 20 })).map(([json, cut]) => { const full = encodeData(json, true); return full.subarray(0, Math.max(0, full.length - cut)); }) },
  { weight: 1, arbitrary: fc.constant(null).map(() => zipBomb()) },
);

// ---------------------------------------------------------------------------------------------
// Attribute values

/** Any attribute value, of any type, nested at most one level. */
export function attributeValue(options: CorruptItemOptions = {}): fc.Arbitrary<AttributeValue> {
  const storable = options.storable ?? false;
  const num = storable ? storableNumberText : anyNumberText;
  const bytes = storable ? fc.uint8Array({ minLength: 1, maxLength: 40 }) : fc.uint8Array({ maxLength: 40 });
  const leaf: fc.Arbitrary<AttributeValue> = fc.oneof(
    fc.string({ maxLength: 20 }).map((S): AttributeValue => ({ S })),
    num.map((N): AttributeValue => ({ N })),
    bytes.map((B): AttributeValue => ({ B })),
    dataBytes.map((B): AttributeValue => ({ B })),
    fc.boolean().map((BOOL): AttributeValue => ({ BOOL })),
    fc.constant<AttributeValue>({ NULL: true }),
    fc.uniqueArray(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 3 }).map((SS): AttributeValue => ({ SS })),
    fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 3 }).map((ns): AttributeValue => ({ NS: ns.map(String) })),
    fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3, selector: (b) => Buffer.from(b).toString('hex') }).map((BS): AttributeValue => ({ BS })),
  );
  const nested: fc.Arbitrary<AttributeValue> = fc.oneof(
    fc.array(leaf, { maxLength: 3 }).map((L): AttributeValue => ({ L })),
    fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 3 }).map((M): AttributeValue => ({ M })),
  );
  if (storable) return fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: nested });
  // Shapes no DynamoDB answer has, but an SDK or a proxy could hand over: empty, several types at once.
  const odd = fc.oneof(
    fc.constant({} as AttributeValue),
    fc.constant({ NULL: false } as AttributeValue),
    fc.tuple(fc.string({ maxLength: 6 }), num).map(([S, N]) => ({ S, N }) as unknown as AttributeValue),
    fc.constant({ SS: [] } as AttributeValue),
    fc.constant({ $unknown: ['X', 1] } as unknown as AttributeValue),
  );
  return fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: nested }, { weight: 1, arbitrary: odd });
}

/** The value of one attribute: mostly of its right type with random content, else of any type. */
function attributeOf(name: (typeof ATTRIBUTES)[number], options: CorruptItemOptions): fc.Arbitrary<AttributeValue> {
  const any = attributeValue(options);
  const num = options.storable === true ? storableNumberText : anyNumberText;
  const nowMs = options.nowMs ?? Date.now();
  const right: Record<(typeof ATTRIBUTES)[number], fc.Arbitrary<AttributeValue>> = {
    id: fc.constant({ S: options.id ?? 'generated-session-id-0001' }),
    data: dataBytes.map((B) => ({ B })),
    version: fc.oneof(fc.nat(5).map(String), num).map((N) => ({ N })),
    lastAccessed: fc.oneof(fc.constant(String(nowMs)), num).map((N) => ({ N })),
    expiresAt: fc.oneof(fc.constant(String(Math.ceil(nowMs / 1000) + 3600)), num).map((N) => ({ N })),
    createdAt: fc.oneof(fc.constant(String(nowMs)), num).map((N) => ({ N })),
    deletedAt: fc.oneof(fc.constant(String(nowMs)), num).map((N) => ({ N })),
    movedTo: fc.string({ maxLength: 30 }).map((S) => ({ S })),
    writeId: fc.string({ maxLength: 30 }).map((S) => ({ S })),
  };
  return fc.oneof({ weight: 3, arbitrary: right[name] }, { weight: 2, arbitrary: any });
}

/** The session body the valid item holds. */
export const VALID_SESSION = { cookie: VALID_COOKIE, views: 1, user: 'generated' } as const;

/** A valid session item, as the store writes it. */
export function validItem(options: CorruptItemOptions = {}): Item {
  const nowMs = options.nowMs ?? Date.now();
  return {
    id: { S: options.id ?? 'generated-session-id-0001' },
    data: { B: encodeData(JSON.stringify(VALID_SESSION), false) },
    version: { N: '1' },
    lastAccessed: { N: String(nowMs) },
    expiresAt: { N: String(Math.ceil(nowMs / 1000) + 3600) },
    createdAt: { N: String(nowMs) },
  };
}

/** Items of any shape: each attribute present or not, mostly of its right type, plus stray attributes. */
export function anyShapeItem(options: CorruptItemOptions = {}): fc.Arbitrary<Item> {
  const names = options.storable === true ? ATTRIBUTES.filter((n) => n !== 'id') : ATTRIBUTES;
  const record = Object.fromEntries(names.map((name) => [name, attributeOf(name, options)])) as Record<string, fc.Arbitrary<AttributeValue>>;
  return fc
    .tuple(fc.record(record, { requiredKeys: [] }), fc.dictionary(fc.stringMatching(/^[a-zA-Z_]{1,10}$/), attributeValue(options), { maxKeys: 2 }))
    .map(([known, extra]) => {
      const item: Item = { ...extra, ...(known as Item) };
      if (options.storable === true) item.id = { S: options.id ?? 'generated-session-id-0001' };
      return item;
    });
}

/** A valid item with ONE thing changed: an attribute replaced, dropped or added, one cookie field, or the session body. */
export function nearValidItem(options: CorruptItemOptions = {}): fc.Arbitrary<Item> {
  const base = () => validItem(options);
  const mutable = options.storable === true ? ATTRIBUTES.filter((n) => n !== 'id') : ATTRIBUTES;
  const replaced = fc
    .constantFrom(...mutable)
    .chain((name) => attributeValue(options).map((value) => ({ ...base(), [name]: value })));
  const dropped = fc.constantFrom(...mutable.filter((n) => n !== 'id' || options.storable !== true)).map((name) => {
    const item = base();
    delete item[name];
    return item;
  });
  const added = fc.tuple(fc.constantFrom(...ATTRIBUTES, 'stray', 'cookie'), attributeValue(options)).map(([name, value]) => ({ ...base(), [name]: value }));
  const cookieField = fc.tuple(fc.constantFrom(...COOKIE_FIELDS), jsonValueText, fc.boolean()).map(([field, value, deflated]) => {
    const cookie = objectText([...Object.entries(VALID_COOKIE).map(([k, v]) => [k, JSON.stringify(v)] as const), [field, value]]);
    return { ...base(), data: { B: encodeData(objectText([['cookie', cookie], ['views', '1'], ['user', '"generated"']]), deflated) } };
  });
  const body = fc.tuple(sessionJsonText, fc.boolean()).map(([json, deflated]) => ({ ...base(), data: { B: encodeData(json, deflated) } }));
  const data = dataBytes.map((B) => ({ ...base(), data: { B } }));
  return fc.oneof(replaced, dropped, added, { weight: 3, arbitrary: cookieField }, { weight: 2, arbitrary: body }, data);
}

/** Near-valid items and items of any shape. */
export function corruptItem(options: CorruptItemOptions = {}): fc.Arbitrary<Item> {
  return fc.oneof({ weight: 3, arbitrary: nearValidItem(options) }, { weight: 2, arbitrary: anyShapeItem(options) });
}

