// What would be published: every package's tarball holds what a merchant needs and nothing of the
// workspace, names its siblings by version, and `pnpm publish -r --dry-run` accepts them all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, test } from 'vitest';
import { packages } from '../../scripts/pack.mjs';
import { run } from './harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const specs = inject('specs');

describe.each(packages())('$name', ({ name, version, dir }) => {
  const tarball = () => (specs[name] ?? '').replace(/^file:/, '');

  test('its tarball holds dist, README, LICENSE and CHANGELOG, and no source or tests', async () => {
    const files = (await run('tar', ['-tzf', tarball()], ROOT)).split('\n').filter(Boolean);
    for (const file of [
      'package/package.json',
      'package/README.md',
      'package/LICENSE',
      'package/CHANGELOG.md',
    ])
      expect(files).toContain(file);
    expect(files.some((f) => f.startsWith('package/dist/') && f.endsWith('.js'))).toBe(true);
    expect(files.filter((f) => /\/src\/|\.test\.|\.tsbuildinfo$/.test(f))).toEqual([]);
  });

  test('its published package.json names its siblings by version, not workspace:', async () => {
    const json = JSON.parse(await run('tar', ['-xOzf', tarball(), 'package/package.json'], ROOT));
    expect(json.version).toBe(version);
    const deps = { ...json.dependencies, ...json.peerDependencies, ...json.optionalDependencies };
    expect(Object.values(deps).filter((spec) => String(spec).startsWith('workspace:'))).toEqual([]);
    for (const [dep, spec] of Object.entries(deps))
      if (dep.startsWith('@khqr-checkout/')) expect(spec).toBe(`^${version}`);
  });

  test('its CHANGELOG has an entry for its version', () => {
    const changelog = readFileSync(join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(new RegExp(`^# Changelog: ${name.replace('/', '\\/')}$`, 'm'));
    expect(changelog).toMatch(new RegExp(`^## ${version.replaceAll('.', '\\.')}\\b`, 'm'));
  });
});

test('the recipe `pnpm tarballs` writes names every package', () => {
  const [first] = Object.values(specs);
  const recipe = JSON.parse(
    readFileSync(join((first ?? '').replace(/^file:/, ''), '../recipe.json'), 'utf8'),
  );
  expect(recipe.packages).toEqual(specs);
  expect(Object.keys(specs).sort()).toEqual(
    packages()
      .map((p) => p.name)
      .sort(),
  );
});

test('pnpm publish -r --dry-run accepts every package', async () => {
  // --no-git-checks: the dry run is also run on a working tree with changes; CI's clone is clean.
  const output = await run('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks'], ROOT);
  for (const { name, version } of packages()) expect(output).toContain(`${name}@${version}`);
});
