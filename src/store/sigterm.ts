/**
 * One SIGTERM listener for every store of the process that asked for it (`closeOnSigterm`): on
 * SIGTERM each store closes within its grace time (Lambda gives about a second), then, when no
 * other listener is left, the signal is raised again so that the process ends as it would have
 * without us.
 */
type Closer = () => Promise<void>;

const closers = new Set<Closer>();
let listening = false;

function onSigterm(): void {
  listening = false;
  const closing = [...closers].map((close) => close().catch(() => undefined));
  closers.clear();
  void Promise.all(closing).then(() => {
    if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
  });
}

/** Closes `close` on SIGTERM; returns the function that stops doing so (called by a normal close). */
export function closeOnSigterm(close: Closer): () => void {
  closers.add(close);
  if (!listening) {
    listening = true;
    process.once('SIGTERM', onSigterm);
  }
  return () => {
    closers.delete(close);
    if (closers.size === 0 && listening) {
      listening = false;
      process.removeListener('SIGTERM', onSigterm);
    }
  };
}
