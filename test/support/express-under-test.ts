import { inject } from 'vitest';
import { expressVersion, type ExpressVersion } from './express-versions.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Express major this project's tests serve their apps with (vitest.config.ts). */
    expressMajor: 4 | 5;
  }
}

/** The Express version the current vitest project runs its apps on: 5 in `integration`, 4 in `integration-express4`. */
export function expressUnderTest(): ExpressVersion {
  return expressVersion(inject('expressMajor'));
}
