// The first step of `pnpm test`: makes sure this machine has the programs the tests start, which
// npm cannot provide. Missing ones are installed with apt-get when this runs as root or with
// passwordless sudo; otherwise it stops at once with the exact command to run. Nothing is skipped
// later for want of them.
//
//   chromium       the browser tests (or set CHROMIUM_PATH to a Chromium or Chrome binary)
//   redis-server   the proxy's Redis store tests (they start their own on free ports)
//   postgresql     the proxy's Postgres tests (server binaries only: no cluster is created)
//   fonts-khmeros  Khmer text in the screenshots the tests read and write
//   php-cli        the proxy README's PHP webhook verifier, run as written
//   tinyproxy      the forward proxy ("relay") the Bakong-through-a-relay tests go through
//   openssl        a certificate for the relay test's TLS server
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const onPath = (name) =>
  (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(`${dir}/${name}`)) ||
  existsSync(`/usr/sbin/${name}`);
const postgres = () =>
  (process.env.PG_BIN && existsSync(`${process.env.PG_BIN}/postgres`)) ||
  (existsSync('/usr/lib/postgresql') &&
    readdirSync('/usr/lib/postgresql').some((v) =>
      existsSync(`/usr/lib/postgresql/${v}/bin/postgres`),
    ));

/** apt package → is it (or what stands in for it) here? */
const NEEDS = {
  chromium: () =>
    process.env.CHROMIUM_PATH ? existsSync(process.env.CHROMIUM_PATH) : onPath('chromium'),
  'redis-server': () => onPath('redis-server'),
  postgresql: postgres,
  'fonts-khmeros': () => existsSync('/usr/share/fonts/truetype/khmeros'),
  'php-cli': () => onPath('php'),
  tinyproxy: () => onPath('tinyproxy'),
  openssl: () => onPath('openssl'),
};

if (process.env.CHROMIUM_PATH && !existsSync(process.env.CHROMIUM_PATH)) {
  // Set by hand and wrong: installing Debian's Chromium would not help.
  console.error(
    `CHROMIUM_PATH is ${process.env.CHROMIUM_PATH}, which does not exist: point it at a Chromium or Chrome binary, or unset it to use Debian's chromium.`,
  );
  process.exit(1);
}
const missing = Object.keys(NEEDS).filter((pkg) => !NEEDS[pkg]());
if (missing.length === 0) process.exit(0);

const root = process.getuid?.() === 0;
const sudo =
  !root && onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
const apt = onPath('apt-get');
const command = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing.join(' ')}`;

if (!apt || (!root && !sudo)) {
  console.error(
    `The tests need programs npm cannot install: ${missing.join(', ')}.\n` +
      (apt
        ? `Run:\n\n  ${command}\n\nthen the test command again.`
        : 'Install them with your system package manager (these are Debian/Ubuntu package names), then run the test command again.'),
  );
  process.exit(1);
}

const as = (args) =>
  execFileSync(root ? args[0] : 'sudo', root ? args.slice(1) : args, { stdio: 'inherit' });
const install = (pkgs) =>
  as([
    'env',
    'DEBIAN_FRONTEND=noninteractive',
    'apt-get',
    'install',
    '-y',
    '--no-install-recommends',
    ...pkgs,
  ]);
console.log(
  `Installing what the tests need: ${missing.join(', ')} (apt-get${root ? '' : ' through sudo'})`,
);
as(['apt-get', 'update']);
if (missing.includes('postgresql')) {
  // No "main" cluster: the tests start their own servers, and without one the package's start of
  // its service (no systemd in a container) has nothing to do and cannot fail the install, nor
  // take port 5432.
  install(['postgresql-common']);
  as([
    'sed',
    '-ri',
    's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/',
    '/etc/postgresql-common/createcluster.conf',
  ]);
}
install(missing);
const still = missing.filter((pkg) => !NEEDS[pkg]());
if (still.length > 0) {
  console.error(`apt-get ran, but these are still missing: ${still.join(', ')}.`);
  process.exit(1);
}
