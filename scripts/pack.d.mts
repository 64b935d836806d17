export function packages(): { dir: string; name: string; version: string }[];
export function tarballName(name: string, version: string): string;
export function packAll(
  dir: string,
  options?: { build?: boolean; quiet?: boolean },
): Record<string, string>;
