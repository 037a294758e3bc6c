import { createServer } from 'node:net';

/**
 * Fails when the server could not listen on `port` of `host`, before anything slow runs: the demo seed
 * takes ~45 s on a new database, and only then did a port already in use fail `listen` (EADDRINUSE).
 * Listens and closes at once; another process may still take the port between this and the real
 * `listen`, which then fails the same way, only later. Port 0 (any free port) is never taken.
 */
export function assertPortFree(settings: { readonly port: number; readonly host: string }): Promise<void> {
  if (settings.port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${settings.host}:${settings.port}`;
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `${where} is already in use (another tierkit server?): stop it or set PORT to a free port`
            : error.code === 'EACCES'
              ? `not allowed to listen on ${where}: set PORT above 1023`
              : `cannot listen on ${where}: ${error.message}`,
        ),
      );
    });
    probe.listen({ port: settings.port, host: settings.host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
