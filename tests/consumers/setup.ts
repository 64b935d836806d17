// Packs the built packages once (`pnpm tarballs`' own code) and installs every consumer project
// from the tarballs, all at once, in a fresh directory outside the workspace.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packAll, packages } from '../../scripts/pack.mjs';
import { copyTemplate, npmInstall } from './harness.ts';

const PROJECTS = ['node-server', 'vite-react', 'next-app', 'snippets'];

declare module 'vitest' {
  export interface ProvidedContext {
    consumerRoot: string;
    specs: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  for (const { dir, name } of packages())
    if (!existsSync(join(dir, 'dist')))
      throw new Error(`${name} is not built: run "pnpm build" first (pnpm test does).`);
  const root = mkdtempSync(join(tmpdir(), 'khqr-consumers-'));
  const specs: Record<string, string> = packAll(join(root, 'packs'), { build: false, quiet: true });
  const present = PROJECTS.filter((name) =>
    existsSync(new URL(`./${name}/package.json`, import.meta.url)),
  );
  await Promise.all(present.map((name) => npmInstall(copyTemplate(name, root, specs))));
  project.provide('consumerRoot', root);
  project.provide('specs', specs);
  return () => {
    if (!process.env.KHQR_KEEP_CONSUMERS) rmSync(root, { recursive: true, force: true });
  };
}
