/**
 * Process signals: SIGHUP reloads; SIGTERM and SIGINT stop cleanly (a second one exits at once,
 * for an operator who does not want to wait for open sessions).
 */
import type { RunningService } from './service.js';

/** Resolves when the service has stopped after a signal. */
export function handleSignals(service: RunningService): Promise<void> {
  return new Promise((resolve) => {
    const onHup = () => void service.reload();
    let signalled = false;
    const onStop = (signal: NodeJS.Signals) => {
      if (signalled) {
        service.logger.warn({ signal }, 'second signal: exiting without waiting');
        process.exit(1);
      }
      signalled = true;
      service.logger.info({ signal }, 'signal received: shutting down');
      service.stop().then(
        () => {
          process.off('SIGHUP', onHup);
          resolve();
        },
        (err: unknown) => {
          service.logger.error({ err }, 'shutdown failed');
          resolve();
        },
      );
    };
    process.on('SIGHUP', onHup);
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
  });
}
