import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Item } from '../codec/codec.js';
import { SessionManagerError } from '../errors.js';
import type { CopyOutcome } from '../store/legacy/copy.js';

/** What a `dsm migrate` run has done so far: carried from one run to the next by the checkpoint. */
export interface MigrateTotals {
  pages: number;
  scanned: number;
  counts: Record<CopyOutcome, number>;
  /** Capacity units consumed (scan, fences, puts), as DynamoDB reported them. */
  readUnits: number;
  writeUnits: number;
  /** Write units the copy needs (a dry run) or needed (a copy), from the items' sizes. */
  plannedWriteUnits: number;
  /** The latest connect-dynamodb `expires` of a live session left only there (to copy, or changed meanwhile), epoch ms. */
  lastExpiresAtMs: number | null;
}

/** The checkpoint file of `dsm migrate --checkpoint <file>`, written after every page. */
export interface MigrateCheckpoint {
  readonly version: 1;
  readonly from: 'connect-dynamodb';
  readonly table: string;
  /** Where the next page starts (DynamoDB's LastEvaluatedKey); null once the scan is complete. */
  readonly startKey: Item | null;
  readonly done: boolean;
  readonly totals: MigrateTotals;
}

/** Zero totals. */
export function emptyTotals(): MigrateTotals {
  const counts = { copied: 0, 'would-copy': 0, 'already-moved': 0, present: 0, changed: 0, gone: 0, expired: 0, corrupt: 0, foreign: 0 };
  return { pages: 0, scanned: 0, counts, readUnits: 0, writeUnits: 0, plannedWriteUnits: 0, lastExpiresAtMs: null };
}

/**
 * Reads a checkpoint; undefined when the file does not exist.
 *
 * @throws {SessionManagerError} `cli.usage` when the file is not a checkpoint of `dsm migrate`.
 */
export async function readCheckpoint(path: string): Promise<MigrateCheckpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const checkpoint = parsed as Partial<MigrateCheckpoint> | undefined;
  if (checkpoint?.version !== 1 || checkpoint.from !== 'connect-dynamodb' || typeof checkpoint.table !== 'string' || typeof checkpoint.totals !== 'object') {
    throw new SessionManagerError('cli.usage', `--checkpoint ${path} is not a checkpoint of \`dsm migrate\`.`, { details: { hint: 'Give a new file name, or delete the file to start over.' } });
  }
  return { ...checkpoint, totals: { ...emptyTotals(), ...checkpoint.totals, counts: { ...emptyTotals().counts, ...checkpoint.totals?.counts } } } as MigrateCheckpoint;
}

/** Writes a checkpoint whole or not at all (a temporary file renamed over it). */
export async function writeCheckpoint(path: string, checkpoint: MigrateCheckpoint): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}
