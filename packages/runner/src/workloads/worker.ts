import type { Socket } from 'node:net';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS } from '../config/defaults.js';
import { RunnerError } from '../errors.js';
import { isDirectory } from './command.js';
import type {
  RoundResult,
  Workload,
  WorkloadContext,
  WorkloadInfo,
  WorkloadProfile,
  WorkloadSession,
} from './types.js';
import {
  defaultRunLimit,
  escapedProcesses,
  fixedLimit,
  iterationLimit,
  label,
  missingDirectory,
  misuse,
  OutOfMemoryError,
  protocolViolation,
  spawnFailed,
  startupLimit,
  type TimeLimit,
  timedOut,
  unexpectedExit,
  unexpectedMessage,
  versionMismatch,
  type WorkerIdentity,
  workerReported,
} from './worker-failures.js';
import { LineTail, readLines } from './worker-lines.js';
import {
  DEFAULT_KILL_GRACE_MS,
  ended,
  killProcessGroup,
  noteDescendants,
  spawnWorker,
  type WorkerProcess,
} from './worker-process.js';
import {
  encodeRequest,
  type HelloMessage,
  type InfoUpdate,
  MAX_PROTOCOL_LINE_CHARS,
  PROTOCOL_ENV,
  PROTOCOL_VERSION,
  type ProfileMessage,
  parseWorkerLine,
  quoteLine,
  type ResultMessage,
  type RunnerMessage,
  type WorkerMessage,
  type WorkerMessageType,
} from './worker-protocol.js';
import { type LauncherSocket, listenForLauncher } from './worker-socket.js';

/**
 * Time for the worker to start, load its model and answer setup (model loads
 * are slow): the config's default, so the API and perf-gate.yml agree.
 */
export const DEFAULT_STARTUP_TIMEOUT_MS = DEFAULT_WORKER_STARTUP_TIMEOUT_SECONDS * 1000;
/** No run request times out sooner than this when no iterationTimeoutMs is given. */
export const MIN_RUN_TIMEOUT_MS = 60_000;
/** Default run limit: this many times the slowest iteration seen, per iteration asked for. */
export const SLOWEST_ITERATION_FACTOR = 10;
/** How long a worker has to answer shutdown with bye before it is stopped. */
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** Lines of the worker's stderr quoted in error messages. */
const STDERR_TAIL_LINES = 40;
/** A log line longer than this is split: a progress bar without newlines must not grow forever. */
const LOG_LINE_MAX_CHARS = 64 * 1024;
/**
 * After the worker exits, how long to wait for its last output to arrive.
 * Bounded because a grandchild holding the pipes open would delay 'end' forever.
 */
const DRAIN_AFTER_EXIT_MS = 250;
/**
 * After the worker exits, how long to wait for its replies channel to end:
 * a worker that reported an error (out of memory is a verdict) exits right
 * after, and on a loaded machine the exit can be seen before the report is
 * read. Longer than the output's drain, still bounded for a grandchild that
 * holds the channel open.
 */
const REPLIES_AFTER_EXIT_MS = 3000;
/**
 * After the protocol socket closes, how long to wait for the launcher to exit
 * (torchrun stops the other ranks first) so the error can quote its stderr.
 */
const EXIT_AFTER_SOCKET_CLOSE_MS = 10_000;

/** Configuration of a `worker` workload. */
export interface WorkerWorkloadConfig {
  /**
   * The worker's command: a string runs through /bin/sh (so quoting, `&&` and
   * variables work); an array runs the program directly with those arguments.
   */
  command: string | string[];
  /** Working directory; relative to the side's checkout. Default: the checkout. */
  cwd?: string;
  /** Extra environment variables, on top of the runner's and the context's. */
  env?: Record<string, string>;
  /** Passed to the worker's setup as `options` (e.g. frames, resolution). */
  options?: Record<string, unknown>;
  /**
   * Limit for the worker's hello and its setup (loading the model), in ms.
   * Default 300000 (`startupTimeoutSeconds` in perf-gate.yml). Timeout
   * messages name the perf-gate.yml keys, which is what CLI and Action users set.
   */
  startupTimeoutMs?: number;
  /**
   * Limit per iteration, in ms: a run request of n iterations may take n times
   * this (`iterationTimeoutSeconds` in perf-gate.yml). Default: max(60000,
   * 10 x the slowest iteration seen x n) per request, and the first request
   * (cold start, compilation, autotuning) at least `startupTimeoutMs`.
   */
  iterationTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL when stopping the worker's process group. Default 3000. */
  killGraceMs?: number;
  /**
   * Receives warnings that belong in the benchmark's results: processes that
   * left the worker's tree (daemons) and were stopped with it.
   */
  onWarning?: (message: string) => void;
}

