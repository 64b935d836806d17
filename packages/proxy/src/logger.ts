/** Where the proxy writes what happens. Lines never contain the token, the email or payer IDs. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Logs one JSON line per event to the console. */
export const consoleLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'info', message, ...fields })),
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

/**
 * Wraps a logger so that none of `secrets` can reach it, whatever a message carries: the proxy
 * never puts them in a line, and this is the second lock on that door.
 */
export function redacting(logger: Logger, secrets: () => string[]): Logger {
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let out = value;
      for (const secret of secrets())
        if (secret.length >= 6) out = out.split(secret).join('[redacted]');
      return out;
    }
    if (Array.isArray(value)) return value.map(clean);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
    }
    return value;
  };
  const wrap =
    (level: keyof Logger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      try {
        logger[level](
          clean(message) as string,
          fields && (clean(fields) as Record<string, unknown>),
        );
      } catch {
        // A failing logger must not break a payment check.
      }
    };
  return { info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
