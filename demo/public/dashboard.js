// @ts-check
// The live dashboard's script: asks /dashboard/metrics.json for figures every second and draws
// them. It writes text nodes and attributes only (never innerHTML), so nothing a browser sent to
// the shop (a name, an item) can become markup here. No build step, no dependencies.

/** @typedef {import('../dashboard/figures.js').DashboardFigures} DashboardFigures */
/** @typedef {import('../dashboard/figures.js').TimelineTable} TimelineTable */
/** @typedef {import('../dashboard/figures.js').SeriesKey} SeriesKey */
/** @typedef {import('../dashboard/history.js').HistorySeries} HistorySeries */
/** @typedef {import('../recent-sessions.js').RecentSession} RecentSession */
/** @typedef {import('../dashboard/user-lookup.js').UserLookupFigures} UserLookupFigures */
/** @typedef {import('../dashboard/user-lookup.js').UserSessionFigures} UserSessionFigures */
/** @typedef {{ t: number[], values: Record<SeriesKey, number[]>, capacity: number, intervalMs: number }} History */

/** The rows of the chart, in order, with the unit of their rate. */
const CHART_ROWS = /** @type {const} */ ([
  { key: 'hitsCurrent', label: 'Hits, current table', unit: '/s' },
  { key: 'hitsPrevious', label: 'Hits, previous table', unit: '/s' },
  { key: 'misses', label: 'Misses', unit: '/s' },
  { key: 'expired', label: 'Expired', unit: '/s' },
  { key: 'saves', label: 'Saves', unit: '/s' },
  { key: 'skipped', label: 'Skipped saves', unit: '/s' },
  { key: 'conflicts', label: 'Conflicts', unit: '/s' },
  { key: 'errors', label: 'Errors', unit: '/s' },
  { key: 'capacity', label: 'Capacity units', unit: ' CU/s' },
]);

const SVG_NS = 'http://www.w3.org/2000/svg';
const CHART_WIDTH = 600;
const CHART_HEIGHT = 40;
const MIN_WINDOW_MS = 30_000;

/** @type {{ paused: boolean, last: DashboardFigures | undefined, history: History | undefined, offsetMs: number, recentKey: string, timer: number | undefined }} */
const state = { paused: false, last: undefined, history: undefined, offsetMs: 0, recentKey: '', timer: undefined };

// ------------------------------------------------------------------ small helpers

/** @param {string} id */
function byId(id) {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`missing #${id}`);
  return found;
}

/**
 * Creates an element with text content and attributes.
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @param {(Node | string)[]} [children]
 */
