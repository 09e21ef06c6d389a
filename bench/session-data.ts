/**
 * The session every benchmark request carries: a signed-in shopper with a cart, about 1.5 KB of
 * JSON, built deterministically from the user's index so that every store sees the same data.
 */

/** One line of the cart. */
export interface CartLine {
  sku: string;
  name: string;
  qty: number;
  unitPriceCents: number;
  addedAt: string;
}

/** The application's part of the session (express-session adds `cookie`). */
export interface ShopSession {
  user: {
    id: string;
    email: string;
    name: string;
    roles: string[];
    locale: string;
    currency: string;
    signedInAt: string;
    preferences: { theme: string; newsletter: boolean; pageSize: number; lastCategory: string };
  };
  csrfSecret: string;
  cart: { id: string; revision: number; couponCode: string | null; lines: CartLine[] };
  recentlyViewed: string[];
  lastPage: string;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee'];
const PRODUCTS = [
  'Merino crew-neck jumper', 'Waxed cotton field jacket', 'Stainless steel water bottle 750 ml', 'Cast-iron skillet 26 cm',
  'Noise-cancelling headphones', 'Hardback notebook, dotted', 'Trail running shoes', 'Ceramic pour-over coffee set',
  'USB-C charging cable 2 m', 'Linen bed sheet set, king', 'Bamboo cutting board', 'Wool hiking socks, 3 pairs',
];
const CATEGORIES = ['outdoor', 'kitchen', 'audio', 'stationery', 'home', 'apparel'];

/** A small seeded PRNG (mulberry32): the same seed always gives the same sequence. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function token(random: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  let out = '';
  for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

const BASE_MS = Date.UTC(2026, 10, 20, 9, 0, 0);

/** The session of user `index`: same input, same session. */
export function createShopSession(index: number): ShopSession {
  const random = createRandom(index + 1);
  const first = pick(random, FIRST);
  const last = pick(random, LAST);
  const lines: CartLine[] = [];
  for (let i = 0; i < 6; i += 1) {
    lines.push({
      sku: `SKU-${String(10_000 + Math.floor(random() * 89_999))}-${token(random, 3).toUpperCase()}`,
      name: pick(random, PRODUCTS),
      qty: 1 + Math.floor(random() * 3),
      unitPriceCents: 499 + Math.floor(random() * 20_000),
      addedAt: new Date(BASE_MS + Math.floor(random() * 86_400_000)).toISOString(),
    });
  }
  return {
    user: {
      id: `usr_${token(random, 16)}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}${index}@example.com`,
      name: `${first} ${last}`,
      roles: index % 10 === 0 ? ['customer', 'beta-tester'] : ['customer'],
      locale: pick(random, ['en-GB', 'en-US', 'fr-FR', 'de-DE']),
      currency: pick(random, ['GBP', 'USD', 'EUR']),
      signedInAt: new Date(BASE_MS + index * 1000).toISOString(),
      preferences: { theme: pick(random, ['light', 'dark']), newsletter: random() < 0.5, pageSize: 24, lastCategory: pick(random, CATEGORIES) },
    },
    csrfSecret: token(random, 32),
    cart: { id: `cart_${token(random, 20)}`, revision: 1, couponCode: random() < 0.2 ? `SAVE${Math.floor(random() * 30)}` : null, lines },
    recentlyViewed: Array.from({ length: 8 }, () => `SKU-${String(10_000 + Math.floor(random() * 89_999))}`),
    lastPage: `/products/${pick(random, CATEGORIES)}/${token(random, 10).toLowerCase()}`,
  };
}

/**
 * Changes the session the way an "add to cart" request does, keeping its size stable: bumps the
 * cart revision, changes one line's quantity, moves one product to the front of the recently
 * viewed list and updates the last page. Every call changes the session.
 */
export function changeShopSession(session: ShopSession, sequence: number): void {
  session.cart.revision += 1;
  const line = session.cart.lines[sequence % session.cart.lines.length];
  if (line !== undefined) line.qty = 1 + ((line.qty + 1) % 4);
  const viewed = `SKU-${String(10_000 + (sequence % 89_999))}`;
  session.recentlyViewed = [viewed, ...session.recentlyViewed.filter((sku) => sku !== viewed)].slice(0, 8);
  session.lastPage = `/cart?r=${session.cart.revision}`;
}

/** What a read-only page shows of the session: a small JSON body, the same shape for every store. */
export function summarize(session: ShopSession | undefined): { user: string; lines: number; totalCents: number } {
  if (session === undefined) return { user: 'guest', lines: 0, totalCents: 0 };
  const totalCents = session.cart.lines.reduce((sum, line) => sum + line.qty * line.unitPriceCents, 0);
  return { user: session.user.name, lines: session.cart.lines.length, totalCents };
}
