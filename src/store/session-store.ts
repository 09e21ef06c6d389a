import { performance } from 'node:perf_hooks';
import type { PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  buildSessionItem,
  buildTombstoneItem,
  decodeItem,
  encodeSessionData,
  itemSizeBytes,
  type Item,
  type SessionRecord,
  type StoredSession,
  type Tombstone,
} from '../codec/codec.js';
import { ATTR } from '../codec/item-format.js';
import { isValidSessionId } from '../codec/session-id.js';
import { sameSessionBody, sessionBodyText } from '../codec/stable-json.js';
import { createClient } from '../dynamo/create-client.js';
import { resolveOptions, type ResolvedOptions } from '../config/resolve-options.js';
import type { DynamoSessionStoreOptions } from '../config/options.js';
import { SessionManagerError, isSessionManagerError } from '../errors.js';
import type { ExpiryStrategy, TableInfo, TableRef } from '../expiry/strategy.js';
import { createExpiryStrategy } from '../expiry/create-strategy.js';
import { redactId, safeLog } from '../logging/logger.js';
import { maskSession } from '../logging/session-contents.js';
import { Metrics } from '../metrics/metrics.js';
import { METRIC } from '../metrics/names.js';
import type { MetricsSnapshot } from '../metrics/registry.js';
import { decideSave, type SaveReason } from './decide.js';
import { requestScope, type RequestState } from './request-state.js';
import { Backend } from '../dynamo/backend.js';
import { PreviousTableReads } from './read-mode.js';
import { chooseTransport } from '../dynamo/transport/choose-transport.js';
import { DirectTransport } from '../dynamo/transport/direct-transport.js';
import { isConditionFailed } from '../dynamo/backend-errors.js';
import { backoffMs, sleep, type Deadline } from '../dynamo/deadline.js';
import {
  buildDeleteInput,
  buildGetInput,
  buildPutIfAbsentInput,
  buildPutIfVersionInput,
  buildPutTombstoneInput,
  buildPutUnlessDestroyedInput,
  buildRefreshInput,
  buildScanInput,
} from '../dynamo/params.js';
import { applyDiff, diffSession } from './session-diff.js';

/** What a load knew about the stored session; saves are conditional on it. */
export interface LoadContext {
  /** The table the session was found in. */
  readonly table: TableRef;
  /** The stored version: the condition of the next write. */
  readonly version: number;
  /** The loaded session without its cookie, as JSON (`sessionBodyText`): the base of change detection and merges. */
  readonly bodyJson: string;
  /** When the session was last written, epoch ms. */
  readonly lastAccessedMs: number;
  /** When the session expires unless refreshed, epoch ms. */
  readonly expiresAtMs: number;
}

/** A session read from the store, with what the load learnt. */
export interface LoadedSession {
  readonly session: SessionRecord;
  readonly context: LoadContext;
}

/** What the caller knows about the request a save belongs to. */
export interface SaveHints {
  /** The load this session came from; absent for a new session (or one loaded elsewhere). */
  readonly load?: LoadContext | undefined;
  /** The tracker's view of the request. */
  readonly request?: RequestState | undefined;
  /** The session was loaded, but by code that could not keep the load context: write without a version. */
  readonly unversioned?: boolean;
}

/** The result of a save or touch. */
export interface SaveResult {
  readonly action: 'written' | 'refreshed' | 'skipped' | 'dropped';
  readonly reason: SaveReason | 'merged' | 'destroyed';
  /** The context to use for a further save of the same session in the same request. */
  readonly context?: LoadContext;
}

/** A session as the inspector shows it: values under secret-looking keys masked. */
export interface InspectedSession {
  readonly table: string;
  readonly version: number;
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
  readonly dataBytes: number;
  readonly expired: boolean;
  readonly session: unknown;
}

/**
 * The framework-neutral session store: loads, saves, refreshes and destroys sessions in DynamoDB,
 * with expiry by table rotation or native TTL. Adapters (express-session, @fastify/session,
 * koa-session) translate their contracts onto it.
 *
 * Guarantees: a read-only request costs one GetItem and no write; every write is conditional on
 * the version the request loaded, and a conflicting write is merged key by key over the stored
 * session; a destroyed session is never brought back; bad ids, corrupt items and oversize
 * sessions never reach DynamoDB or crash the process.
 */
