/** A Node-style callback. */
export type Callback<T> = (error: unknown, value?: T) => void;

/**
 * Runs `work` and reports to `callback` when one is given, else returns the promise
 * (connect-redis's `optionalCb`). A callback that throws never becomes an unhandled rejection.
 */
export function settle<T>(work: Promise<T>, callback: Callback<T> | undefined): Promise<T> | undefined {
  if (callback === undefined) return work;
  work.then(
    (value) => queueMicrotask(() => callback(null, value)),
    (error: unknown) => queueMicrotask(() => callback(error)),
  );
  return undefined;
}
