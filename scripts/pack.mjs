// `pnpm tarballs [dir]`: builds and packs every package into `dir` (default `.packs/`), the way
// they would be published, and prints how to install them into a project before they are
// published. The tarballs name each other by version (`@khqr-checkout/khqr@^0.1.0`), which no
// registry has yet: the printed `overrides` point those names at the tarballs too.
// The consumer tests (tests/consumers) install exactly this recipe.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The publishable packages: `packages/*` that are not private. */
export function packages() {
  return readdirSync(join(ROOT, 'packages'))
    .map((dir) => ({
      dir,
      json: JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')),
    }))
    .filter(({ json }) => !json.private)
    .map(({ dir, json }) => ({
      dir: join(ROOT, 'packages', dir),
      name: json.name,
      version: json.version,
    }));
}

/** The tarball's file name npm and pnpm give `@scope/name@version`. */
export function tarballName(name, version) {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/**
 * Packs every package into `dir` and writes `dir/recipe.json`: `{packages: {name: "file:…"}}`, the
 * specs to depend on, also to be used as `overrides`. Builds first unless `build` is false.
 */
export function packAll(dir, { build = true, quiet = false } = {}) {
  const out = resolve(dir);
  const stdio = quiet ? 'pipe' : 'inherit';
  if (build) execFileSync('pnpm', ['run', 'build'], { cwd: ROOT, stdio });
  mkdirSync(out, { recursive: true });
  for (const file of readdirSync(out)) if (file.endsWith('.tgz')) rmSync(join(out, file));
  execFileSync('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', out], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  const specs = {};
  for (const { name, version } of packages()) {
    const file = join(out, tarballName(name, version));
    readFileSync(file); // throws, naming the file, if pnpm wrote it elsewhere
    specs[name] = `file:${file}`;
  }
  writeFileSync(join(out, 'recipe.json'), `${JSON.stringify({ packages: specs }, null, 2)}\n`);
  return specs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? join(ROOT, '.packs');
  const specs = packAll(dir);
  const block = (o) => JSON.stringify(o, null, 2).replace(/\n/g, '\n  ');
  console.log(`
Packed ${Object.keys(specs).length} packages into ${resolve(dir)}.

To try them in a project before they are published, put in its package.json the packages you use
under "dependencies", and all of them under "overrides" (they depend on each other by version):

  "dependencies": ${block({ '@khqr-checkout/react': specs['@khqr-checkout/react'] })},
  "overrides": ${block(specs)}

then run npm install. pnpm: the same specs under "pnpm": {"overrides": …} (or "overrides" in
pnpm-workspace.yaml); Yarn: under "resolutions". The specs are in ${join(resolve(dir), 'recipe.json')}.`);
}
