import type { Logger, LogMethod } from '../logging/logger.js';
import type { CliIo } from './io.js';

/**
 * Prints a command's result: with `--json`, the result object itself as JSON (and nothing else
 * on stdout); otherwise the command's text rendering of it.
 */
export function printResult<T>(io: CliIo, json: boolean, result: T, toText: (result: T) => string): void {
  io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : `${toText(result)}\n`);
}

/** A logger for `--verbose`: one line per entry on stderr, `level: message {fields}`. */
export function createStderrLogger(write: (text: string) => void): Logger {
  const method =
    (level: string): LogMethod =>
    (fields, message) => {
      const extra = Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`;
      write(`${level}: ${message ?? ''}${extra}\n`);
    };
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}
