#!/usr/bin/env node
// The process boundary of `dsm`: the only file of the CLI that touches `process`.
import { run, type CliIo } from './program.js';

const io: CliIo = {
  stdout: (text) => {
    process.stdout.write(text);
  },
  stderr: (text) => {
    process.stderr.write(text);
  },
  env: process.env,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  waitForStop: () =>
    new Promise((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
};

// No top-level await: the same entry is also built as CommonJS.
void run(process.argv.slice(2), io).then((code) => {
  process.exitCode = code;
});