/**
 * A workload run by an external program that speaks the worker protocol
 * (docs/worker-protocol.md), typically a PyTorch script using the Python
 * client's `perf_gate.serve()`. Each session is one worker process in its
 * own process group; closing the session always ends the whole group.
 * Checks the config at once (RunnerError 'USAGE': an empty command, a limit
 * that is not a positive number of ms); a worker that cannot start, crashes,
 * hangs or breaks the protocol fails the session with RunnerError
 * 'WORKLOAD_FAILED'.
 *
 * @example
 * import { workerWorkload } from '@vggt-perf-gate/runner';
 * const workload = workerWorkload({ command: ['python', 'bench/perf_worker.py'], options: { frames: 20 } });
 * const session = await workload.open({ side: 'head', cwd: '.', dtype: 'bf16', log: (line) => console.error(line) });
 * const { samples } = await session.run(5); // deviceMs where the worker times on the GPU
 * await session.close(); // ends the worker's whole process group
 */
export function workerWorkload(config: WorkerWorkloadConfig): Workload {
  checkConfig(config);
  return { kind: 'worker', open: (context) => WorkerSession.open(config, context) };
}

function checkConfig(config: WorkerWorkloadConfig): void {
  const { command } = config;
  const empty = Array.isArray(command)
    ? command.length === 0 || !command[0]?.trim()
    : typeof command !== 'string' || !command.trim();
  if (empty) {
    throw new RunnerError(
      'USAGE',
      `worker workload: "command" must be a non-empty string or array of strings, got ${JSON.stringify(command)}.`,
    );
  }
  for (const key of ['startupTimeoutMs', 'iterationTimeoutMs', 'killGraceMs'] as const) {
    const value = config[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new RunnerError(
        'USAGE',
        `worker workload: "${key}" must be a positive number of milliseconds, got ${JSON.stringify(value)}.`,
      );
    }
  }
}

/** The request the runner is waiting on, and how to settle it. */
interface Pending {
  expect: WorkerMessageType;
  /** For messages: e.g. "'result' of run (5 iterations)". */
  what: string;
  resolve: (message: WorkerMessage) => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

class WorkerSession implements WorkloadSession {
  readonly pid: number;
  private current: WorkloadInfo = {
    framework: 'unknown',
    frameworkVersion: null,
    device: null,
    dtype: null,
    itemsPerIteration: null,
    extra: {},
  };
  private pending: Pending | null = null;
  private failure: RunnerError | null = null;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private ending: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private slowestIterationMs = 0;
  private requestsDone = 0;
  /** Optional requests the worker said it answers (hello.features). */
  private features: readonly string[] = [];
  private readonly stderrTail = new LineTail(STDERR_TAIL_LINES);
  /** Which channel carries the protocol: decided by the first line or connection. */
  private channel: 'pending' | 'fds' | 'socket' = 'pending';
  private requestsOut: Writable;
  private repliesIn: Readable;
  private socket: Socket | null = null;
  private readonly who: WorkerIdentity;
  private readonly startupTimeoutMs: number;
  private readonly graceMs: number;

  private constructor(
    private readonly config: WorkerWorkloadConfig,
    private readonly context: WorkloadContext,
    private readonly proc: WorkerProcess,
    who: WorkerIdentity,
    private readonly viaShell: boolean,
    private readonly launcher: LauncherSocket,
  ) {
    this.who = who;
    this.requestsOut = proc.requests;
    this.repliesIn = proc.replies;
    this.pid = proc.child.pid ?? -1;
    this.startupTimeoutMs = config.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    this.graceMs = config.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.wire();
  }

  /** What the worker reported; dtype may be refined after the first steps (autocast seen). */
  get info(): WorkloadInfo {
    return this.current;
  }

