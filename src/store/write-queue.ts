import type { SessionRecord } from '../codec/codec.js';
import type { TableRef } from '../expiry/strategy.js';

/** What this process last wrote for a session, while more of its saves wait. */
export interface LastWrite {
  readonly table: TableRef;
  readonly version: number;
  /** The session as stored by that write (merged, when it was a merge). */
  readonly stored: SessionRecord;
  readonly createdAtMs: number;
  readonly lastAccessedMs: number;
  readonly expiresAtMs: number;
  /** The user index key that write stored, if any. */
  readonly uid?: string | undefined;
}

interface Lane {
  tail: Promise<void>;
  waiting: number;
  last: LastWrite | undefined;
}

/**
 * Runs the saves of one session in this process one after another, and remembers what the last
 * one wrote while others wait. Parallel requests of one session on one server then do not race
 * each other in DynamoDB (each lost race is a read and a write more, and with many of them most
 * would run out of rounds): a save whose load is older than the last write starts its merge from
 * that write, with no failed write and no read. Saves on other servers are still resolved by the
 * conditional writes. A lane lives only while saves are queued in it.
 */
export class WriteQueue {
  readonly #lanes = new Map<string, Lane>();

  /** Runs `task` after the saves of `id` queued before it; `task` gets what the last one wrote. */
  async run<T>(id: string, task: (last: LastWrite | undefined, record: (write: LastWrite) => void) => Promise<T>): Promise<T> {
    let lane = this.#lanes.get(id);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), waiting: 0, last: undefined };
      this.#lanes.set(id, lane);
    }
    const current = lane;
    current.waiting += 1;
    const previous = current.tail;
    let release!: () => void;
    current.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      return await task(current.last, (write) => {
        current.last = write;
      });
    } finally {
      current.waiting -= 1;
      if (current.waiting === 0) this.#lanes.delete(id);
      release();
    }
  }
}
