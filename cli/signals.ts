// Ctrl-C and SIGTERM stop a run's stages instead of the process: the store is left consistent.
import type { ProgressReporter } from '../engine/progress.ts';

/** Runs `work` with an AbortSignal that SIGINT/SIGTERM abort; the handlers are removed when it settles. */
export async function withInterrupts<T>(progress: ProgressReporter, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!controller.signal.aborted) progress.info(`${sig}: stopping the running stages...`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
