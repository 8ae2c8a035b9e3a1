/**
 * Starts and stops a local `moto_server` (the AWS emulator from Python's moto package) for
 * integration tests.
 *
 * moto 5.2.1 accepts `-p 0`: the server binds a free port and prints
 * ` * Running on http://127.0.0.1:PORT` on stderr, which is parsed here (no race between finding a
 * free port and binding it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clearTimeout as realClearTimeout, setTimeout as realSetTimeout } from 'node:timers';

/** Options for {@link startMoto}. */
export interface StartMotoOptions {
  /**
   * Executable to run instead of the default, with the same arguments as `moto_server`. The default
   * is `python3 test/support/moto_atomic.py`: moto_server with DynamoDB operations made atomic
   * (see that file for why).
   */
  command?: string;
  /** How long to wait for the server to answer HTTP, in milliseconds (default 30000). */
  startTimeoutMs?: number;
}

/** A running moto server. */
export interface MotoServer {
  /** Base URL to use as `AWS_ENDPOINT_URL`, e.g. `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** Deletes every emulated resource (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 seconds) and waits for it to exit. */
  stop(): Promise<void>;
}

const NOT_FOUND_MESSAGE =
  'moto_server not found: it is preinstalled on the dev/CI machines with Python; install moto[server] ' +
  '(pip install "moto[server]==5.2.1") and make sure moto_server is on PATH';

/** moto_server with atomic DynamoDB operations, run with the `python3` that has moto installed. */
const ATOMIC_MOTO_SCRIPT = fileURLToPath(new URL('./moto_atomic.py', import.meta.url));

const PORT_PATTERN = /Running on http:\/\/127\.0\.0\.1:(\d+)/;

/** Keeps the last lines a child printed, for error messages. */
class OutputTail {
  private readonly lines: string[] = [];

  /** Appends a chunk of output. */
  push(chunk: string): void {
    this.lines.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    if (this.lines.length > 40) this.lines.splice(0, this.lines.length - 40);
  }

  /** Returns the retained lines as one string. */
  toString(): string {
    return this.lines.join('\n');
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/** Waits until the child prints its port, fails to spawn, exits, or the timeout passes. */
function waitForPort(
  child: ChildProcess,
  tail: OutputTail,
  command: string,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const cleanup = () => {
      realClearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const match = PORT_PATTERN.exec(seen);
      if (match?.[1] !== undefined) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onError = (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(error.code === 'ENOENT' ? new Error(NOT_FOUND_MESSAGE, { cause: error }) : error);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      // 127 is the shell's "command not found" (e.g. a pyenv shim whose Python lacks moto).
      const reason =
        code === 127 ? NOT_FOUND_MESSAGE : `${command} exited early (code ${code}, signal ${signal})`;
      reject(new Error(`${reason}\n${tail.toString()}`));
    };
    const timer = realSetTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`${command} did not report its port within ${timeoutMs} ms\n${tail.toString()}`));
    }, timeoutMs);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}

/** Polls the server until it answers HTTP or the deadline passes. */
async function waitForHttp(endpoint: string, deadline: number): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
      lastError = new Error(`HTTP ${response.status}`);
    } catch (error) {
      // Not listening yet: remember why and retry shortly.
      lastError = error;
    }
    await delay(100);
  }
  throw new Error(`moto_server at ${endpoint} did not answer HTTP in time`, { cause: lastError });
}

/** Sends SIGTERM, then SIGKILL if the child has not exited after `graceMs`, and waits for the exit. */
function terminate(child: ChildProcess, graceMs = 5000): Promise<void> {
  const exited = child.exitCode !== null || child.signalCode !== null;
  if (child.pid === undefined || exited) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = realSetTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      realClearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Spawns moto_server (`-H 127.0.0.1 -p 0`, DynamoDB made atomic), waits until it answers HTTP and returns its endpoint;
 * throws a clear error when `moto_server` is not installed.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const command = options.command ?? 'python3';
  const prefix = options.command ? [] : [ATOMIC_MOTO_SCRIPT];
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const child = spawn(command, [...prefix, '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const tail = new OutputTail();
  // Keep draining both pipes for the whole life of the child (moto logs every request), or it would block.
  child.stdout.on('data', (chunk: Buffer) => tail.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => tail.push(chunk.toString('utf8')));
  // A child left running would keep CI busy: kill it if this process exits without calling stop().
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  try {
    const port = await waitForPort(child, tail, command, timeoutMs);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForHttp(endpoint, deadline);
    return {
      endpoint,
      reset: async () => {
        const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
        const body = await response.text();
        if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status} ${body}`);
      },
      stop: async () => {
        process.off('exit', killOnExit);
        await terminate(child);
      },
    };
  } catch (error) {
    process.off('exit', killOnExit);
    await terminate(child, 1000);
    throw error;
  }
}
