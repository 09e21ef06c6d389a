import { rejectUnknownKeys } from '../config/validate.js';
import { invalidOption } from '../config/validate.js';

const KNOWN = ['ignoreUris', 'ignoreHeaders', 'ignoreUri', 'ignoreHeader'] as const;

/** Rejects unknown tracker options, so that a typo fails loudly. */
export function validateKnownKeys(options: unknown): void {
  if (typeof options !== 'object' || options === null) throw invalidOption('options', 'an object', options);
  rejectUnknownKeys(options, KNOWN, 'sessionTracker');
}