  /** Starts the worker, waits for its hello, sends setup and waits for ready. */
  static async open(
    config: WorkerWorkloadConfig,
    context: WorkloadContext,
  ): Promise<WorkerSession> {
    const cwd = resolve(context.cwd, config.cwd ?? '.');
    const viaShell = typeof config.command === 'string';
    const [file, ...args] = viaShell ? [config.command as string] : (config.command as string[]);
    const display = viaShell ? (file as string) : [file, ...args].join(' ');
    const who: WorkerIdentity = { side: context.side, pid: undefined, command: display, cwd };
    if (!isDirectory(cwd)) throw missingDirectory(who);

    context.signal?.throwIfAborted();
    const launcher = await listenForLauncher();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Python buffers stdout into a pipe; unbuffered, a crash's last prints reach the log.
      PYTHONUNBUFFERED: process.env.PYTHONUNBUFFERED ?? '1',
      PERF_GATE_SIDE: context.side,
      PERF_GATE_DTYPE: context.dtype,
      ...context.env,
      ...config.env,
      ...PROTOCOL_ENV,
      PERF_GATE_SOCKET: launcher.path,
      // A runner killed with SIGKILL cannot stop its workers: the client watches this PID
      // and exits when the runner is gone (docs/worker-protocol.md).
      PERF_GATE_RUNNER_PID: String(process.pid),
    };
    let proc: WorkerProcess;
    try {
      proc = spawnWorker(file as string, args, { cwd, env, shell: viaShell });
    } catch (error) {
      launcher.close();
      throw error;
    }
    who.pid = proc.child.pid;
    const session = new WorkerSession(config, context, proc, who, viaShell, launcher);
    context.log(`[worker:${context.side}] started pid ${session.pid}: ${display} (cwd ${cwd})`);

    const deadline = Date.now() + session.startupTimeoutMs;
    const remaining = () => Math.max(1, deadline - Date.now());
    // Closing fails the pending hello/ready request, so the start ends at once.
    const abandon = () => void session.close();
    context.signal?.addEventListener('abort', abandon, { once: true });
    try {
      const limit = startupLimit(session.startupTimeoutMs);
      const hello = (await session.request(
        null,
        'hello',
        "'hello'",
        remaining(),
        limit,
      )) as HelloMessage;
      session.current = infoFromHello(hello);
      session.features = hello.features ?? [];
      const setup: RunnerMessage = {
        type: 'setup',
        protocol: PROTOCOL_VERSION,
        side: context.side,
        dtype: context.dtype,
        options: config.options ?? {},
      };
      const ready = await session.request(setup, 'ready', "'ready' (setup)", remaining(), limit);
      session.applyUpdate(ready as InfoUpdate);
      noteDescendants(session.proc);
      return session;
    } catch (error) {
      await session.close();
      throw error;
    } finally {
      context.signal?.removeEventListener('abort', abandon);
    }
  }

  async warmup(iterations: number): Promise<void> {
    await this.runRequest(iterations, true);
  }

  async run(iterations: number): Promise<RoundResult> {
    const reply = await this.runRequest(iterations, false);
    return { samples: reply.samples, memory: reply.memory };
  }

