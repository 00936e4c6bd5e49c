import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The protocol's second way in, for workers started by a launcher.
 *
 * The direct child gets the protocol on fds 3 and 4. A launcher such as
 * `torchrun` starts its ranks with every inherited descriptor but 0-2 closed,
 * so rank 0 of a DDP job never sees them. It finds this Unix socket instead,
 * by the path in PERF_GATE_SOCKET (environment variables do pass through
 * launchers), and speaks the same JSON lines over it. One process may speak
 * the protocol: whichever channel carries the first line wins, and a second
 * connection is refused.
 */
export interface LauncherSocket {
  /** The socket's path, for PERF_GATE_SOCKET. */
  readonly path: string;
  /** Called once per incoming connection. */
  onConnection(handler: (socket: Socket) => void): void;
  /** Stops accepting connections and removes the socket file. Safe to call twice. */
  close(): void;
}

/** Starts listening on a fresh socket in a private temporary directory. */
export async function listenForLauncher(): Promise<LauncherSocket> {
  // mkdtemp: a directory only this user can enter, so no one else can connect first.
  const dir = mkdtempSync(join(tmpdir(), 'perf-gate-'));
  const path = join(dir, 'worker.sock');
  const server: Server = createServer();
  let handler: (socket: Socket) => void = (socket) => socket.destroy();
  server.on('connection', (socket) => handler(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Later server errors (none expected once listening) must not crash the runner.
  server.on('error', () => undefined);
  let closed = false;
  return {
    path,
    onConnection(next) {
      handler = next;
    },
    close() {
      if (closed) return;
      closed = true;
      server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
