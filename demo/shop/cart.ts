/**
 * The shop's session data and the pure rules that change it. Everything that comes from the
 * browser passes through {@link cleanText} first: control characters removed, whitespace
 * collapsed, length limited.
 */

/** Limits on what the browser may put in a session. */
export const SHOP_LIMITS = Object.freeze({
  /** Longest display name, in characters. */
  nameChars: 40,
  /** Longest item name, in characters. */
  itemChars: 40,
  /** Most distinct lines in a cart. */
  cartLines: 12,
  /** Largest quantity of one line. */
  lineQuantity: 99,
});

/** Items offered as one-click buttons; any other name may be typed. */
export const CATALOGUE = ['Teapot', 'Wool socks', 'Umbrella', 'Notebook', 'Coffee beans'] as const;

/** One line of the cart. */
export interface CartLine {
  readonly item: string;
  readonly quantity: number;
}

/** What the shop keeps in a session. `csrfToken` and `paymentCardLast4` are what the inspector masks. */
export interface ShopSession {
  user?: { name: string; signedInAtMs: number };
  cart?: CartLine[];
  /** Guards the shop's forms; secret-looking key, so masked by the inspector. */
  csrfToken?: string;
  /** A made-up saved card, to show masking; secret-looking key. */
  paymentCardLast4?: string;
  /** The browser and address of the sign-in, for "Signed in on" (the key the store's default `deviceOf` reads). */
  device?: { userAgent: string; ip: string };
}

/** A cleaned value, or why it was refused. */
export type Cleaned = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

// C0 and C1 controls, and the Unicode bidi overrides, which can make text render misleadingly.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Cleans a form field: strings only, control characters dropped, runs of whitespace made one
 * space, trimmed, then 1 to `maxChars` characters (counted as code points).
 */
export function cleanText(raw: unknown, label: string, maxChars: number): Cleaned {
  if (typeof raw !== 'string') return { ok: false, error: `${label} is missing.` };
  const value = raw.replace(UNSAFE_CHARS, ' ').replace(/\s+/g, ' ').trim();
  if (value === '') return { ok: false, error: `${label} is empty.` };
  const length = [...value].length;
  if (length > maxChars) return { ok: false, error: `${label} is ${length} characters long; at most ${maxChars} are allowed.` };
  return { ok: true, value };
}

/** The cart with one more of `item`, or why not. Never changes `lines`. */
export function addToCart(lines: readonly CartLine[], item: string): { ok: true; lines: CartLine[] } | { ok: false; error: string } {
  const index = lines.findIndex((line) => line.item === item);
  if (index === -1) {
    if (lines.length >= SHOP_LIMITS.cartLines) return { ok: false, error: `The cart holds at most ${SHOP_LIMITS.cartLines} different items.` };
    return { ok: true, lines: [...lines, { item, quantity: 1 }] };
  }
  const line = lines[index] as CartLine;
  if (line.quantity >= SHOP_LIMITS.lineQuantity) return { ok: false, error: `At most ${SHOP_LIMITS.lineQuantity} of one item.` };
  return { ok: true, lines: lines.map((other, i) => (i === index ? { item, quantity: line.quantity + 1 } : other)) };
}

/** The cart with one less of `item`; a line at zero disappears. Never changes `lines`. */
export function removeFromCart(lines: readonly CartLine[], item: string): CartLine[] {
  return lines.flatMap((line) => (line.item !== item ? [line] : line.quantity > 1 ? [{ item, quantity: line.quantity - 1 }] : []));
}

/** How many items the cart holds in all. */
export function cartCount(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity, 0);
}
