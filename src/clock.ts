/** A clock: returns the current time in epoch milliseconds. */
export type Clock = () => number;

/** The system clock, `Date.now`. */
export const systemClock: Clock = () => Date.now();