  /**
   * One profiled iteration (the Python client runs two untimed passes), if
   * the worker said in its hello that it answers `profile`. Called after the
   * last timed sample. A worker error here still ends the session (the
   * protocol has no way back from it); the caller treats that as "no profile".
   */
  async profile(): Promise<WorkloadProfile | null> {
    if (!this.features.includes('profile')) return null;
    const timeoutMs = Math.max(
      MIN_RUN_TIMEOUT_MS,
      2 * SLOWEST_ITERATION_FACTOR * this.slowestIterationMs,
    );
    const limit = fixedLimit(
      timeoutMs,
      `${2 * SLOWEST_ITERATION_FACTOR} x the slowest iteration seen, at least ${MIN_RUN_TIMEOUT_MS / 1000} s`,
      'only the profile is lost, the measurement stands',
    );
    const reply = (await this.request(
      { type: 'profile' },
      'profile',
      "'profile'",
      timeoutMs,
      limit,
    )) as ProfileMessage;
    const { type: _type, reason, failedParts, hostReads, ...facts } = reply;
    return {
      ...facts,
      ...(reason ? { reason } : {}),
      ...(failedParts ? { failedParts } : {}),
      ...(typeof hostReads === 'number' ? { hostReads } : {}),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (this.pending !== null) {
      this.fail(misuse(this.who, `finish ${this.pending.what}: the session was closed first`));
    }
    noteDescendants(this.proc);
    if (this.failure === null && this.exit === null) {
      try {
        const limit = fixedLimit(
          SHUTDOWN_TIMEOUT_MS,
          'the shutdown limit',
          'the worker is stopped',
        );
        await this.request({ type: 'shutdown' }, 'bye', "'bye'", SHUTDOWN_TIMEOUT_MS, limit);
        await Promise.race([this.proc.exited, sleep(this.graceMs)]);
      } catch {
        // A worker that does not say bye is stopped below all the same.
      }
    }
    // Always: grandchildren (data loaders, torchrun ranks) may outlive a clean exit.
    await this.endTree();
  }

  private async runRequest(iterations: number, warmup: boolean): Promise<ResultMessage> {
    const kind = warmup ? 'warm-up' : 'run';
    if (!Number.isInteger(iterations) || iterations < 1) {
      throw new RunnerError(
        'USAGE',
        `the ${label(this.who)} was asked for a ${kind} of ${iterations} iterations; use a positive integer.`,
      );
    }
    if (this.closing !== null) throw misuse(this.who, `start a ${kind}: the session is closed`);
    const limit = this.runLimit(iterations);
    const started = performance.now();
    const reply = (await this.request(
      { type: 'run', iterations, warmup },
      'result',
      `'result' of ${kind} (${iterations} iterations)`,
      limit.ms,
      limit,
    )) as ResultMessage;
    const wallMs = performance.now() - started;
    if (!warmup && reply.samples.length !== iterations) {
      const error = protocolViolation(
        this.who,
        `a result of ${reply.samples.length} samples for a run of ${iterations} iterations`,
      );
      this.fail(error);
      await this.endTree();
      throw error;
    }
    this.requestsDone += 1;
    noteDescendants(this.proc);
    // wall / n bounds a warm-up's iterations, which return no samples.
    this.slowestIterationMs = Math.max(
      this.slowestIterationMs,
      wallMs / iterations,
      ...reply.samples.map((sample) => sample.hostMs),
    );
    if (reply.info) this.applyUpdate(reply.info);
    // After the first request, not at ready: autocast (mixed-precision training keeps
    // fp32 weights) is only seen once a forward has run.
    if (this.requestsDone === 1) this.noteDtype();
    return reply;
  }

  private runLimit(iterations: number): TimeLimit {
    if (this.config.iterationTimeoutMs !== undefined)
      return iterationLimit(this.config.iterationTimeoutMs, iterations);
    const first = this.requestsDone === 0;
    const floor = first ? Math.max(MIN_RUN_TIMEOUT_MS, this.startupTimeoutMs) : MIN_RUN_TIMEOUT_MS;
    const ms = Math.max(floor, SLOWEST_ITERATION_FACTOR * this.slowestIterationMs * iterations);
    const rule = first
      ? `a first request (cold caches, compilation) gets the larger of ${MIN_RUN_TIMEOUT_MS / 1000} s and startupTimeoutSeconds`
      : `${SLOWEST_ITERATION_FACTOR} x the slowest iteration seen x ${iterations} iterations, at least ${MIN_RUN_TIMEOUT_MS / 1000} s`;
    return defaultRunLimit(ms, rule);
  }

  /**
   * Sends `message` (none for the hello, which the worker sends unasked) and
   * waits for a reply of type `expect`. Rejects, after the worker's process
   * group is gone, when the worker fails in any way before replying.
   */
  private request(
    message: RunnerMessage | null,
    expect: WorkerMessageType,
    what: string,
    timeoutMs: number,
    /** The limit to name in a timeout error; `timeoutMs` may be what remains of it. */
    limit: TimeLimit,
  ): Promise<WorkerMessage> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.pending !== null) {
      return Promise.reject(
        misuse(this.who, `send ${what} while ${this.pending.what} is in flight`),
      );
    }
    return new Promise((resolvePending, rejectPending) => {
      const timer = setTimeout(() => {
        this.fail(timedOut(this.who, what, limit, this.graceMs, this.stderrTail.format('stderr')));
      }, timeoutMs);
      this.pending = { expect, what, resolve: resolvePending, reject: rejectPending, timer };
      if (message !== null) this.requestsOut.write(encodeRequest(message));
    });
  }

  /** Records the first failure, stops the worker, and rejects the request in flight once it is gone. */
  private fail(error: RunnerError): void {
    if (this.failure !== null) return;
    this.failure = error;
    const pending = this.pending;
    this.pending = null;
    const ended = this.endTree();
    if (pending !== null) {
      clearTimeout(pending.timer);
      void ended.then(() => pending.reject(error));
    }
  }

  private endTree(): Promise<void> {
    this.ending ??= killProcessGroup(this.proc, this.graceMs)
      .then((escaped) => {
        if (escaped.length === 0) return;
        const warning = escapedProcesses(this.who, escaped);
        this.context.log(`[worker:${this.context.side}] warning: ${warning}`);
        this.config.onWarning?.(warning);
      })
      .finally(() => {
        this.launcher.close();
        this.socket?.destroy();
      });
    return this.ending;
  }

  private wire(): void {
    const { child, requests, replies, stdout, stderr } = this.proc;
    const prefix = `[worker:${this.context.side}`;
    const logTo = (name: string) => (line: string) =>
      this.context.log(`${prefix} ${name}] ${line}`);
    const logStdout = logTo('stdout');
    const logStderr = logTo('stderr');
    readLines(stdout, logStdout, { maxChars: LOG_LINE_MAX_CHARS, onOverflow: logStdout });
    readLines(
      stderr,
      (line) => {
        this.stderrTail.push(line);
        logStderr(line);
      },
      { maxChars: LOG_LINE_MAX_CHARS, onOverflow: logStderr },
    );
    readLines(replies, (line) => this.onChannelLine('fds', line), this.protocolLineOptions());
    this.launcher.onConnection((socket) => this.onSocket(socket));
    // A worker that dies mid-write breaks these pipes; the exit handler reports why.
    for (const stream of [requests, replies, stdout, stderr] as const) {
      stream.on('error', (error: Error) =>
        this.context.log(`${prefix}] pipe error: ${error.message}`),
      );
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) this.fail(spawnFailed(this.who, error));
      else this.context.log(`${prefix}] ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      this.exit = { code, signal };
      this.context.log(`${prefix}] exited (${signal ?? `code ${code}`})`);
      void this.onExit();
    });
  }

  private async onExit(): Promise<void> {
    if (this.pending?.expect === 'bye') {
      // Exiting is as good as bye.
      this.settle({ type: 'bye' });
      return;
    }
    if (this.failure !== null || this.closing !== null) return;
    // Let the last stderr lines and any final message (an error report) arrive first.
    const { stdout, stderr } = this.proc;
    await Promise.race([ended(this.repliesIn), sleep(REPLIES_AFTER_EXIT_MS)]);
    if (this.failure !== null || this.closing !== null) return;
    await Promise.race([Promise.all([ended(stdout), ended(stderr)]), sleep(DRAIN_AFTER_EXIT_MS)]);
    if (this.failure !== null || this.closing !== null || this.exit === null) return;
    this.fail(
      unexpectedExit(
        this.who,
        this.exit,
        this.pending?.what ?? null,
        this.stderrTail.format('stderr'),
        this.viaShell,
      ),
    );
  }

  private protocolLineOptions() {
    return {
      maxChars: MAX_PROTOCOL_LINE_CHARS,
      onOverflow: (piece: string) =>
        this.fail(
          protocolViolation(
            this.who,
            `over ${MAX_PROTOCOL_LINE_CHARS} characters without a newline, starting ${quoteLine(piece)}`,
          ),
        ),
    };
  }

  /** The first channel to carry a line is the protocol's; a line on the other is a violation. */
  private onChannelLine(channel: 'fds' | 'socket', line: string): void {
    if (this.channel === 'pending') {
      this.channel = channel;
      this.launcher.close(); // no one else may connect now
      if (channel === 'socket' && this.socket) {
        // Requests follow the replies only now: a connection alone proves nothing.
        this.requestsOut = this.socket;
        this.repliesIn = this.socket;
        this.context.log(
          `[worker:${this.context.side}] protocol over PERF_GATE_SOCKET (a launcher such as torchrun started the process that speaks it)`,
        );
      } else if (channel === 'fds' && this.socket) {
        // Something connected but the direct child spoke on fd 4: drop the silent socket.
        const stray = this.socket;
        this.socket = null;
        stray.destroy();
      }
    }
    if (this.channel !== channel) {
      this.fail(
        protocolViolation(
          this.who,
          `protocol lines on both fd 4 and PERF_GATE_SOCKET: only one process (rank 0) may speak the protocol; got ${quoteLine(line)}`,
        ),
      );
      return;
    }
    this.onReply(line);
  }

  /** A launched rank connected to PERF_GATE_SOCKET; it becomes the channel once it speaks first. */
  private onSocket(socket: Socket): void {
    const tag = `[worker:${this.context.side}]`;
    if (this.channel !== 'pending' || this.socket !== null) {
      this.context.log(
        `${tag} refused a second connection to the protocol socket: only one process (rank 0) may speak the protocol`,
      );
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on('error', (error) =>
      this.context.log(`${tag} protocol socket error: ${error.message}`),
    );
    readLines(socket, (line) => this.onChannelLine('socket', line), this.protocolLineOptions());
    socket.on('close', () => {
      if (this.socket === socket && this.channel === 'socket') void this.onSocketClosed();
    });
  }

  /** The speaking rank is gone. Its launcher normally exits soon after, with a better message. */
  private async onSocketClosed(): Promise<void> {
    if (this.failure !== null || this.closing !== null || this.exit !== null) return;
    await Promise.race([this.proc.exited, sleep(EXIT_AFTER_SOCKET_CLOSE_MS)]);
    await sleep(DRAIN_AFTER_EXIT_MS);
    if (this.failure !== null || this.closing !== null || this.exit !== null) return;
    this.fail(
      protocolViolation(
        this.who,
        `the process speaking the protocol closed PERF_GATE_SOCKET without saying bye, while ${this.pending?.what ?? 'the runner waited'}, and the launcher kept running. ${this.stderrTail.format('stderr')}`,
      ),
    );
  }

  private onReply(line: string): void {
    if (this.failure !== null) return;
    const parsed = parseWorkerLine(line);
    if (parsed.kind === 'invalid') {
      this.fail(protocolViolation(this.who, parsed.problem));
      return;
    }
    if (parsed.kind === 'version') {
      this.fail(versionMismatch(this.who, parsed.version));
      return;
    }
    const message = parsed.message;
    if (message.type === 'error') {
      if (message.info) this.applyUpdate(message.info);
      const phase = message.phase ?? this.pending?.what ?? 'the worker';
      this.fail(
        message.outOfMemory
          ? new OutOfMemoryError(this.who, phase, message.message, {
              ...message.outOfMemory,
              dtypeKnown: message.info?.dtype != null,
            })
          : workerReported(this.who, phase, message.message, message.traceback),
      );
      return;
    }
    if (this.pending === null || this.pending.expect !== message.type) {
      this.fail(unexpectedMessage(this.who, message.type, this.pending?.what ?? null));
      return;
    }
    this.settle(message);
  }

  private settle(message: WorkerMessage): void {
    const pending = this.pending;
    if (pending === null) return;
    this.pending = null;
    clearTimeout(pending.timer);
    pending.resolve(message);
  }

  private applyUpdate(update: InfoUpdate): void {
    const next = { ...this.current, extra: { ...this.current.extra, ...(update.extra ?? {}) } };
    if (update.device != null) next.device = update.device;
    if (update.dtype != null) next.dtype = update.dtype;
    if (update.itemsPerIteration != null) next.itemsPerIteration = update.itemsPerIteration;
    if (update.dtypeSource != null) next.extra.dtypeSource = update.dtypeSource;
    this.current = next;
  }

  /** Logs a dtype that differs from the one asked for: the silent-fallback story. */
  private noteDtype(): void {
    const { dtype, extra } = this.current;
    const tag = `[worker:${this.context.side}]`;
    if (extra.dtypeSource === 'requested') {
      this.context.log(
        `${tag} note: the worker could not see the dtype in effect (no torch.nn.Module in its state, no autocast); it reports the requested ${this.context.dtype}.`,
      );
    } else if (dtype !== null && dtype !== this.context.dtype) {
      this.context.log(
        `${tag} warning: ${this.context.dtype} was requested but ${dtype} is in effect (from ${String(extra.dtypeSource ?? 'the worker')}).`,
      );
    }
  }
}

function infoFromHello(hello: HelloMessage): WorkloadInfo {
  const extra: Record<string, unknown> = { ...(hello.extra ?? {}) };
  if (hello.client) extra.client = hello.client;
  if (hello.dtypeSource) extra.dtypeSource = hello.dtypeSource;
  return {
    framework: hello.framework,
    frameworkVersion: hello.frameworkVersion,
    device: hello.device,
    dtype: hello.dtype,
    itemsPerIteration: hello.itemsPerIteration,
    extra,
  };
}
