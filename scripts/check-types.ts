// `npm run check:package`'s types half: are-the-types-wrong on the packed package, node16 profile
// (Node's CommonJS and ESM resolution, and bundlers). attw's own table also prints the node10
// column the profile ignores, "💀 Resolution failed" for every subpath, which reads as a failure
// when nothing failed; this prints one line per entry point instead, and every problem in full.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

interface Problem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
}
interface Report {
  analysis: { entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string } }> }> };
  problems: Record<string, Problem[]>;
}

/** The resolutions the node16 profile checks: node10 (TypeScript's pre-exports resolution) is out of scope. */
const CHECKED = ['node16-cjs', 'node16-esm', 'bundler'];

const { stdout } = await promisify(execFile)('npx', ['attw', '--pack', '.', '--profile', 'node16', '--format', 'json'], { maxBuffer: 64 * 1024 * 1024 }).catch(
  (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
);
const report = JSON.parse(stdout) as Report;
const problems = Object.values(report.problems)
  .flat()
  .filter((problem) => problem.resolutionKind === undefined || CHECKED.includes(problem.resolutionKind));

let ok = problems.length === 0;
for (const [entrypoint, { resolutions }] of Object.entries(report.analysis.entrypoints)) {
  const missing = CHECKED.filter((kind) => resolutions[kind]?.resolution === undefined);
  const failed = problems.some((problem) => problem.entrypoint === entrypoint) || missing.length > 0;
  ok &&= !failed;
  console.log(`attw ${failed ? 'FAIL' : 'ok  '} ${entrypoint.padEnd(16)} ${missing.length > 0 ? `does not resolve under ${missing.join(', ')}` : `resolves under ${CHECKED.join(', ')}`}`);
}
for (const problem of problems) console.log(`attw problem: ${JSON.stringify(problem)}`);
if (!ok) process.exitCode = 1;
