import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLineOf, environOf, listPids, processNameOf, startTime } from './proc.js';

/**
 * Finding processes the gate started that are no longer in the tree it
 * tracks. Every command and worker the gate starts gets a token of its own in
 * this environment variable; children inherit it, and it stays in their
 * /proc/<pid>/environ after a daemon calls setsid() or is re-parented to
 * init, which is exactly when following parent PIDs can no longer find it.
 * A process that rewrites its environment (env -i) is not found: the gate
 * then still stops waiting on it (its output pipes are closed after a
 * bounded drain), it just cannot name it.
 */
export const RUN_TOKEN_ENV = 'PERF_GATE_RUN_TOKEN';

/** At most this many processes are listed in a warning; the rest are counted. */
const MAX_LISTED = 10;
/**
 * A process inside execve() shows an empty environment and command line for a
 * moment, and a daemon a command has just started is often exactly there:
 * such processes are read again, this many times, this far apart.
 */
const EMPTY_ENVIRON_RETRIES = 10;
const EMPTY_ENVIRON_PAUSE_MS = 5;

/** A process found by its token. */
export interface StrayProcess {
  pid: number;
  /** With the PID, names this process and not a later one reusing the PID. */
  startTime: string;
  commandLine: string;
}

/** A new token, unique to one started command or worker. */
export function newRunToken(): string {
  return randomUUID();
}

/** A carrier whose command line may still be unread (null: it was inside execve()). */
interface Carrier extends Omit<StrayProcess, 'commandLine'> {
  commandLine: string | null;
}

/**
 * Every live process (zombies excluded) whose environment carries `token`,
 * reading again those that showed an empty environment or command line (in
 * execve()), so that a warning names the program rather than a blank.
 */
export async function findTokenCarriers(token: string): Promise<StrayProcess[]> {
  let { found, unsure } = scan(listPids(), token);
  for (let retry = 0; retry < EMPTY_ENVIRON_RETRIES; retry++) {
    if (unsure.length === 0 && found.every((c) => c.commandLine !== null)) break;
    await sleep(EMPTY_ENVIRON_PAUSE_MS);
    const again = scan(unsure, token);
    found = [
      ...found.map((c) => ({ ...c, commandLine: c.commandLine ?? commandLineOf(c.pid) })),
      ...again.found,
    ];
    unsure = again.unsure;
  }
  return found.map(named);
}

/** One pass of findTokenCarriers, synchronous, for an exit hook: may miss a process in execve(). */
export function findTokenCarriersNow(token: string): StrayProcess[] {
  return scan(listPids(), token).found.map(named);
}

/** The command line, or failing that the kernel's name for the process, or "?". */
function named(carrier: Carrier): StrayProcess {
  return { ...carrier, commandLine: carrier.commandLine ?? processNameOf(carrier.pid) ?? '?' };
}

function scan(pids: readonly number[], token: string) {
  const entry = `${RUN_TOKEN_ENV}=${token}\0`;
  const found: Carrier[] = [];
  const unsure: number[] = [];
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const environ = environOf(pid);
    if (environ === null) continue;
    if (environ.length === 0) unsure.push(pid);
    // Entries are NUL-terminated: match a whole entry, not a prefix of a longer value.
    if (!environ.includes(entry)) continue;
    const started = startTime(pid);
    if (started !== null) found.push({ pid, startTime: started, commandLine: commandLineOf(pid) });
  }
  return { found, unsure };
}

/** "pid 12 (sleep 30), pid 13 (...)", at most MAX_LISTED of them. */
export function listStrays(strays: readonly StrayProcess[]): string {
  const listed = strays.slice(0, MAX_LISTED).map((s) => `pid ${s.pid} (${s.commandLine})`);
  const more = strays.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

/** "1 process" / "2 processes". */
export function processCount(n: number): string {
  return n === 1 ? '1 process' : `${n} processes`;
}
