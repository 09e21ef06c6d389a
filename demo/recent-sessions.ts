/** How many characters of a session id lists show. */
export const ID_PREFIX_CHARS = 8;

/** The start of a session id, for lists and messages: never the whole id. */
export function shortenId(sessionId: string): string {
  return sessionId.slice(0, ID_PREFIX_CHARS);
}

/** A signed-in session as the dashboard lists it. */
export interface RecentSession {
  readonly idPrefix: string;
  readonly name: string;
  readonly signedInAtMs: number;
}

/**
 * The sessions signed in through this process, newest first and at most `capacity`, so the
 * dashboard's inspector can offer them by prefix. Full ids stay in this process's memory; only
 * prefixes leave it.
 */
export class RecentSessions {
  readonly #capacity: number;
  readonly #entries: { id: string; name: string; signedInAtMs: number }[] = [];

  constructor(capacity = 8) {
    this.#capacity = capacity;
  }

  add(id: string, name: string, signedInAtMs: number): void {
    this.remove(id);
    this.#entries.unshift({ id, name, signedInAtMs });
    this.#entries.length = Math.min(this.#entries.length, this.#capacity);
  }

  remove(id: string): void {
    const index = this.#entries.findIndex((entry) => entry.id === id);
    if (index !== -1) this.#entries.splice(index, 1);
  }

  /** Forgets the sessions of `name` but `exceptId`: after "sign out other devices", they are gone. */
  removeUser(name: string, exceptId: string): void {
    for (let i = this.#entries.length - 1; i >= 0; i -= 1) {
      const entry = this.#entries[i] as { id: string; name: string };
      if (entry.name === name && entry.id !== exceptId) this.#entries.splice(i, 1);
    }
  }

  list(): RecentSession[] {
    return this.#entries.map((entry) => ({ idPrefix: shortenId(entry.id), name: entry.name, signedInAtMs: entry.signedInAtMs }));
  }

  /**
   * The full id for what an operator typed: a recent id that starts with it (when exactly one
   * does and it is at least 4 characters), else the input itself, taken as a full id.
   */
  resolve(idOrPrefix: string): string {
    if (idOrPrefix.length >= 4) {
      const matches = this.#entries.filter((entry) => entry.id.startsWith(idOrPrefix));
      if (matches.length === 1) return (matches[0] as { id: string }).id;
    }
    return idOrPrefix;
  }
}