export class SessionStore {
  readonly options: ResolvedOptions;
  readonly #backend: Backend;
  readonly #metrics: Metrics;
  readonly #strategy: ExpiryStrategy;
  readonly #closeClient: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ready: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #lastKickMs = 0;
  readonly #previousReads = new PreviousTableReads();
  readonly #background = new Set<Promise<void>>();

  /**
   * @param options - see {@link DynamoSessionStoreOptions}; all optional.
   * @throws {SessionManagerError} `config.*` for invalid options.
   */
  constructor(options: DynamoSessionStoreOptions | ResolvedOptions = {}) {
    this.options = isResolved(options) ? options : resolveOptions(options);
    const o = this.options;
    // Metrics first: its options can still fail, and the client must not be built before that.
    this.#metrics = new Metrics({
      ...(o.metricsSink === undefined ? {} : { sink: o.metricsSink }),
      ...(o.statsd === undefined
        ? {}
        : { statsdHost: o.statsd.host, statsdPort: o.statsd.port, ...(o.statsd.prefix === undefined ? {} : { statsdPrefix: o.statsd.prefix }) }),
      now: o.now,
      logger: o.logger,
    });
    const handle = createClient(o.connection, o.requestTimeoutMs);
    const transport = chooseTransport(o.transport, handle.client);
    this.#closeClient = handle.owned ? () => handle.client.destroy() : undefined;
    this.#backend = new Backend({
      client: handle.client,
      requestTimeoutMs: o.requestTimeoutMs,
      maxRetries: o.maxRetries,
      operationTimeoutMs: o.operationTimeoutMs,
      metrics: this.#metrics,
      logger: o.logger,
      direct: transport.transport === 'direct' ? new DirectTransport(handle.client) : undefined,
    });
    safeLog(o.logger, 'debug', { transport: transport.transport, reason: transport.reason }, 'item operations transport');
    this.#strategy = createExpiryStrategy(o, this.#backend, this.#metrics);
    this.#ready = this.#start();
    this.#scheduleMaintenance();
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Resolves once the current period's table is ACTIVE and in use and the previous one is known.
   * After a failure, the next call tries again.
   *
   * @throws {SessionManagerError} `backend.*` or `rotation.tableNotReady`.
   */
  async ready(): Promise<void> {
    this.#ready ??= this.#start();
    await keepingProcessAlive(this.#ready);
  }

  #start(): Promise<void> {
    const started = this.#strategy.maintain();
    started.catch((error: unknown) => {
      this.#ready = undefined;
      safeLog(this.options.logger, 'error', { code: (error as SessionManagerError).code, message: (error as Error).message }, 'Session store could not get its tables ready');
    });
    return started;
  }

  /**
   * Runs one round of table maintenance now: creates the next table ahead of its period, switches
   * to the period of `now()`, deletes expired tables. The background timer calls the same thing.
   */
  async maintain(): Promise<void> {
    this.#assertOpen();
    await keepingProcessAlive(this.#strategy.maintain());
  }

  #scheduleMaintenance(): void {
    const interval = this.options.maintenanceIntervalMs;
    if (interval <= 0) return;
    const tick = (): void => {
      this.#strategy.maintain().catch(() => undefined); // failures are logged and counted by the strategy
      this.#timer = setTimeout(tick, interval);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, interval);
    this.#timer.unref();
  }

  /** Starts a maintenance round in the background when requests find the tables behind the clock. */
  #kickMaintenance(): void {
    const now = performance.now();
    if (now - this.#lastKickMs < 1000 || this.#closed !== undefined) return;
    this.#lastKickMs = now;
    this.#strategy.maintain().catch(() => undefined);
  }

  /**
   * Stops background work, waits for a maintenance round in flight, closes the statsd client and
   * destroys the DynamoDB client if the store built it (never a client it was given). Idempotent.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      await this.#ready?.catch(() => undefined);
      await this.#strategy.settled();
      await this.flush();
      await this.#metrics.close();
      this.#closeClient?.();
    })();
    return this.#closed;
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) throw new SessionManagerError('store.closed', 'The session store is closed.');
  }

  /** The in-process metrics: counters, timers, the session size histogram. */
  metrics(): MetricsSnapshot {
    return this.#metrics.snapshot();
  }

  /** @internal The metrics facade, for the tracker. */
  get metricsRecorder(): Metrics {
    return this.#metrics;
  }

  /** The tables the store knows, with their roles now. */
  tables(): readonly TableInfo[] {
    return this.#strategy.tables(this.options.now());
  }

  /** Milliseconds until the next rotation, or undefined in TTL mode. */
  msUntilRotation(): number | undefined {
    return this.#strategy.msUntilRotation(this.options.now());
  }

  /** The expiry mode. */
  get expiry(): 'rotation' | 'ttl' {
    return this.#strategy.mode;
  }

  /** How item operations are sent, as chosen from the `transport` option and the client. */
  get transport(): 'direct' | 'sdk' {
    return this.#backend.transport;
  }

  // ---------------------------------------------------------------- load

  /**
   * Loads a session. A missing, expired, destroyed or corrupt session, or a malformed id, is
   * `null`; a malformed id costs no DynamoDB call.
   *
   * @throws {SessionManagerError} `backend.*` when DynamoDB fails and `onBackendError` is `'fail'`.
   */
  async get(id: unknown): Promise<LoadedSession | null> {
    this.#assertOpen();
    if (!isValidSessionId(id, this.options.sessionIdPattern)) {
      this.#metrics.increment(METRIC.sessionLoadInvalidId);
      return null;
    }
    const started = performance.now();
    try {
      const deadline = this.#backend.operationDeadline();
      await this.#whenUsable(deadline);
      const found = await this.#readLatest(id, deadline, !this.options.eventualConsistency);
      const loaded = this.#toLoaded(id, found);
      if (loaded !== null) requestScope.getStore()?.loads.set(id, loaded.context);
      this.#metrics.timing(METRIC.sessionLoad, performance.now() - started);
      return loaded;
    } catch (error) {
      this.#metrics.increment(METRIC.sessionLoadError);
      safeLog(this.options.logger, 'warn', () => ({ op: 'load', session: redactId(id), code: (error as SessionManagerError).code, message: (error as Error).message }), 'Session load failed');
      if (this.options.onBackendError === 'anonymous' && isSessionManagerError(error, 'backend.')) {
        const scope = requestScope.getStore();
        if (scope !== undefined) scope.degraded = true;
        this.#metrics.increment(METRIC.sessionDegraded);
        return null;
      }
      throw error;
    }
  }

  #toLoaded(id: string, found: Found | undefined): LoadedSession | null {
    if (found === undefined || found.record.kind === 'tombstone') {
      this.#metrics.increment(METRIC.sessionLoadMiss);
      safeLog(this.options.logger, 'debug', () => ({ session: redactId(id) }), 'Session not found');
      return null;
    }
    const record = found.record;
    if (this.#isExpired(record)) {
      this.#metrics.increment(METRIC.sessionLoadExpired);
      safeLog(this.options.logger, 'debug', () => ({ session: redactId(id), table: found.table.name }), 'Session expired');
      return null;
    }
    this.#metrics.increment(
      found.table.role === 'current' ? METRIC.sessionLoadHitCurrent : found.table.role === 'previous' ? METRIC.sessionLoadHitPrevious : METRIC.sessionLoadHitNext,
    );
    const context: LoadContext = {
      table: found.table,
      version: record.version,
      bodyJson: sessionBodyText(record.session),
      lastAccessedMs: record.lastAccessedMs,
      expiresAtMs: record.expiresAtMs,
    };
    if (this.options.logSessionContents) {
      safeLog(this.options.logger, 'debug', () => ({ session: redactId(id), table: found.table.name, keys: Object.keys(record.session) }), 'Session loaded');
    }
    return { session: record.session, context };
  }

  #isExpired(record: StoredSession): boolean {
    const now = this.options.now();
    return now >= record.expiresAtMs || now - record.lastAccessedMs > this.options.maxInactiveMs;
  }

  /** Waits, within the deadline, for a first usable table (only right after a first start). */
  async #whenUsable(deadline: Deadline): Promise<void> {
    if (this.#strategy.writeTable(this.options.now()) !== undefined) return;
    const ready = this.ready();
    await Promise.race([ready.catch(() => undefined), sleep(deadline.remainingMs())]);
    if (this.#strategy.writeTable(this.options.now()) === undefined) {
      await ready; // surfaces the reason (table missing, backend down) when there is one
      throw new SessionManagerError('rotation.tableNotReady', 'No session table is ACTIVE yet; the store is still creating it.', { retryable: true });
    }
  }

  /** Reads the freshest record of `id` across the tables of the read plan. A tombstone wins. */
  async #readLatest(id: string, deadline: Deadline, consistent: boolean): Promise<Found | undefined> {
    const now = this.options.now();
    const plan = this.#strategy.readPlan(now);
    if (this.#strategy.needsMaintenance(now)) this.#kickMaintenance();
    const current = plan.first.find((table) => table.role === 'current');
    if (current === undefined || plan.first.length + plan.fallback.length === 1) return await this.#readTables(plan.first, id, deadline, consistent);
    // A previous (or next) table exists: read it at once or only on a miss, as recent loads suggest.
    let found: Found | undefined;
    if (plan.fallback.length > 0 && this.#previousReads.together(current.period)) {
      found = await this.#readTables([...plan.first, ...plan.fallback], id, deadline, consistent);
    } else {
      found = await this.#readTables(plan.first, id, deadline, consistent);
      if (found === undefined && plan.fallback.length > 0) found = await this.#readTables(plan.fallback, id, deadline, consistent);
    }
    this.#previousReads.record(current.period, found?.table.role === 'current');
    return found;
  }

  async #readTables(tables: readonly TableRef[], id: string, deadline: Deadline, consistent: boolean): Promise<Found | undefined> {
    const hits = await Promise.all(tables.map((table) => this.#readOne(table, id, deadline, consistent)));
    let best: Found | undefined;
    for (const hit of hits) {
      if (hit === undefined) continue;
      if (hit.record.kind === 'tombstone') return hit;
      if (best === undefined || isFresher(hit, best)) best = hit;
    }
    return best;
  }

  async #readOne(table: TableRef, id: string, deadline: Deadline, consistent: boolean): Promise<Found | undefined> {
    let item: Item | undefined;
    try {
      item = (await this.#backend.send('GetItem', buildGetInput(table.name, id, consistent), deadline)).Item;
    } catch (error) {
      if (isSessionManagerError(error, 'backend.tableMissing')) {
        this.#strategy.markMissing(table.name);
        this.#kickMaintenance();
        if (table.role !== 'current') return undefined; // another server already dropped it
      }
      throw error;
    }
    if (item === undefined) return undefined;
    try {
      return { table, record: decodeItem(item) };
    } catch (error) {
      this.#metrics.increment(METRIC.sessionLoadCorrupt);
      safeLog(this.options.logger, 'warn', () => ({ session: redactId(id), table: table.name, reason: (error as SessionManagerError).details?.reason }), 'Ignoring a corrupt session item');
      return undefined;
    }
  }

  // ---------------------------------------------------------------- save

  /**
   * Saves a session at the end of a request. Writes only what the decision calls for: nothing
   * for an ignored request or an unchanged session, a refresh of the expiry when it is due, a
   * conditional write for a new or changed session (merged key by key on a conflict).
   *
   * @throws {SessionManagerError} `codec.itemTooLarge`, `codec.unserializable`, `codec.invalidId`,
   *   `store.conflict`, `backend.*`.
   */
  async set(id: string, session: SessionRecord, hints: SaveHints = {}): Promise<SaveResult> {
    return await this.#save(id, session, hints, false);
  }

  /**
   * Marks a session as active without changing it. In rotation mode this writes nothing unless
   * the session must move forward to the current table or its expiry is due for a refresh; it
   * never creates an item for an id that has no stored session.
   */
  async touch(id: string, session: SessionRecord, hints: SaveHints = {}): Promise<SaveResult> {
    return await this.#save(id, session, hints, true);
  }

  async #save(id: string, session: SessionRecord, hints: SaveHints, touchOnly: boolean): Promise<SaveResult> {
    this.#assertOpen();
    if (!isValidSessionId(id, this.options.sessionIdPattern)) {
      if (touchOnly) return { action: 'skipped', reason: 'unchanged' };
      throw new SessionManagerError('codec.invalidId', 'Refusing to save a session under a malformed id.');
    }
    const request = hints.request;
    const load = hints.load ?? (hints.unversioned === true ? undefined : request?.loads.get(id));
    const now = this.options.now();
    // A touch never compares nor writes the body: its text is needed only for a save.
    const bodyJson = touchOnly ? undefined : sessionBodyText(session);
    const expiresAtMs = this.#expiresAt(session, now);
    const writeTable = this.#strategy.writeTable(now);
    const decision = decideSave({
      ignored: request?.ignored !== undefined,
      degraded: request?.degraded === true,
      loaded: load !== undefined || touchOnly,
      changed: bodyJson !== undefined && (load === undefined || !sameSessionBody(load.bodyJson, bodyJson)),
      inOlderTable: load !== undefined && writeTable !== undefined && load.table.period < writeTable.period,
      sinceLastWriteMs: load === undefined ? Number.POSITIVE_INFINITY : now - load.lastAccessedMs,
      expiryGainMs: load === undefined ? Number.POSITIVE_INFINITY : expiresAtMs - load.expiresAtMs,
      touchAfterMs: this.options.touchAfterMs,
    });
    if (decision.action === 'skip') {
      if (decision.reason === 'ignored') this.#metrics.increment(METRIC.sessionSaveSkippedIgnored);
      else if (decision.reason === 'degraded') this.#metrics.increment(METRIC.sessionDegraded);
      else if (touchOnly) this.#metrics.increment(METRIC.sessionTouchSkipped);
      else this.#metrics.increment(METRIC.sessionSaveSkippedUnchanged);
      safeLog(this.options.logger, 'debug', () => ({ session: redactId(id), reason: decision.reason }), 'Session not written');
      return { action: 'skipped', reason: decision.reason, ...(load === undefined ? {} : { context: load }) };
    }
    const started = performance.now();
    try {
      const deadline = this.#backend.operationDeadline();
      await this.#whenUsable(deadline);
      const result =
        decision.action === 'touch'
          ? await this.#refresh(id, session, expiresAtMs, load, decision.reason, deadline)
          : await this.#write(id, session, bodyJson ?? sessionBodyText(session), expiresAtMs, load, hints.unversioned === true, decision.reason, deadline);
      if (result.context !== undefined) request?.loads.set(id, result.context);
      if (result.action === 'written' || result.action === 'refreshed') {
        if (request !== undefined) request.stored = true;
        this.#metrics.timing(METRIC.sessionSave, performance.now() - started);
      }
      return result;
    } catch (error) {
      if (!isSessionManagerError(error, 'codec.')) this.#metrics.increment(METRIC.sessionSaveError);
      safeLog(this.options.logger, isSessionManagerError(error, 'codec.') ? 'warn' : 'error', () => ({ op: touchOnly ? 'touch' : 'save', session: redactId(id), code: (error as SessionManagerError).code, message: (error as Error).message }), 'Session save failed');
      if (this.options.onBackendError === 'anonymous' && isSessionManagerError(error, 'backend.')) {
        this.#metrics.increment(METRIC.sessionDegraded);
        return { action: 'skipped', reason: 'degraded' };
      }
      throw error;
    }
  }

  #expiresAt(session: SessionRecord, now: number): number {
    const idle = now + this.options.maxInactiveMs;
    const raw = session.cookie?.expires;
    const cookieExpires = raw instanceof Date ? raw.getTime() : typeof raw === 'string' || typeof raw === 'number' ? new Date(raw).getTime() : Number.NaN;
    return Number.isFinite(cookieExpires) ? Math.min(idle, cookieExpires) : idle;
  }

  #encode(id: string, session: SessionRecord, version: number, expiresAtMs: number): Item {
    const { data } = encodeSessionData(session);
    const item = buildSessionItem({ id, data, version, lastAccessedMs: this.options.now(), expiresAtMs });
    const bytes = itemSizeBytes(item);
    if (bytes > this.options.maxItemBytes) {
      this.#metrics.increment(METRIC.sessionSaveTooLarge);
      throw new SessionManagerError(
        'codec.itemTooLarge',
        `The session is ${bytes} bytes when stored, over DynamoDB's limit of ${this.options.maxItemBytes}; it was not saved and the stored session is unchanged. Keep large data out of the session.`,
        { details: { bytes, limit: this.options.maxItemBytes } },
      );
    }
    this.#metrics.histogram(METRIC.sessionSize, bytes);
    return item;
  }

  async #write(
    id: string,
    session: SessionRecord,
    bodyJson: string,
    expiresAtMs: number,
    load: LoadContext | undefined,
    unversioned: boolean,
    reason: SaveReason,
    deadline: Deadline,
  ): Promise<SaveResult> {
    const target = this.#targetFor(load?.table);
    const version = (load?.version ?? 0) + 1;
    const item = this.#encode(id, session, version, expiresAtMs);
    const input = putInput(target, item, load, unversioned);
    try {
      await this.#backend.send('PutItem', input, deadline);
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      this.#metrics.increment(METRIC.sessionSaveConflict);
      return await this.#merge(id, session, bodyJson, load, expiresAtMs, error, target, deadline);
    }
    this.#metrics.increment(METRIC.sessionSavePut);
    this.#logSaved(id, session, target, reason);
    return { action: 'written', reason, context: this.#contextAfterWrite(target, version, bodyJson, item, expiresAtMs) };
  }

  /**
   * Resolves a lost race: reads the stored session, applies this request's changes (keys it set
   * or removed) over it, and writes again on the stored version; a bounded number of rounds with
   * jittered backoff. A session destroyed meanwhile stays destroyed.
   */
  async #merge(
    id: string,
    session: SessionRecord,
    bodyJson: string,
    load: LoadContext | undefined,
    expiresAtMs: number,
    firstFailure: unknown,
    firstTarget: TableRef,
    deadline: Deadline,
  ): Promise<SaveResult> {
    const diff = diffSession(load?.bodyJson, session);
    let failure: unknown = firstFailure;
    let failedTarget = firstTarget;
    for (let round = 0; round < this.options.maxConflictRetries; round += 1) {
      const stored = await this.#storedAfterConflict(id, failure, failedTarget, deadline);
      if (stored === undefined || stored.record.kind === 'tombstone' || this.#isExpired(stored.record)) {
        this.#metrics.increment(METRIC.sessionSaveDropped);
        safeLog(this.options.logger, 'debug', () => ({ session: redactId(id) }), 'Save dropped: the session was destroyed by another request');
        return { action: 'dropped', reason: 'destroyed' };
      }
      const record = stored.record;
      const merged = applyDiff(record.session, diff, session.cookie);
      const target = this.#targetFor(stored.table);
      const item = this.#encode(id, merged, record.version + 1, expiresAtMs);
      const input = putInput(target, item, { table: stored.table, version: record.version });
      try {
        await this.#backend.send('PutItem', input, deadline);
        this.#metrics.increment(METRIC.sessionSaveMerged);
        this.#metrics.increment(METRIC.sessionSavePut);
        safeLog(this.options.logger, 'debug', () => ({ session: redactId(id), rounds: round + 1, table: target.name }), 'Session merged after a concurrent write');
        // The context describes the caller's session, not the merged one: a further save of the
        // same object then sends only what changed since, not the removal of keys it never had.
        return { action: 'written', reason: 'merged', context: this.#contextAfterWrite(target, record.version + 1, bodyJson, item, expiresAtMs) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        this.#metrics.increment(METRIC.sessionSaveConflict);
        failure = error;
        failedTarget = target;
        if (deadline.remainingMs() < 50) break;
        await sleep(backoffMs(round, 5, 100), { keepAlive: true });
      }
    }
    throw new SessionManagerError('store.conflict', `The session kept changing under concurrent requests; the save was given up after ${this.options.maxConflictRetries} merge rounds.`, {
      details: { rounds: this.options.maxConflictRetries },
      retryable: true,
    });
  }

  /** The stored record after a failed condition: from the failure itself when DynamoDB returned it, else a consistent re-read. */
  async #storedAfterConflict(id: string, failure: unknown, target: TableRef, deadline: Deadline): Promise<Found | undefined> {
    const item = (failure as { Item?: Item }).Item;
    if (item !== undefined) {
      try {
        return { table: target, record: decodeItem(item) };
      } catch {
        // fall through to a re-read
      }
    }
    return await this.#readLatest(id, deadline, true);
  }

  /** Writes go to the current table, or to a later one where the session already lives (a server ahead of us moved it). */
  #targetFor(found: TableRef | undefined): TableRef {
    const current = this.#strategy.writeTable(this.options.now());
    if (current === undefined) throw new SessionManagerError('rotation.tableNotReady', 'No session table is ACTIVE yet.', { retryable: true });
    return found !== undefined && found.period > current.period ? found : current;
  }

  #contextAfterWrite(table: TableRef, version: number, bodyJson: string, item: Item, expiresAtMs: number): LoadContext {
    return { table, version, bodyJson, lastAccessedMs: Number(item[ATTR.lastAccessed]?.N ?? this.options.now()), expiresAtMs };
  }

  #logSaved(id: string, session: SessionRecord, table: TableRef, reason: SaveReason | 'merged'): void {
    safeLog(
      this.options.logger,
      'debug',
      () => ({
        session: redactId(id),
        table: table.name,
        reason,
        ...(this.options.logSessionContents ? { contents: maskSession(session, this.options.secretKeyPatterns) } : {}),
      }),
      'Session saved',
    );
  }

  /** Refreshes an unchanged session: moves it to the current table, or sets only its expiry. Losing a race here is fine: the winner refreshed it. */
  async #refresh(
    id: string,
    session: SessionRecord,
    expiresAtMs: number,
    load: LoadContext | undefined,
    reason: SaveReason,
    deadline: Deadline,
  ): Promise<SaveResult> {
    const target = this.#targetFor(load?.table);
    try {
      if (load === undefined) {
        // Loaded by code that kept no context: refresh the expiry only if the session still exists.
        await this.#backend.send('UpdateItem', buildRefreshInput(target.name, id, undefined, this.options.now(), expiresAtMs), deadline);
        this.#metrics.increment(METRIC.sessionTouchWrite);
        return { action: 'refreshed', reason };
      }
      if (load.table.name !== target.name) {
        this.#moveForward(id, session, load, target, expiresAtMs);
        return { action: 'refreshed', reason: 'moved-forward', context: load };
      }
      const now = this.options.now();
      await this.#backend.send('UpdateItem', buildRefreshInput(target.name, id, load.version, now, expiresAtMs), deadline);
      this.#metrics.increment(METRIC.sessionTouchWrite);
      this.#metrics.increment(METRIC.sessionSaveUpdate);
      return { action: 'refreshed', reason, context: { ...load, lastAccessedMs: now, expiresAtMs } };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      this.#metrics.increment(METRIC.sessionTouchSkipped);
      return { action: 'skipped', reason: 'unchanged' };
    }
  }

  /**
   * Copies an unchanged session found in an older table into the current one, without holding up
   * the response: the copy is conditional (it never overwrites a newer copy or a tombstone), and
   * if it fails the session's next request tries again. `flush()` and `close()` wait for it.
   */
  #moveForward(id: string, session: SessionRecord, load: LoadContext, target: TableRef, expiresAtMs: number): void {
    const item = this.#encode(id, session, load.version + 1, expiresAtMs);
    const move: Promise<void> = this.#backend
      .send('PutItem', buildPutIfAbsentInput(target.name, item))
      .then(() => {
        this.#metrics.increment(METRIC.sessionTouchWrite);
        safeLog(this.options.logger, 'debug', () => ({ session: redactId(id), from: load.table.name, to: target.name }), 'Session moved forward');
      })
      .catch((error: unknown) => {
        if (isConditionFailed(error)) this.#metrics.increment(METRIC.sessionTouchSkipped);
        else safeLog(this.options.logger, 'warn', () => ({ op: 'move', session: redactId(id), table: target.name, code: (error as SessionManagerError).code }), 'Moving a session forward failed; its next request will try again');
      })
      .finally(() => this.#background.delete(move));
    this.#background.add(move);
  }

  /** Resolves once the writes the store does in the background (sessions moving forward) are done. */
  async flush(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  // ---------------------------------------------------------------- destroy

  /**
   * Destroys a session in every table it may be in. When it also lived in an older or newer
   * table, a tombstone in the current table keeps a request that loaded it earlier from bringing
   * it back. Destroying a missing session writes nothing that lasts.
   */
  async destroy(id: unknown): Promise<void> {
    this.#assertOpen();
    if (!isValidSessionId(id, this.options.sessionIdPattern)) return;
    const deadline = this.#backend.operationDeadline();
    await this.#whenUsable(deadline);
    const now = this.options.now();
    const target = this.#targetFor(undefined);
    const others = this.#strategy.otherTables(now);
    const old = await Promise.all(others.map((table) => this.#deleteFrom(table, id, deadline)));
    const versions = old.filter((item): item is Item => item?.[ATTR.data] !== undefined).map((item) => Number(item[ATTR.version]?.N ?? 0));
    if (versions.length > 0) {
      const tombstone = buildTombstoneItem(id, Math.max(...versions) + 1, now, now + 2 * this.options.rotationPeriodMs);
      await this.#backend.send('PutItem', buildPutTombstoneInput(target.name, tombstone), deadline);
    } else {
      await this.#deleteFrom(target, id, deadline);
    }
    this.#metrics.increment(METRIC.sessionDestroy);
    safeLog(this.options.logger, 'debug', () => ({ session: redactId(id) }), 'Session destroyed');
  }

  async #deleteFrom(table: TableRef, id: string, deadline: Deadline): Promise<Item | undefined> {
    try {
      return (await this.#backend.send('DeleteItem', buildDeleteInput(table.name, id), deadline)).Attributes;
    } catch (error) {
      if (isSessionManagerError(error, 'backend.tableMissing') && table.role !== 'current') return undefined;
      throw error;
    }
  }

  // ---------------------------------------------------------------- bulk (expensive)

  /** Every live session, by id. Scans the live tables: expensive, for tools and tests. */
  async all(): Promise<Map<string, SessionRecord>> {
    this.#assertOpen();
    const best = new Map<string, Found>();
    await this.#scanLive(async (found) => {
      const seen = best.get(found.record.id);
      if (seen === undefined || isFresher(found, seen) || found.record.kind === 'tombstone') best.set(found.record.id, found);
    });
    const out = new Map<string, SessionRecord>();
    for (const [id, found] of best) {
      if (found.record.kind === 'session' && !this.#isExpired(found.record)) out.set(id, found.record.session);
    }
    return out;
  }

  /** How many live sessions there are. Scans: expensive. */
  async length(): Promise<number> {
    return (await this.all()).size;
  }

  /** Deletes every session in the live tables. Scans: expensive. Clearing an empty store succeeds. */
  async clear(): Promise<void> {
    this.#assertOpen();
    // Each delete has a deadline of its own: one for the whole scan would cut a big clear short.
    await this.#scanLive(async (found) => {
      await this.#deleteFrom(found.table, found.record.id, this.#backend.operationDeadline());
    });
  }

  async #scanLive(visit: (found: Found) => Promise<void>): Promise<void> {
    const plan = this.#strategy.readPlan(this.options.now());
    for (const table of [...plan.first, ...plan.fallback]) {
      let startKey: Item | undefined;
      do {
        const page = await this.#backend.send('Scan', buildScanInput(table.name, true, startKey));
        for (const item of page.Items ?? []) {
          try {
            await visit({ table, record: decodeItem(item) });
          } catch (error) {
            if (!isSessionManagerError(error, 'codec.')) throw error;
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }
  }

  /**
   * Reads one session for an operator (the dashboard's inspector, `dsm get`): values under keys
   * that look secret are masked unless `reveal` is set. Expired sessions are shown, marked.
   */
  async inspect(id: string, options: { reveal?: boolean } = {}): Promise<InspectedSession | null> {
    this.#assertOpen();
    if (!isValidSessionId(id, this.options.sessionIdPattern)) return null;
    const deadline = this.#backend.operationDeadline();
    await this.#whenUsable(deadline);
    const found = await this.#readLatest(id, deadline, true);
    if (found === undefined || found.record.kind === 'tombstone') return null;
    const record = found.record;
    return {
      table: found.table.name,
      version: record.version,
      lastAccessedMs: record.lastAccessedMs,
      expiresAtMs: record.expiresAtMs,
      dataBytes: record.dataBytes,
      expired: this.#isExpired(record),
      session: options.reveal === true ? record.session : maskSession(record.session, this.options.secretKeyPatterns),
    };
  }
}

/**
 * The conditional put of a whole session into `target`: over the stored copy at its version when
 * that copy lives in `target`; else only where no item exists (the session moves into a table
 * that does not have it yet), or, unversioned, where no tombstone is.
 */
function putInput(target: TableRef, item: Item, base: { readonly table: TableRef; readonly version: number } | undefined, unversioned = false): PutItemCommandInput {
  if (base === undefined) return unversioned ? buildPutUnlessDestroyedInput(target.name, item) : buildPutIfAbsentInput(target.name, item);
  return base.table.name === target.name ? buildPutIfVersionInput(target.name, item, base.version) : buildPutIfAbsentInput(target.name, item);
}

interface Found {
  readonly table: TableRef;
  readonly record: StoredSession | Tombstone;
}

function isFresher(a: Found, b: Found): boolean {
  if (a.record.version !== b.record.version) return a.record.version > b.record.version;
  return a.table.period > b.table.period;
}

/**
 * Waits for `work` while keeping the process alive. Background timers are unref'd so that they
 * never hold a process open, but a caller awaiting `ready()` at top level (before any server
 * listens) must not see the process exit under it.
 */
async function keepingProcessAlive<T>(work: Promise<T>): Promise<T> {
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    return await work;
  } finally {
    clearInterval(keepAlive);
  }
}

function isResolved(options: object): options is ResolvedOptions {
  return Object.isFrozen(options) && 'rotationPeriodMs' in options && 'connection' in options;
}
