import type { SessionRecord } from '../codec/codec.js';
import type { DynamoSessionStoreOptions } from '../config/options.js';
import { resolveOptions, runtimeFacts, type StoreSettings } from '../config/resolve-options.js';
import type { Backend } from '../dynamo/backend.js';
import { createGateway } from '../dynamo/create-gateway.js';
import { SessionManagerError } from '../errors.js';
import { createExpiryStrategy } from '../expiry/create-strategy.js';
import type { ExpiryStrategy, TableInfo } from '../expiry/strategy.js';
import { safeLog } from '../logging/logger.js';
import { Metrics } from '../metrics/metrics.js';
import { METRIC } from '../metrics/names.js';
import { createTelemetry } from '../metrics/otel/create-telemetry.js';
import type { Telemetry } from '../metrics/otel/telemetry.js';
import type { MetricsSnapshot } from '../metrics/registry.js';
import { BackgroundWrites } from './background.js';
import type { StoreContext } from './context.js';
import { destroySession } from './destroy.js';
import { registerInternals } from './internals.js';
import { loadSession } from './load.js';
import type { LoadedSession } from './load-context.js';
import { MaintainerLease } from './maintainer-lease.js';
import { closeOnSigterm } from './sigterm.js';
import { createLegacyCopier } from './legacy/copy.js';
import { LegacyState } from './legacy/state.js';
import { keyUsage, type KeyUsage } from './key-usage.js';
import { Maintenance } from './maintenance.js';
import { PreviousTableReads } from './read-mode.js';
import { WriteQueue } from './write-queue.js';
import { saveSession, type SaveHints, type SaveResult } from './save.js';
import { allSessions, clearSessions, inspectSession, type InspectedSession } from './scan.js';
import { addUserIndexes, checkUserIndex, type UserIndexAdded } from './user-index.js';
import { listUserSessionsByUid, revokeUserSessionsByUid, uidOfArgument, userIndexOf, type RevokeOptions, type UserSession } from './user-sessions.js';

/** How long a store may take to close on SIGTERM: Lambda gives a second. */
const SIGTERM_GRACE_MS = 1000;

/**
 * The framework-neutral session store: loads, saves, refreshes and destroys sessions in DynamoDB,
 * with expiry by table rotation or native TTL. Adapters (express-session, @fastify/session,
 * koa-session) translate their contracts onto it. Each operation lives in a module of its own
 * (load, save, merge, write, destroy, scan, maintenance); this class wires them together.
 *
 * Guarantees (docs/expiry.md has the model and why they hold): a read-only request costs one
 * GetItem and no write; every write is conditional on the copy the request loaded, and a
 * conflicting write is merged key by key over the authoritative copy; a destroyed session is never
 * brought back; bad ids, corrupt items and oversize sessions never reach DynamoDB or crash the process.
 */
export class SessionStore {
  /** The resolved settings (no credentials). */
  readonly options: StoreSettings;
  readonly #ctx: StoreContext;
  readonly #metrics: Metrics;
  readonly #telemetry: Telemetry;
  readonly #backend: Backend;
  readonly #strategy: ExpiryStrategy;
  readonly #maintenance: Maintenance;
  readonly #background = new BackgroundWrites();
  readonly #closeClient: (() => void) | undefined;
  #closed: Promise<void> | undefined;
  /** Tables whose user index `ready()` found readable. */
  readonly #indexChecked = new Set<string>();
  readonly #stopSigterm: (() => void) | undefined;

