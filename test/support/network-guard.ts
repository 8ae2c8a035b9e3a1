/**
 * Refuses every outgoing socket connection in the process, so that a unit test that reaches the
 * network (AWS, moto, a loopback fake, anything) fails at once instead of passing by luck.
 *
 * `net.Socket.prototype.connect` is the one door every TCP, TLS and Unix-socket client goes through
 * (`net.connect`, `tls.connect`, `http.request`, `fetch`, the AWS SDK), so patching it covers them all.
 */
import net from 'node:net';

/** Thrown by the guard for every outgoing connection attempted by a unit test. */
export class UnitTestNetworkError extends Error {
  override readonly name = 'UnitTestNetworkError';
  /** Where the connection was going, e.g. `127.0.0.1:5000` or a Unix socket path. */
  readonly target: string;

  constructor(target: string) {
    super(
      `unit tests may not open network connections: the connection to ${target} was refused. ` +
        'A test that needs moto, a loopback fake server or any other endpoint belongs in test/integration/ ' +
        '(see docs/testing.md).',
    );
    this.target = target;
  }
}

/** The guard's state, kept on the process so that every copy of this module shares it. */
interface GuardState {
  /** Connections refused since the last {@link takeRefusedConnections}. */
  refused: UnitTestNetworkError[];
}

const STATE_KEY = Symbol.for('klaxon.test.networkGuard');

type GlobalWithGuard = typeof globalThis & { [STATE_KEY]?: GuardState };

/** Describes the destination of a `Socket#connect` call from its (possibly pre-normalized) arguments. */
function describeTarget(args: unknown[]): string {
  // net.connect() hands Socket#connect its arguments already normalized into one array.
  const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const host = typeof args[1] === 'string' ? args[1] : 'localhost';
    return `${host}:${first}`;
  }
  if (typeof first === 'string') return first;
  if (first !== null && typeof first === 'object') {
    const options = first as { host?: unknown; port?: unknown; path?: unknown };
    // http.Agent passes `path: null` for TCP connections; only a string names a Unix socket.
    if (typeof options.path === 'string' && options.path !== '') return options.path;
    return `${String(options.host ?? 'localhost')}:${String(options.port ?? '?')}`;
  }
  return 'an unknown destination';
}

/** Patches `net.Socket.prototype.connect` to refuse every connection; calling it again changes nothing. */
export function installNetworkGuard(): void {
  const global = globalThis as GlobalWithGuard;
  if (global[STATE_KEY]) return;
  const state: GuardState = { refused: [] };
  global[STATE_KEY] = state;
  net.Socket.prototype.connect = function refuseConnection(this: net.Socket, ...args: unknown[]): never {
    const error = new UnitTestNetworkError(describeTarget(args));
    state.refused.push(error);
    // Release whatever the socket holds (a TLS socket owns a handle before it connects).
    this.destroy();
    throw error;
  } as typeof net.Socket.prototype.connect;
}

/** Returns the connections refused since the last call and forgets them. */
export function takeRefusedConnections(): UnitTestNetworkError[] {
  const state = (globalThis as GlobalWithGuard)[STATE_KEY];
  return state ? state.refused.splice(0) : [];
}
