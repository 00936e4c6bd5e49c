import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A real process tree for the tests: a node process that starts a sleeping
 * grandchild at once, and another each time it reads a line on stdin. It
 * prints each grandchild's PID.
 */
export interface RealTree {
  child: ChildProcess;
  childPid: number;
  grandchildren: number[];
  /** Asks the child to start one more grandchild; resolves with its PID. */
  spawnGrandchild(): Promise<number>;
  /** Kills every process this helper started, by PID. */
  kill(): void;
}

const CHILD_SCRIPT = `
const { spawn } = require('node:child_process');
const sleepers = [];
const start = () => {
  const s = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  sleepers.push(s);
  console.log('grandchild ' + s.pid);
};
start();
process.stdin.on('data', start);
process.on('SIGTERM', () => { for (const s of sleepers) s.kill(); process.exit(0); });
`;

export async function startRealTree(): Promise<RealTree> {
  const child = spawn(process.execPath, ['-e', CHILD_SCRIPT], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((pid: number) => void)[] = [];
  const grandchildren: number[] = [];
  lines.on('line', (line) => {
    const pid = Number(/^grandchild (\d+)$/.exec(line)?.[1]);
    if (!Number.isInteger(pid)) return;
    grandchildren.push(pid);
    waiting.shift()?.(pid);
  });
  const next = () => new Promise<number>((resolve) => waiting.push(resolve));
  await next();
  return {
    child,
    childPid: child.pid!,
    grandchildren,
    spawnGrandchild() {
      const pid = next();
      child.stdin!.write('\n');
      return pid;
    },
    kill() {
      for (const pid of grandchildren) {
        try {
          process.kill(pid);
        } catch {
          // Already gone.
        }
      }
      child.kill();
    },
  };
}
