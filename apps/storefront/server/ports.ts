// The demo's ports: a port the user asked for is taken or the demo says why not; a default port
// that is busy (a second demo, another dev server) gives way to a free one, and the demo says so.

/** Why the demo cannot start, in words the user can act on: `pnpm demo` prints the message alone. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** A port to listen on, and who chose it. */
export interface PortChoice {
  port: number;
  /** The variable or option that asked for this port; null for the default, which gives way. */
  setBy: string | null;
}

/**
 * The port from an option, else from an environment variable, else the default.
 * @throws StartupError when the variable is not a port number
 */
export function choosePort(
  option: [name: string, value: number | undefined],
  variable: string,
  env: NodeJS.ProcessEnv,
  fallback: number,
): PortChoice {
  if (option[1] !== undefined) return { port: option[1], setBy: `the ${option[0]} option` };
  const text = env[variable]?.trim();
  if (!text) return { port: fallback, setBy: null };
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535)
    throw new StartupError(
      `${variable} must be a port number from 0 to 65535 (0 picks a free one), not "${env[variable]}".`,
    );
  return { port, setBy: variable };
}

/** How many ports after a busy default are tried before any free port (0) is taken. */
const NEXT_PORTS = 10;

/**
 * Runs `listen` on the chosen port. A busy port that was asked for is a {@link StartupError}
 * naming the port and the variable; a busy default moves to the next ports up (as Vite does), then
 * to any free port, and `busy` names the default that was in use.
 */
export async function listenOn<T>(
  choice: PortChoice,
  what: string,
  listen: (port: number) => Promise<T>,
): Promise<{ value: T; busy: number | null }> {
  try {
    return { value: await listen(choice.port), busy: null };
  } catch (error) {
    if ((error as NodeJS.ErrnoException)?.code === 'EACCES')
      throw new StartupError(
        `Port ${choice.port} needs privileges this user lacks (${what}). Set ${choice.setBy ?? 'PORT'} to a port above 1023.`,
      );
    if (!inUse(error)) throw error;
    if (choice.setBy !== null)
      throw new StartupError(
        `Port ${choice.port} is in use, and ${choice.setBy} asks for it (${what}). Set ${choice.setBy} to another port (0 picks a free one), or stop what is using it.`,
      );
  }
  const candidates = [...Array.from({ length: NEXT_PORTS }, (_, i) => choice.port + 1 + i), 0];
  for (const port of candidates.filter((port) => port <= 65_535)) {
    try {
      return { value: await listen(port), busy: choice.port };
    } catch (error) {
      if (!inUse(error)) throw error;
    }
  }
  throw new StartupError(`No free port for ${what}.`);
}

const inUse = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
