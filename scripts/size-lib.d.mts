/** A bundle entry measured by `measure`. */
export interface SizeEntry {
  name: string;
  code: string;
  limit?: number;
  external?: string[];
}
export function gzipSize(bytes: Uint8Array): number;
export function measure(
  code: string,
  options?: { source?: boolean },
): Promise<{ minified: number; gzip: number }>;
export const budgets: Array<SizeEntry & { limit: number }>;
export const peers: SizeEntry[];
export const fileBudgets: Array<{ name: string; file: string; limit: number }>;
