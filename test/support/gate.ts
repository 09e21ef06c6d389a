/** A point where a request waits for the test: `entered` once it got there, `release()` to let it go on. */
export interface Gate {
  readonly entered: Promise<void>;
  release(): void;
  /** Called by the request: marks it entered and waits for `release()`. */
  pass(): Promise<void>;
}

/** A new closed gate. */
export function createGate(): Gate {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    entered,
    release,
    pass: () => {
      enter();
      return released;
    },
  };
}