  /**
   * @param options - see {@link DynamoSessionStoreOptions}; all optional.
   * @throws {SessionManagerError} `config.*` for invalid options.
   */
  constructor(options: DynamoSessionStoreOptions = {}) {
    const { connection, ...settings } = resolveOptions(options, runtimeFacts());
    this.options = Object.freeze(settings);
    const o = this.options;
    // Telemetry and metrics first: their options can still fail, and the client must not be built before that.
    this.#telemetry = createTelemetry(o.openTelemetry, o.tableBaseName);
    this.#metrics = new Metrics({
      ...(this.#telemetry.metricsSink === undefined ? {} : { mirror: this.#telemetry.metricsSink }),
      ...(o.metricsSink === undefined ? {} : { sink: o.metricsSink }),
      ...(o.statsd === undefined
        ? {}
        : { statsdHost: o.statsd.host, statsdPort: o.statsd.port, ...(o.statsd.prefix === undefined ? {} : { statsdPrefix: o.statsd.prefix }) }),
      now: o.now,
      logger: o.logger,
    });
    const gateway = createGateway({
      connection,
      requestTimeoutMs: o.requestTimeoutMs,
      maxRetries: o.maxRetries,
      operationTimeoutMs: o.operationTimeoutMs,
      metrics: this.#metrics,
      logger: o.logger,
      transport: o.transport,
      telemetry: this.#telemetry,
    });
    this.#closeClient = gateway.close;
    this.#backend = gateway.backend;
    safeLog(o.logger, 'debug', { transport: gateway.transport, reason: gateway.transportReason }, 'item operations transport');
    this.#strategy = createExpiryStrategy(o, this.#backend, this.#metrics);
    const lease = new MaintainerLease({
      backend: this.#backend,
      strategy: this.#strategy,
      now: o.now,
      // Three rounds: a holder that misses one keeps it; one that stops is replaced soon.
      durationMs: 3 * Math.max(o.maintenanceIntervalMs, 1000),
    });
    this.#maintenance = new Maintenance(this.#strategy, { intervalMs: o.maintenanceIntervalMs, logger: o.logger, now: o.now, serverless: o.serverless, lease, telemetry: this.#telemetry });
    const maintenance = this.#maintenance;
    this.#ctx = {
      options: o,
      backend: this.#backend,
      metrics: this.#metrics,
      strategy: this.#strategy,
      background: this.#background,
      previousReads: new PreviousTableReads(),
      seenTables: new Set<string>(),
      legacy: o.migrateFrom === undefined ? undefined : new LegacyState(o.migrateFrom),
      writeQueue: new WriteQueue(),
      kickMaintenance: () => maintenance.kick(),
      whenUsable: (deadline) => maintenance.whenUsable(deadline),
    };
    registerInternals(this, { metrics: this.#metrics, legacy: this.#ctx.legacy === undefined ? undefined : createLegacyCopier(this.#ctx, this.#ctx.legacy) });
    this.#maintenance.start();
    this.#stopSigterm = o.closeOnSigterm ? closeOnSigterm(() => this.close({ withinMs: SIGTERM_GRACE_MS })) : undefined;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Resolves once the current period's table is ACTIVE and in use and the previous one is known;
   * with the user index on, once every table in use has it, readable. After a failure, the next
   * call tries again.
   *
   * @throws {SessionManagerError} `backend.*` or `rotation.tableNotReady`; `backend.userIndexMissing`
   *   naming a table in use without the user index (add it with `dsm add-user-index`), or whose
   *   index DynamoDB is still building.
   */
  async ready(): Promise<void> {
    this.#telemetry.refresh(); // an OpenTelemetry SDK started after the store was built
    await this.#maintenance.ready();
    await checkUserIndex(this.#ctx, this.#indexChecked);
  }

  /**
   * Runs one round of table maintenance now: creates the next table ahead of its period, switches
   * to the period of `now()`, deletes expired tables. The background timer calls the same thing.
   */
  async maintain(): Promise<void> {
    this.#assertOpen();
    await this.#maintenance.runNow();
  }

  /**
   * Stops background work, waits for a maintenance round in flight and for background writes,
   * closes the statsd client and destroys the DynamoDB client if the store built it (never a
   * client it was given). Idempotent. With `withinMs`, waits at most that long: background writes
   * still running then are dropped (logged, counted as `store.background_dropped`; a session not
   * moved forward is moved by its next request). `closeOnSigterm` closes within 1000 ms.
   */
  close(options: { readonly withinMs?: number } = {}): Promise<void> {
    this.#closed ??= (async () => {
      this.#stopSigterm?.();
      const withinMs = options.withinMs;
      if (withinMs === undefined) {
        await this.#maintenance.stop();
        await this.#background.flush();
      } else {
        // Bounded: a maintenance round or a write in flight is not waited for past the grace time.
        void this.#maintenance.stop();
        const dropped = await this.#background.flushWithin(withinMs);
        if (dropped > 0) {
          this.#metrics.increment(METRIC.storeBackgroundDropped, dropped);
          safeLog(this.options.logger, 'warn', { dropped, withinMs }, 'Closing: background writes dropped (sessions moving forward; their next request moves them)');
        }
      }
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

  /** Resolves once the writes the store does in the background (sessions moving forward) are done. */
  async flush(): Promise<void> {
    await this.#background.flush();
  }

  /** The in-process metrics: counters, timers, the session size histogram. */
  metrics(): MetricsSnapshot {
    return this.#metrics.snapshot();
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

  // ---------------------------------------------------------------- sessions

  /**
   * Loads a session. A missing, expired, destroyed or corrupt session, or a malformed id, is
   * `null`; a malformed id costs no DynamoDB call.
   *
   * @throws {SessionManagerError} `backend.*` when DynamoDB fails (see `onBackendError`).
   */
  async get(id: unknown): Promise<LoadedSession | null> {
    this.#assertOpen();
    return await this.#telemetry.operation('load', id, () => loadSession(this.#ctx, id));
  }

  /**
   * Saves a session at the end of a request: written only when new or changed, conditional on the
   * copy it was loaded from (merged key by key on a conflict). A session not loaded through this
   * store (no load context) replaces the stored one, as the Store contract's upsert does.
   *
   * @throws {SessionManagerError} `codec.itemTooLarge`, `codec.unserializable`, `codec.invalidId`,
   *   `codec.corruptItem`, `store.conflict`, `backend.*`.
   */
  async set(id: string, session: SessionRecord, hints: SaveHints = {}): Promise<SaveResult> {
    this.#assertOpen();
    return await this.#telemetry.operation('save', id, () => saveSession(this.#ctx, id, session, hints, false));
  }

  /**
   * Marks a session as active without changing it: writes nothing unless the session must move
   * forward to the current table or its expiry is due for a refresh; never creates an item.
   */
  async touch(id: string, session: SessionRecord, hints: SaveHints = {}): Promise<SaveResult> {
    this.#assertOpen();
    return await this.#telemetry.operation('touch', id, () => saveSession(this.#ctx, id, session, hints, true));
  }

  /**
   * {@link touch}, for adapters whose framework never calls it, once the response is sent: tracked
   * like the store's other background writes, so `flush()` and `close()` wait for it. A failure
   * is logged and counted by the store; nothing is thrown.
   */
  touchAfterResponse(id: string, session: SessionRecord, hints: SaveHints = {}): void {
    if (this.#closed !== undefined) return;
    this.#background.add(saveSession(this.#ctx, id, session, hints, true).then(
      () => undefined,
      () => undefined,
    ));
  }

  /** Destroys a session in every table it may be in; it is never served or brought back again. */
  async destroy(id: unknown): Promise<void> {
    this.#assertOpen();
    await this.#telemetry.operation('destroy', id, () => destroySession(this.#ctx, id));
  }

  /** Every live session, by id. Scans the live tables: expensive, for tools and tests. */
  async all(): Promise<Map<string, SessionRecord>> {
    this.#assertOpen();
    return await allSessions(this.#ctx);
  }

  /** How many live sessions there are. Scans: expensive. */
  async length(): Promise<number> {
    return (await this.all()).size;
  }

  /** Deletes every session in the live tables. Scans: expensive. Clearing an empty store succeeds. */
  async clear(): Promise<void> {
    this.#assertOpen();
    await clearSessions(this.#ctx);
  }

  /**
   * Reads one session for an operator (the dashboard's inspector, `dsm get`): values under keys
   * that look secret are masked unless `reveal` is set. Expired sessions are shown, marked.
   *
   * @throws {SessionManagerError} `encryption.undecryptable` for a session stored under a key this store does not hold.
   */
  async inspect(id: string, options: { reveal?: boolean } = {}): Promise<InspectedSession | null> {
    this.#assertOpen();
    return await inspectSession(this.#ctx, id, options);
  }

  // ---------------------------------------------------------------- user sessions

  /**
   * The live sessions of a user (docs/user-sessions.md), newest `lastSeenAt` first: expired,
   * destroyed and moved copies are never listed, nor a session that has since changed user. Costs
   * one Query of the user index per live table, and one consistent GetItem per session.
   *
   * @param userId - the id `userIdOf` returns for the user's sessions.
   * @throws {SessionManagerError} `config.userIndexOff`, `user.invalidId`, `backend.userIndexMissing`, `backend.*`.
   * @example
   * ```ts
   * for (const s of await store.listUserSessions('alice')) console.log(s.lastSeenAt, s.device);
   * ```
   */
  async listUserSessions(userId: string): Promise<UserSession[]> {
    this.#assertOpen();
    return await listUserSessionsByUid(this.#ctx, uidOfArgument(userIndexOf(this.#ctx), userId));
  }

  /**
   * Ends every session of a user but `options.except` ("sign out everywhere", "sign out other
   * devices"): each is destroyed as a logout does (never served again, never brought back by a
   * request in flight). A session signed in just before, which the eventually consistent index
   * does not show yet, is ended too: by a second pass after `revokeSecondPassMs`, and by its own
   * sign-in, which reads the revocation marker this writes first.
   *
   * @param userId - the id `userIdOf` returns for the user's sessions.
   * @returns how many sessions it ended.
   * @throws {SessionManagerError} `config.userIndexOff`, `user.invalidId`, `backend.userIndexMissing`, `backend.*`.
   */
  async revokeUserSessions(userId: string, options: RevokeOptions = {}): Promise<number> {
    this.#assertOpen();
    return await revokeUserSessionsByUid(this.#ctx, uidOfArgument(userIndexOf(this.#ctx), userId), options);
  }

  /**
   * Adds the user index to every live table that lacks it (`dsm add-user-index`): one UpdateTable
   * each; DynamoDB then builds it from the items already there. Needs DescribeTable and UpdateTable.
   *
   * @returns what was done to each table that exists.
   * @throws {SessionManagerError} `backend.*`.
   */
  async addUserIndex(): Promise<UserIndexAdded[]> {
    this.#assertOpen();
    return await addUserIndexes(this.#ctx);
  }

  /**
   * Counts the live sessions by the key that protects them (`dsm keys`): how far a key rotation
   * has gone. Reads key ids, which are stored in clear: needs no key. Scans: expensive, for tools.
   */
  async keyUsage(): Promise<KeyUsage> {
    this.#assertOpen();
    return await keyUsage(this.#ctx);
  }
}
