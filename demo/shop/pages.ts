import { html, type SafeHtml } from '../html.js';
import { renderLayout } from '../layout.js';
import { CATALOGUE, SHOP_LIMITS, cartCount, type CartLine } from './cart.js';

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
}

/** The whole shop page: sign-in form, or greeting, cart and sign-out. */
export function renderShopPage(view: ShopView): string {
  const body = html`<main class="shop">
${view.error === undefined ? '' : html`<p class="alert" role="alert"><strong>Not done:</strong> ${view.error}</p>`}
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
