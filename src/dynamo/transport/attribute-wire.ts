/**
 * DynamoDB's JSON wire form of attribute values, as the SDK's own serializer writes it. The
 * only difference from the SDK's in-memory form is binary: `B` and `BS` hold `Uint8Array`s in
 * memory and base64 strings on the wire. Everything else (S, N, BOOL, NULL, SS, NS, M, L) is the
 * same, so a value is copied only where it holds binary.
 */

/** An attribute value in the SDK's in-memory form (a member of `Record<string, AttributeValue>`). */
export type MemoryValue = Readonly<Record<string, unknown>>;

/** Converts a value tree (an input object, an item, a key) to its wire form: binary becomes base64. */
export function toWire(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = toWire((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * Converts an attribute map read from the wire (`Item`, `Attributes`) to the in-memory form:
 * `B` and `BS` members become `Uint8Array`s, inside `M` and `L` too. Unknown or malformed
 * members are kept as they are; the codec decides what to make of them.
 */
export function attributeMapFromWire(map: unknown): Record<string, MemoryValue> | undefined {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return undefined;
  const out: Record<string, MemoryValue> = {};
  for (const name of Object.keys(map)) out[name] = attributeFromWire((map as Record<string, unknown>)[name]) as MemoryValue;
  return out;
}

function attributeFromWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  if (typeof v.B === 'string') return { B: fromBase64(v.B) };
  if (Array.isArray(v.BS)) return { BS: v.BS.map((member) => (typeof member === 'string' ? fromBase64(member) : member)) };
  if (v.M !== undefined) return { M: attributeMapFromWire(v.M) ?? v.M };
  if (Array.isArray(v.L)) return { L: v.L.map(attributeFromWire) };
  return v;
}

function fromBase64(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
