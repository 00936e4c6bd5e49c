import { readdirSync, readFileSync } from 'node:fs';

/**
 * Small readers of Linux's /proc, one fact about one process each. Every one
 * returns null when the process is gone or /proc cannot say (another OS,
 * another user's process): a process may exit between listing and reading,
 * and that is not an error here.
 */

const PROC = '/proc';
/** Longest command line quoted in a message: enough to recognise the program. */
const MAX_COMMAND_LINE_CHARS = 200;

/** Every PID listed in /proc now; empty where there is no /proc. */
export function listPids(): number[] {
  try {
    return readdirSync(PROC)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * The process's start time (clock ticks since boot, /proc/<pid>/stat field
 * 22): with the PID it names one process, never a later one reusing the PID.
 * Null when it is gone or a zombie (dead, waiting for a parent that may never
 * reap it), or where /proc does not exist.
 */
export function startTime(pid: number): string | null {
  const fields = statFields(pid);
  // fields[0] is field 3 (state), so field 22 is fields[19].
  return fields === null || fields[0] === 'Z' ? null : (fields[19] ?? null);
}

/** The process group the process is in (stat field 5); null when it is gone. */
export function processGroupOf(pid: number): number | null {
  const group = Number(statFields(pid)?.[2]);
  return Number.isInteger(group) ? group : null;
}

/** The command line, arguments joined by spaces and cut for a message; null when unreadable. */
export function commandLineOf(pid: number): string | null {
  try {
    const text = readFileSync(`${PROC}/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    if (text === '') return null; // a kernel thread, or a zombie
    return text.length > MAX_COMMAND_LINE_CHARS
      ? `${text.slice(0, MAX_COMMAND_LINE_CHARS)}...`
      : text;
  } catch {
    return null;
  }
}

/**
 * The environment the process was started with (NUL-separated entries), or
 * null when it is gone or not ours to read. Empty for a moment while the
 * process is inside execve(): callers that must not miss it read it again.
 */
export function environOf(pid: number): Buffer | null {
  try {
    return readFileSync(`${PROC}/${pid}/environ`);
  } catch {
    return null;
  }
}

/**
 * The kernel's short name for the process (/proc/<pid>/comm, at most 15
 * characters), shown in brackets where the full command line is empty: a
 * process inside execve() has none for a moment. Null when it is gone.
 */
export function processNameOf(pid: number): string | null {
  try {
    const name = readFileSync(`${PROC}/${pid}/comm`, 'utf8').trim();
    return name === '' ? null : `[${name}]`;
  } catch {
    return null;
  }
}

/** /proc/<pid>/stat from field 3 (state) on; the command name before it may hold spaces. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`${PROC}/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
