import { html, type SafeHtml } from '../html.js';
import { renderLayout } from '../layout.js';
import { CATALOGUE, SHOP_LIMITS, cartCount, type CartLine } from './cart.js';

/** One place the signed-in user is signed in, as the account card lists it: never a session id. */
export interface DeviceRow {
  /** A short name for the browser: `Firefox on Linux`. */
  readonly label: string;
  /** The address it signed in from, when kept. */
  readonly ip: string | undefined;
  /** When that session was created, epoch ms. */
  readonly createdAtMs: number;
  /** Its last write, epoch ms. */
  readonly lastSeenAtMs: number;
  /** This browser's own session. */
  readonly current: boolean;
}

/** What the shop page shows; every string in it may come from the browser and is escaped. */
export interface ShopView {
  /** The signed-in user, or undefined when signed out. */
  readonly user: { readonly name: string } | undefined;
  readonly cart: readonly CartLine[];
  readonly csrfToken: string | undefined;
  readonly cardLast4: string | undefined;
  /** The first characters of the session id, for finding it in the dashboard's inspector. */
  readonly sessionIdPrefix: string | undefined;
  readonly rotationSeconds: number;
  readonly idleSeconds: number;
  /** How long "remember me" keeps a session, in seconds. */
  readonly rememberSeconds: number;
  /** A message about the last form, shown as an alert. */
  readonly error?: string | undefined;
  /** Where the user is signed in, this browser first; undefined when the list could not be read. */
  readonly devices?: readonly DeviceRow[] | undefined;
  /** How many sessions "Sign out other devices" just ended, to say so once. */
  readonly othersSignedOut?: number | undefined;
  /** Clock, epoch ms, for "2 min ago". */
  readonly nowMs?: number;
}

/** The whole shop page: sign-in form, or greeting, cart and sign-out. */
export function renderShopPage(view: ShopView): string {
  const body = html`<main class="shop">
${view.error === undefined ? '' : html`<p class="alert" role="alert"><strong>Not done:</strong> ${view.error}</p>`}
${view.othersSignedOut === undefined || view.user === undefined ? '' : html`<p class="notice" role="status">${signedOutText(view.othersSignedOut)}</p>`}
${view.user === undefined ? signInCard(view) : [accountCard(view, view.user), cartCard(view)]}
${explainCard(view)}
</main>`;
  return renderLayout({ title: view.user === undefined ? 'Sign in' : 'Your cart', page: 'shop', body });
}

function csrfField(view: ShopView): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${view.csrfToken ?? ''}">`;
}

function signInCard(view: ShopView): SafeHtml {
  return html`<section class="card" aria-labelledby="signin-title">
  <h1 id="signin-title">Sign in</h1>
  <p>This little shop keeps your name and cart in a session stored in DynamoDB. Nothing is stored
  until you sign in: looking around writes nothing.</p>
  <form method="post" action="/signin" class="row-form">
    <label for="name">Your name</label>
    <input id="name" name="name" required maxlength="${SHOP_LIMITS.nameChars}" autocomplete="nickname" placeholder="Ada">
    <label class="remember"><input type="checkbox" name="remember" value="1"> Remember me</label>
    <button type="submit">Sign in</button>
  </form>
  <p class="hint">Any name will do (up to ${SHOP_LIMITS.nameChars} characters). Sessions idle for ${view.idleSeconds} s expire; with “remember me”, the session lasts ${view.rememberSeconds} s from your last change, even if you close the browser.</p>
</section>`;
}

function accountCard(view: ShopView, user: { readonly name: string }): SafeHtml {
  return html`<section class="card account" aria-labelledby="hello-title">
  <h1 id="hello-title">Hello, <span class="user-name">${user.name}</span></h1>
  <p>Session <code class="sid">${view.sessionIdPrefix ?? ''}…</code>${
    view.cardLast4 === undefined ? '' : html` · saved card <span class="card-no">•••• ${view.cardLast4}</span>`
  }</p>
  <p class="hint">Find this session in the <a href="/dashboard#inspector">dashboard's inspector</a>: the card number and the form token are masked there.</p>
  <form method="post" action="/signout">${csrfField(view)}<button type="submit" class="secondary">Sign out</button></form>
  ${devicesSection(view)}
</section>`;
}

/** What the account card says after "Sign out other devices". */
export function signedOutText(count: number): string {
  return count === 0 ? 'No other device was signed in.' : `Signed out ${count} other ${count === 1 ? 'device' : 'devices'}.`;
}