function el(tag, attributes = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 */
function svgEl(tag, attributes) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

/** @param {number} value @param {number} [digits] */
function fmtNumber(value, digits = 0) {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Counts are whole numbers; capacity units may be fractions. @param {number} value */
function fmtCount(value) {
  return Number.isInteger(value) ? fmtNumber(value) : fmtNumber(value, 1);
}

/** @param {number | null | undefined} ms */
function fmtTime(ms) {
  if (ms === null || ms === undefined) return '–';
  return new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
}

/** @param {number} ms */
function fmtDuration(ms) {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
}

/** @param {number | null} bytes */
function fmtBytes(bytes) {
  if (bytes === null) return '–';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  return `${fmtNumber(bytes / 1024, bytes < 10_240 ? 1 : 0)} KiB`;
}

/** @param {number} n @param {string} one @param {string} many */
function plural(n, one, many) {
  return `${fmtCount(n)} ${n === 1 ? one : many}`;
}

/**
 * A table name as text with line-break opportunities after each `_`, so
 * `demo-sessions_20261124_100000` wraps at its parts on a narrow screen.
 * @param {string} name
 */
function splitForWrapping(name) {
  return name.split(/(?<=_)/).flatMap((part, index) => (index === 0 ? [part] : [document.createElement('wbr'), part]));
}

/** @param {string} id @param {string} text */
function setText(id, text) {
  const node = byId(id);
  if (node.textContent !== text) node.textContent = text;
}

/** @param {'connecting' | 'live' | 'paused' | 'error'} kind @param {string} text */
function setStatus(kind, text) {
  const node = byId('status-text');
  node.dataset.state = kind;
  node.textContent = text;
}

// ------------------------------------------------------------------ polling

async function poll() {
  state.timer = undefined;
  let delayMs = state.last?.refreshMs ?? 1000;
  if (state.paused || document.hidden) return schedule(delayMs);
  try {
    const since = state.history?.t.at(-1);
    const response = await fetch(`/dashboard/metrics.json${since === undefined ? '' : `?since=${since}`}`, { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    /** @type {DashboardFigures} */
    const figures = await response.json();
    if (state.last !== undefined && figures.startedAtMs !== state.last.startedAtMs) {
      // The server restarted: its counters started again from zero. Start the chart again too.
      state.history = undefined;
      state.last = undefined;
      return schedule(0);
    }
    state.offsetMs = figures.nowMs - Date.now();
    mergeHistory(figures.history);
    render(figures, state.last);
    state.last = figures;
    setStatus(state.paused ? 'paused' : 'live', `Updated ${fmtTime(figures.nowMs)}`);
  } catch {
    setStatus('error', 'No answer from the demo server; retrying');
    delayMs = 2000;
  }
  schedule(delayMs);
}

/** @param {number} delayMs */
function schedule(delayMs) {
  if (state.timer !== undefined) clearTimeout(state.timer);
  state.timer = window.setTimeout(() => void poll(), delayMs);
}

/** @param {HistorySeries} incoming */
function mergeHistory(incoming) {
  if (state.history === undefined) {
    state.history = {
      t: [...incoming.t],
      values: /** @type {Record<SeriesKey, number[]>} */ (Object.fromEntries(Object.entries(incoming.values).map(([k, v]) => [k, [...v]]))),
      capacity: incoming.capacity,
      intervalMs: incoming.intervalMs,
    };
    return;
  }
  const history = state.history;
  history.t.push(...incoming.t);
  for (const [key, values] of Object.entries(incoming.values)) history.values[/** @type {SeriesKey} */ (key)].push(...values);
  const extra = history.t.length - history.capacity;
  if (extra > 0) {
    history.t.splice(0, extra);
    for (const values of Object.values(history.values)) values.splice(0, extra);
  }
}

// ------------------------------------------------------------------ drawing

/** @param {DashboardFigures} figures @param {DashboardFigures | undefined} previous */
function render(figures, previous) {
  setText('started', fmtTime(figures.startedAtMs));
  renderWhy(figures);
  renderTimeline(figures);
  renderCounters(figures, previous);
  renderChart();
  renderSizes(figures);
  renderCalls(figures);
  renderRecent(figures.recentSessions);
  tick();
}

/** @param {DashboardFigures} figures */
function renderWhy(figures) {
  const c = figures.counters;
  setText('why-dropped', plural(c.tablesDeleted, 'table', 'tables'));
  const attempts = c.saves.total + c.skipped.total;
  setText('why-skipped', `${fmtCount(c.skipped.total)} of ${fmtCount(attempts)}`);
  setText('why-capacity', c.capacity.perRequest === null ? '–' : fmtNumber(c.capacity.perRequest, 2));
  setText('rotations', plural(c.rotations, 'rotation', 'rotations'));
}

/** @type {Record<TimelineTable['role'], string>} */
const ROLE_TITLES = { deleted: 'Deleted', expired: 'Expired', kept: 'Kept', previous: 'Previous', current: 'Current', next: 'Next', future: 'Future' };

/** @param {TimelineTable} table */
function describeRole(table) {
  switch (table.role) {
    case 'deleted':
      return `Dropped at ${fmtTime(table.deletedAtMs)}, with every session in it`;
    case 'expired':
      return 'Too old to read; dropped in a moment';
    case 'kept':
      return 'Kept for the longest lifetime; read when the current and previous tables miss';
    case 'previous':
      return 'Read when the current table misses';
    case 'current':
      return 'Reads and writes go here';
    case 'next':
      if (table.status !== 'NOT_CREATED') return 'Created ahead; used from its period';
      return (table.createdFromMs ?? 0) > Date.now() + state.offsetMs ? `Will be created at ${fmtTime(table.createdFromMs)}, ahead of its period` : 'Being created, ahead of its period';
    default:
      return 'Created ahead';
  }
}

/** @param {DashboardFigures} figures */
function renderTimeline(figures) {
  const list = byId('timeline');
  const items = figures.tables.map((table) => {
    const period = table.periodStartMs === null ? '' : `${fmtTime(table.periodStartMs)} – ${fmtTime(table.periodEndMs)}`;
    const item = el('li', { class: `tl tl-${table.role}`, 'data-role': table.role }, [
      el('span', { class: 'tl-role' }, [ROLE_TITLES[table.role] ?? table.role]),
      el('span', { class: 'tl-name' }, table.name === null ? ['(not created yet)'] : splitForWrapping(table.name)),
      el('span', { class: 'tl-period' }, [period]),
      el('span', { class: 'tl-what' }, [describeRole(table)]),
    ]);
    if (table.status !== 'NOT_CREATED' && table.status !== 'DELETED') item.append(el('span', { class: 'tl-status' }, [`DynamoDB: ${table.status.toLowerCase()}`]));
    if (table.role === 'current') item.append(el('span', { class: 'tl-now', id: 'tl-now' }, ['◆ now']));
    return item;
  });
  list.replaceChildren(...items);
}

/** @param {DashboardFigures['counters']} c */
function describeCounters(c) {
  return {
    hitsCurrent: { value: c.hitsCurrent, detail: 'sessions found in this period’s table' },
    hitsPrevious: { value: c.hitsPrevious, detail: c.hitsNext > 0 ? `then moved forward · ${fmtCount(c.hitsNext)} in next` : 'found one table back, then moved forward' },
    misses: { value: c.misses, detail: 'no session under the id' },
    expired: { value: c.expired, detail: 'found, but idle too long' },
    saves: { value: c.saves.total, detail: `put ${fmtCount(c.saves.put)} · update ${fmtCount(c.saves.update)} (refresh ${fmtCount(c.saves.refresh)})` },
    skipped: {
      value: c.skipped.total,
      detail: `unchanged ${fmtCount(c.skipped.unchanged)} · not due ${fmtCount(c.skipped.refreshNotDue)} · ignored ${fmtCount(c.skipped.ignored)}`,
    },
    conflicts: { value: c.conflicts.total, detail: `${fmtCount(c.conflicts.merged)} merged key by key` },
    capacity: {
      value: c.capacity.perRequest,
      detail: `read ${fmtNumber(c.capacity.read, 1)} · write ${fmtNumber(c.capacity.write, 1)} units`,
    },
    errors: { value: c.errors.total, detail: `load ${fmtCount(c.errors.load)} · save ${fmtCount(c.errors.save)} · maintenance ${fmtCount(c.errors.maintenance)}` },
    requests: { value: c.requests.total, detail: `${fmtCount(c.requests.ignored)} ignored by the tracker` },
  };
}

/** @param {DashboardFigures} figures @param {DashboardFigures | undefined} previous */
function renderCounters(figures, previous) {
  const now = describeCounters(figures.counters);
  const before = previous === undefined ? undefined : describeCounters(previous.counters);
  for (const [key, { value, detail }] of Object.entries(now)) {
    const card = document.querySelector(`.counter[data-key="${key}"]`);
    if (card === null) continue;
    const isCapacity = key === 'capacity';
    setText(`c-${key}`, value === null ? '–' : isCapacity ? fmtNumber(value, 2) : fmtCount(value));
    setText(`x-${key}`, detail);
    const old = before?.[/** @type {keyof typeof now} */ (key)].value;
    const delta = !isCapacity && value !== null && old !== undefined && old !== null ? value - old : 0;
    setText(`d-${key}`, delta > 0 ? `▲ ${fmtCount(delta)}` : '');
    card.classList.toggle('changed', delta > 0);
    card.classList.toggle('nonzero', value !== null && value > 0);
  }
}

function renderChart() {
  const history = state.history;
  const chart = byId('chart');
  if (history === undefined || history.t.length === 0) return;
  const t = history.t;
  const endMs = /** @type {number} */ (t.at(-1));
  const windowMs = Math.min(Math.max(endMs - /** @type {number} */ (t[0]), MIN_WINDOW_MS), history.capacity * history.intervalMs);
  const x = (/** @type {number} */ ms) => CHART_WIDTH * (1 - (endMs - ms) / windowMs);
  setText('axis-from', windowMs >= 120_000 ? `${Math.round(windowMs / 60_000)} min ago` : `${Math.round(windowMs / 1000)} s ago`);

  const rotations = history.values.rotations;
  /** @type {number[]} */
  const rotationXs = [];
  for (let i = 1; i < t.length; i += 1) if ((rotations[i] ?? 0) > (rotations[i - 1] ?? 0)) rotationXs.push(x(/** @type {number} */ (t[i])));

  const rows = CHART_ROWS.map(({ key, label, unit }) => {
    const values = history.values[key];
    /** @type {{ x0: number, x1: number, rate: number }[]} */
    const bars = [];
    for (let i = 1; i < t.length; i += 1) {
      const t0 = /** @type {number} */ (t[i - 1]);
      const t1 = /** @type {number} */ (t[i]);
      const seconds = (t1 - t0) / 1000;
      if (seconds <= 0 || x(t1) < 0) continue;
      bars.push({ x0: Math.max(0, x(t0)), x1: x(t1), rate: Math.max(0, (values[i] ?? 0) - (values[i - 1] ?? 0)) / seconds });
    }
    const peak = bars.reduce((max, bar) => Math.max(max, bar.rate), 0);
    const recent = averageRate(t, values, 5000);
    const path = bars
      .filter((bar) => bar.rate > 0)
      .map((bar) => {
        const h = Math.max(1.5, (bar.rate / peak) * (CHART_HEIGHT - 4));
        const w = Math.max(0.8, bar.x1 - bar.x0 - 0.6);
        return `M${bar.x0.toFixed(1)} ${CHART_HEIGHT}v${(-h).toFixed(1)}h${w.toFixed(1)}v${h.toFixed(1)}z`;
      })
      .join('');
    const rateText = `${fmtNumber(recent, recent > 0 && recent < 10 ? 1 : 0)}${unit}`;
    const svg = svgEl('svg', {
      viewBox: `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': `${label}: ${rateText} over the last 5 seconds, peak ${fmtNumber(peak, 1)}${unit}`,
    });
    svg.append(svgEl('line', { class: 'baseline', x1: 0, x2: CHART_WIDTH, y1: CHART_HEIGHT - 0.5, y2: CHART_HEIGHT - 0.5 }));
    if (path !== '') svg.append(svgEl('path', { class: 'bars', d: path }));
    for (const rx of rotationXs) svg.append(svgEl('line', { class: 'rotation-line', x1: rx, x2: rx, y1: 0, y2: CHART_HEIGHT }));
    return el('div', { class: 'chart-row', 'data-series': key }, [
      el('span', { class: 'chart-label' }, [label]),
      svg,
      el('span', { class: 'chart-rate' }, [rateText]),
    ]);
  });
  chart.replaceChildren(...rows);
}

/**
 * The average rate over about the last `spanMs`.
 * @param {readonly number[]} t @param {readonly number[]} values @param {number} spanMs
 */
function averageRate(t, values, spanMs) {
  const last = t.length - 1;
  if (last < 1) return 0;
  let first = last - 1;
  while (first > 0 && /** @type {number} */ (t[last]) - /** @type {number} */ (t[first]) < spanMs) first -= 1;
  const seconds = (/** @type {number} */ (t[last]) - /** @type {number} */ (t[first])) / 1000;
  return seconds <= 0 ? 0 : Math.max(0, (values[last] ?? 0) - (values[first] ?? 0)) / seconds;
}

/** @param {DashboardFigures} figures */
function renderSizes(figures) {
  const sizes = figures.sessionSize;
  setText(
    'size-summary',
    sizes.count === 0 ? 'No session saved yet.' : `${plural(sizes.count, 'save', 'saves')} · mean ${fmtBytes(sizes.meanBytes)} · largest ${fmtBytes(sizes.maxBytes)}`,
  );
  const peak = Math.max(1, ...sizes.buckets.map((bucket) => bucket.count));
  let lower = 0;
  const rows = sizes.buckets.map((bucket) => {
    const label = bucket.upToBytes === null ? `> ${fmtBytes(lower)}` : `≤ ${fmtBytes(bucket.upToBytes)}`;
    lower = bucket.upToBytes ?? lower;
    const bar = el('span', { class: 'bar', 'aria-hidden': 'true' });
    bar.style.width = `${(bucket.count / peak) * 75}%`;
    return el('tr', {}, [el('th', { scope: 'row' }, [label]), el('td', {}, [bar, fmtCount(bucket.count)])]);
  });
  byId('sizes').querySelector('tbody')?.replaceChildren(...rows);
}

/** @param {DashboardFigures} figures */
function renderCalls(figures) {
  const rows = figures.dynamodbCalls.map((call) =>
    el('tr', {}, [el('td', {}, [call.operation]), el('td', {}, [fmtCount(call.calls)]), el('td', {}, [fmtCount(call.errors)]), el('td', {}, [fmtCount(call.retries)])]),
  );
  byId('calls').querySelector('tbody')?.replaceChildren(...rows);
}

/** Redrawn only when it changed, so a button is never swapped out under the pointer. @param {readonly RecentSession[]} sessions */
function renderRecent(sessions) {
  const key = JSON.stringify(sessions);
  if (key === state.recentKey) return;
  state.recentKey = key;
  const list = byId('recent-list');
  if (sessions.length === 0) {
    list.replaceChildren(el('li', { class: 'sub' }, ['Nobody signed in through this server yet.']));
    return;
  }
  list.replaceChildren(
    ...sessions.map((session) => {
      const button = el('button', { type: 'button', 'data-prefix': session.idPrefix }, [`${session.idPrefix}… · ${session.name} · ${fmtTime(session.signedInAtMs)}`]);
      button.addEventListener('click', () => {
        /** @type {HTMLInputElement} */ (byId('inspect-id')).value = session.idPrefix;
        void inspect(session.idPrefix);
      });
      const user = el('button', { type: 'button', class: 'user-button', 'data-user': session.name, title: 'Look up every session of this user' }, [`${session.name}’s sessions`]);
      user.addEventListener('click', () => {
        /** @type {HTMLInputElement} */ (byId('user-id')).value = session.name;
        void lookUpUser(session.name);
      });
      return el('li', {}, [button, user]);
    }),
  );
}

/** Updates the countdown and the period bar between polls. */
function tick() {
  const figures = state.last;
  if (figures === undefined || figures.rotation.nextRotationAtMs === null) {
    if (figures !== undefined) setText('countdown', 'never (TTL mode)');
    return;
  }
  const nowMs = Date.now() + state.offsetMs;
  const remaining = figures.rotation.nextRotationAtMs - nowMs;
  const periodMs = figures.rotation.periodMs;
  setText('countdown', remaining <= 0 ? 'now' : fmtDuration(remaining));
  const progress = /** @type {HTMLProgressElement} */ (byId('period-progress'));
  const done = Math.min(1, Math.max(0, 1 - remaining / periodMs));
  progress.value = Math.round(done * 1000);
  const start = figures.rotation.nextRotationAtMs - periodMs;
  setText('period-label', `Current period ${fmtTime(start)} – ${fmtTime(figures.rotation.nextRotationAtMs)} · ${Math.round(done * 100)}% gone · one table every ${fmtDuration(periodMs)}`);
}

// ------------------------------------------------------------------ inspector

/** @param {string} id */
async function inspect(id) {
  const result = byId('inspect-result');
  result.replaceChildren(el('p', { class: 'sub' }, ['Looking…']));
  try {
    const response = await fetch('/dashboard/inspect', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });
    const body = await response.json();
    if (response.status === 404) {
      result.replaceChildren(el('p', {}, [`No session under ${body.idPrefix}…: it expired, was signed out, or was never saved.`]));
    } else if (!response.ok) {
      result.replaceChildren(el('p', { class: 'alert' }, [String(body.error ?? `HTTP ${response.status}`)]));
    } else {
      result.replaceChildren(...renderInspected(body));
    }
  } catch {
    result.replaceChildren(el('p', { class: 'alert' }, ['No answer from the demo server.']));
  }
}

/**
 * @param {{ idPrefix: string, table: string, tableRole: string, version: number, lastAccessedMs: number, expiresAtMs: number, dataBytes: number, expired: boolean, session: unknown }} found
 */
function renderInspected(found) {
  /** @type {[string, string][]} */
  const facts = [
    ['Table', `${found.table} (${found.tableRole})`],
    ['Version', String(found.version)],
    ['Last written', fmtTime(found.lastAccessedMs)],
    ['Expires', `${fmtTime(found.expiresAtMs)}${found.expired ? ' (expired)' : ''}`],
    ['Stored size', fmtBytes(found.dataBytes)],
  ];
  const masked = findMaskedPaths(found.session);
  facts.push(['Masked', masked.length === 0 ? 'nothing' : masked.join(', ')]);
  const list = el('dl', {}, facts.flatMap(([term, value]) => [el('dt', {}, [term]), el('dd', {}, [value])]));
  return [
    el('h3', {}, [`Session ${found.idPrefix}…`]),
    list,
    el('pre', { 'aria-label': 'Session data, secrets masked' }, [JSON.stringify(found.session, null, 2)]),
  ];
}

/**
 * The paths of the values the server masked, such as `csrfToken`.
 * @param {unknown} value @param {string} [path] @returns {string[]}
 */
function findMaskedPaths(value, path = '') {
  if (value === '[masked]') return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => findMaskedPaths(item, path === '' ? key : `${path}.${key}`));
}

// ------------------------------------------------------------------ user lookup

/** @param {string} user */
async function lookUpUser(user) {
  const result = byId('user-result');
  result.replaceChildren(el('p', { class: 'sub' }, ['Looking…']));
  try {
    const response = await fetch('/dashboard/user', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    const body = await response.json();
    if (!response.ok) {
      result.replaceChildren(el('p', { class: 'alert' }, [String(body.error ?? `HTTP ${response.status}`)]));
    } else {
      result.replaceChildren(...renderUserSessions(user, /** @type {UserLookupFigures} */ (body)));
    }
  } catch {
    result.replaceChildren(el('p', { class: 'alert' }, ['No answer from the demo server.']));
  }
}

/** @param {string} user @param {UserLookupFigures} found */
function renderUserSessions(user, found) {
  const count = found.sessions.length;
  const heading = el('h3', {}, [count === 0 ? `No live session for ${user}` : `${user}: ${plural(count, 'live session', 'live sessions')}`]);
  if (count === 0) return [heading, el('p', { class: 'sub' }, ['Signed out everywhere, expired, or never signed in. A session saved a moment ago may take a moment to appear: the index is eventually consistent.'])];
  const rows = found.sessions.map((session) => {
    const ip = typeof session.device?.ip === 'string' && session.device.ip !== '' ? ` · from ${session.device.ip}` : '';
    return el('tr', { 'data-prefix': session.idPrefix }, [
      el('td', {}, [el('code', {}, [`${session.idPrefix}…`])]),
      el('td', {}, [`${session.deviceLabel}${ip}`]),
      el('td', {}, [fmtTime(session.createdAtMs)]),
      el('td', {}, [fmtTime(session.lastSeenAtMs)]),
      el('td', {}, [fmtTime(session.expiresAtMs)]),
    ]);
  });
  const head = el('tr', {}, ['Session', 'Device', 'Created', 'Last seen', 'Expires'].map((title) => el('th', { scope: 'col' }, [title])));
  const table = el('table', { class: 'user-sessions', id: 'user-sessions' }, [
    el('caption', { class: 'visually-hidden' }, [`Live sessions of ${user}`]),
    el('thead', {}, [head]),
    el('tbody', {}, rows),
  ]);
  return [heading, table];
}

// ------------------------------------------------------------------ start

byId('user-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = /** @type {HTMLInputElement} */ (byId('user-id')).value;
  if (value.trim() !== '') void lookUpUser(value);
});

byId('inspect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = /** @type {HTMLInputElement} */ (byId('inspect-id')).value.trim();
  if (value !== '') void inspect(value);
});

byId('pause').addEventListener('click', () => {
  state.paused = !state.paused;
  const button = byId('pause');
  button.setAttribute('aria-pressed', String(state.paused));
  button.textContent = state.paused ? 'Resume' : 'Pause';
  setStatus(state.paused ? 'paused' : 'live', state.paused ? 'Paused' : 'Resuming…');
  if (!state.paused) schedule(0);
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && !state.paused) schedule(0);
});

window.setInterval(tick, 200);
void poll();
