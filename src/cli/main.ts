#!/usr/bin/env node
// The process boundary of `dsm`: the only file of the CLI that touches `process`.
import { run, type CliIo } from './program.js';

// The SDK warns on every run under Node 20 that its releases after January 2027 need Node 22. In a
// command line tool whose stderr carries one error line, that is noise; set the variable to
// "false" to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that goes away (`dsm status | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

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

// The process lives until the command is done: some waits inside the store (retry backoff) use
// unref'd timers, which alone would let Node exit early with code 0.
const keepAlive = setInterval(() => undefined, 60_000);

// No top-level await: the same entry is also built as CommonJS.
void run(process.argv.slice(2), io).then((code) => {
  clearInterval(keepAlive);
  process.exitCode = code;
});
