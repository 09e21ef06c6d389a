import { html } from '../html.js';
import { renderLayout } from '../layout.js';

/** The counter cards, in display order: key into the figures, title, and what it means. */
export const COUNTER_CARDS = [
  { key: 'hitsCurrent', title: 'Hits · current table', meaning: 'sessions found in this period’s table' },
  { key: 'hitsPrevious', title: 'Hits · previous table', meaning: 'found one table back, then moved forward' },
  { key: 'misses', title: 'Misses', meaning: 'no session under the id' },
  { key: 'expired', title: 'Expired', meaning: 'found, but idle too long' },
  { key: 'saves', title: 'Saves', meaning: 'writes to DynamoDB' },
  { key: 'skipped', title: 'Skipped saves', meaning: 'writes avoided' },
  { key: 'conflicts', title: 'Conflicts', meaning: 'saves that raced another request' },
  { key: 'capacity', title: 'Capacity units / request', meaning: 'read + write units, averaged' },
  { key: 'errors', title: 'Errors', meaning: 'failed loads, saves, maintenance' },
  { key: 'requests', title: 'Requests', meaning: 'seen by the request tracker' },
] as const;

/**
 * The dashboard's page: a static shell that `dashboard.js` fills from `/dashboard/metrics.json`
 * and refreshes. No user data is rendered here; the script writes text nodes only.
 */
export function renderDashboardPage(): string {
  const body = html`<main class="dash">
<div class="dash-head">
  <div>
    <h1>Live dashboard</h1>
    <p class="sub">Sessions in DynamoDB, expiring by table rotation. Figures since this process started at <time id="started">–</time>.</p>
  </div>
  <div class="status">
    <span id="status-text" data-state="connecting">Connecting…</span>
    <button id="pause" type="button" class="secondary" aria-pressed="false">Pause</button>
    <a href="/dashboard/metrics.json">metrics.json</a>
  </div>
</div>
<noscript><p class="alert">This page refreshes itself with a small script. Without it, the same figures are at <a href="/dashboard/metrics.json">/dashboard/metrics.json</a>.</p></noscript>

<section class="panel why" aria-label="Why table rotation">
  <ul>
    <li><strong id="why-dropped">0 tables</strong> dropped whole so far, each taking its expired sessions with it: no scans, no per-session deletes.</li>
    <li><strong id="why-skipped">0 of 0</strong> saves skipped: a request that changes nothing writes nothing.</li>
    <li><strong id="why-capacity">–</strong> capacity units per request, reads and writes together.</li>
  </ul>
</section>

<section class="panel" id="tables-panel" aria-labelledby="tables-title">
  <div class="panel-head">
    <h2 id="tables-title">Tables</h2>
    <p class="countdown">Next rotation in <strong id="countdown">–</strong> · <span id="rotations">0 rotations</span></p>
  </div>
  <div class="period">
    <label for="period-progress" id="period-label">Current period</label>
    <progress id="period-progress" max="1000" value="0"></progress>
  </div>
  <ol class="timeline" id="timeline" aria-label="Tables in time order"></ol>
  <p class="note">Reads try the <strong>current</strong> table, then the <strong>previous</strong> one; a session found there is copied
  forward. The <strong>next</strong> table is created ahead of its period. Older tables are <strong>deleted</strong> whole.</p>
</section>

<section class="panel" aria-labelledby="counters-title">
  <h2 id="counters-title">Counters</h2>
  <div class="counters">
    ${COUNTER_CARDS.map(
      (card) => html`<div class="counter" data-key="${card.key}">
      <h3>${card.title}</h3>
      <p class="value"><span class="num" id="c-${card.key}">–</span> <span class="delta" id="d-${card.key}"></span></p>
      <p class="detail" id="x-${card.key}">${card.meaning}</p>
    </div>`,
    )}
  </div>
</section>

<section class="panel" aria-labelledby="chart-title">
  <div class="panel-head">
    <h2 id="chart-title">Over time</h2>
    <p class="legend">per second · <span class="rotation-key" aria-hidden="true"></span> dashed line = a rotation</p>
  </div>
  <div id="chart" class="chart"></div>
  <p class="axis"><span id="axis-from">–</span><span>now</span></p>
</section>

<div class="columns">
  <section class="panel" aria-labelledby="sizes-title">
    <h2 id="sizes-title">Session sizes</h2>
    <p id="size-summary" class="sub">No session saved yet.</p>
    <table class="hist" id="sizes"><caption class="visually-hidden">Saved sessions by stored size</caption>
      <thead><tr><th scope="col">Size</th><th scope="col">Saves</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="panel" aria-labelledby="calls-title">
    <h2 id="calls-title">DynamoDB calls</h2>
    <table class="calls" id="calls"><caption class="visually-hidden">DynamoDB calls by operation</caption>
      <thead><tr><th scope="col">Operation</th><th scope="col">Calls</th><th scope="col">Failed</th><th scope="col">Retries</th></tr></thead><tbody></tbody></table>
  </section>
</div>

<section class="panel" id="inspector" aria-labelledby="inspector-title">
  <h2 id="inspector-title">Inspector</h2>
  <p class="sub">Shows one stored session. Values under secret-looking keys (token, card, password, key…) are masked.</p>
  <form id="inspect-form" class="row-form">
    <label for="inspect-id">Session id, or the first characters of a recent one</label>
    <input id="inspect-id" name="id" maxlength="256" autocomplete="off" spellcheck="false" required>
    <button type="submit">Inspect</button>
  </form>
  <div class="recent">
    <h3>Signed in recently</h3>
    <ul id="recent-list" class="recent-list"><li class="sub">Nobody yet: sign in at the <a href="/">shop</a>.</li></ul>
  </div>
  <div id="inspect-result" class="inspect-result" aria-live="polite"></div>
  <h3 id="user-title">Look up a user</h3>
  <p class="sub">Lists a user's live sessions from the store's user index (the shop's user is the name signed in), with the device facts kept at sign-in. Session ids are shortened.</p>
  <form id="user-form" class="row-form" aria-labelledby="user-title">
    <label for="user-id">User id (the name signed in at the shop)</label>
    <input id="user-id" name="user" maxlength="200" autocomplete="off" spellcheck="false" required>
    <button type="submit">Look up</button>
  </form>
  <div id="user-result" class="inspect-result" aria-live="polite"></div>
</section>
</main>`;
  return renderLayout({ title: 'Dashboard', page: 'dashboard', body, styles: ['dashboard.css'], scripts: ['dashboard.js'] });
}
