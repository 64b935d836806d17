/** A bundle entry measured by `measure`. */
export interface SizeEntry {
  name: string;
  code: string;
  limit?: number;
  external?: string[];
}
/** The repository root. */
export const ROOT: string;
export function gzipSize(bytes: Uint8Array): number;
/** Bundles `code` from the built dist/ (or, with `source`, the TypeScript source). */
export function measure(
  code: string,
  options?: { source?: boolean; external?: string[] },
): Promise<{ minified: number; gzip: number }>;
export const budgets: Array<SizeEntry & { limit: number }>;
export const peers: SizeEntry[];
export const fileBudgets: Array<{ name: string; file: string; limit: number }>;
export const distFiles: string[];
export function missingDist(): string[];
