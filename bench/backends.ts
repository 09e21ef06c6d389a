/**
 * The DynamoDB-compatible servers the benchmark runs on, each in a child process on 127.0.0.1:
 * dynalite (always) and Amazon DynamoDB Local (when the machine has Java; it supports TTL).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { startLocalDynamo } from 'dynamo-session-manager/local';
import { isJavaAvailable, startDynamoDbLocal } from '../test/support/dynamodb-local.js';
import type { BackendName } from './cell.js';

/** A running backend. */
export interface RunningBackend {
  readonly name: BackendName;
  readonly endpoint: string;
  readonly version: string;
  /** CPU time the server process has used so far, microseconds; undefined when it cannot be read (not Linux). */
  cpuMicros(): number | undefined;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** User + system CPU of a process, from /proc/<pid>/stat, microseconds. */
export function processCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a process of ours whose command line contains every one of `parts` (Linux only). */
function findPid(parts: readonly string[]): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (parts.every((part) => cmdline.includes(part))) return Number(entry);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Starts dynalite in memory, tables ACTIVE at once (no CREATING delay). */
export async function startDynalite(version: string): Promise<RunningBackend> {
  const local = await startLocalDynamo({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  return { name: 'dynalite', endpoint: local.endpoint, version, cpuMicros: () => processCpuMicros(local.pid), stop: () => local.stop() };
}

/** Starts DynamoDB Local in memory, or resolves `undefined` with the reason when Java is missing. */
export async function startDynamoDbLocalIfJava(version: string): Promise<RunningBackend | { skipped: string }> {
  if (!(await isJavaAvailable())) return { skipped: 'no Java on this machine (`java -version` failed)' };
  try {
    const local = await startDynamoDbLocal();
    const pid = findPid(['-port', String(local.port)]);
    return { name: 'dynamodb-local', endpoint: local.endpoint, version, cpuMicros: () => processCpuMicros(pid), stop: () => local.stop() };
  } catch (error) {
    return { skipped: `DynamoDB Local did not start: ${(error as Error).message.slice(0, 200)}` };
  }
}
