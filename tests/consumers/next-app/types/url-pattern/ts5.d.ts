// TypeScript 5 only (typesVersions): lib.dom's URLPattern types, which next/server's own
// declarations use (next/dist/server/web/spec-extension/url-pattern.d.ts) and TypeScript 5.9's
// lib.dom and @types/node 20 lack; with skipLibCheck off, Next's types fail to compile without them.
export {};

declare global {
  interface URLPatternInit {
    baseURL?: string;
    hash?: string;
    hostname?: string;
    password?: string;
    pathname?: string;
    port?: string;
    protocol?: string;
    search?: string;
    username?: string;
  }
  interface URLPatternOptions {
    ignoreCase?: boolean;
  }
  interface URLPatternComponentResult {
    groups: Record<string, string | undefined>;
    input: string;
  }
  interface URLPatternResult {
    hash: URLPatternComponentResult;
    hostname: URLPatternComponentResult;
    inputs: URLPatternInput[];
    password: URLPatternComponentResult;
    pathname: URLPatternComponentResult;
    port: URLPatternComponentResult;
    protocol: URLPatternComponentResult;
    search: URLPatternComponentResult;
    username: URLPatternComponentResult;
  }
  type URLPatternInput = string | URLPatternInit;
  interface URLPattern {
    readonly hasRegExpGroups: boolean;
    readonly hash: string;
    readonly hostname: string;
    readonly password: string;
    readonly pathname: string;
    readonly port: string;
    readonly protocol: string;
    readonly search: string;
    readonly username: string;
    exec(input?: URLPatternInput, baseURL?: string | URL): URLPatternResult | null;
    test(input?: URLPatternInput, baseURL?: string | URL): boolean;
  }
}