/** `5 s ago`, `3 min ago`, `2 h ago`: how long ago, for people, in one unit. */
export function formatAgo(atMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.round((nowMs - atMs) / 1000));
  if (seconds < 5) return 'just now';
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

/** `10:04:05 UTC` (the demo's periods are minutes: the time of day says enough). */
function formatClock(atMs: number): string {
  return `${new Date(atMs).toISOString().slice(11, 19)} UTC`;
}

function devicesSection(view: ShopView): SafeHtml {
  const nowMs = view.nowMs ?? Date.now();
  const others = (view.devices ?? []).filter((device) => !device.current).length;
  const list =
    view.devices === undefined
      ? html`<p class="alert">The list of your devices could not be read just now.</p>`
      : html`<ul class="devices">${view.devices.map(
          (device) => html`<li class="device${device.current ? ' current' : ''}">
      <span class="device-name">${device.label}</span>${device.current ? html` <strong class="this-device">this device</strong>` : ''}
      <span class="device-facts">${device.ip === undefined ? '' : html`from <span class="mono">${device.ip}</span> · `}signed in <time datetime="${new Date(device.createdAtMs).toISOString()}">${formatClock(device.createdAtMs)}</time> · last seen ${formatAgo(device.lastSeenAtMs, nowMs)}</span>
    </li>`,
        )}</ul>`;
  return html`<section class="signed-in-on" aria-labelledby="devices-title">
  <h2 id="devices-title">Signed in on</h2>
  ${list}
  <form method="post" action="/signout-others">${csrfField(view)}<button type="submit" class="secondary"${others === 0 ? html` aria-describedby="no-others"` : ''}>Sign out other devices</button></form>
  ${others === 0 ? html`<p class="hint" id="no-others">Sign in as the same name in another browser (or a private window) to see it here.</p>` : ''}
</section>`;
}

function cartCard(view: ShopView): SafeHtml {
  const count = cartCount(view.cart);
  const lines = view.cart.map(
    (line) => html`<li class="cart-line">
      <span class="cart-item">${line.item}</span>
      <span class="cart-qty" aria-label="quantity">× ${line.quantity}</span>
      <form method="post" action="/cart/add">${csrfField(view)}<input type="hidden" name="item" value="${line.item}"><button type="submit" class="icon" aria-label="Add one ${line.item}" title="Add one">+</button></form>
      <form method="post" action="/cart/remove">${csrfField(view)}<input type="hidden" name="item" value="${line.item}"><button type="submit" class="icon" aria-label="Remove one ${line.item}" title="Remove one">−</button></form>
    </li>`,
  );
  return html`<section class="card cart" aria-labelledby="cart-title">
  <h2 id="cart-title">Your cart <span class="count">(${count} ${count === 1 ? 'item' : 'items'})</span></h2>
  ${view.cart.length === 0 ? html`<p class="empty">Your cart is empty.</p>` : html`<ul class="cart-lines">${lines}</ul>`}
  <div class="quick" role="group" aria-label="Quick add">
    ${CATALOGUE.map(
      (item) => html`<form method="post" action="/cart/add">${csrfField(view)}<input type="hidden" name="item" value="${item}"><button type="submit" class="chip">+ ${item}</button></form>`,
    )}
  </div>
  <form method="post" action="/cart/add" class="row-form">
    ${csrfField(view)}
    <label for="item">Another item</label>
    <input id="item" name="item" required maxlength="${SHOP_LIMITS.itemChars}" placeholder="Anything">
    <button type="submit">Add</button>
  </form>
</section>`;
}

function explainCard(view: ShopView): SafeHtml {
  return html`<aside class="card explain" aria-labelledby="explain-title">
  <h2 id="explain-title">What happens underneath</h2>
  <ul>
    <li><strong>One table per ${view.rotationSeconds} s period.</strong> Sessions are written to the current table; reads try the current table, then the previous one.</li>
    <li><strong>Active sessions move forward.</strong> Use the shop after a rotation and your session is copied into the new table.</li>
    <li><strong>Expiry costs nothing.</strong> Tables older than the previous period are dropped whole: no scans, no per-session deletes.</li>
    <li><strong>Reads don't write.</strong> A page view that changes nothing skips the save; style sheets and scripts under <code>/static/</code> are ignored by the request tracker.</li>
  </ul>
  <p><a class="button-link" href="/dashboard">Open the live dashboard →</a></p>
</aside>`;
}
