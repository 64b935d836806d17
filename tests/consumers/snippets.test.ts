// README snippets are code. Every ```ts, ```tsx and ```html block of the READMEs (README.md,
// packages/*/README.md, apps/*/README.md) is read when this test runs, so a README edit is tested:
// - each TS/TSX block becomes its own module in the installed `snippets` project (the packed
//   packages as a merchant installs them, strict, exactOptionalPropertyTypes, skipLibCheck off),
//   `src/<readme>-<n>.ts(x)`, or the path its first line names (`// app/checkout/[order]/pay.tsx`)
//   so blocks that import each other resolve; the merchant's own names come from the template's
//   merchant.d.ts. All of them are type-checked with TypeScript 5.9 and 7, and every error is
//   reported at its README file and line;
// - each imports only what the merchant installed (the template's dependencies), and a
//   `'use client'` is a directive, the first statement of its module;
// - each HTML block is served as a page, with its `<script src>` answered by the packed file its
//   comment names, the packed proxy behind `/api/khqr` and the packed sandbox as Bakong, and run in
//   Chromium: every `<khqr-checkout>` attribute is one the element observes, the card shows the QR,
//   the payment fires `khqr-success`, the page's own script does what it says, a slotted child shows.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { scanPng } from '../../test-utils/card-states.ts';
import { launchChromium } from '../../test-utils/chromium.ts';
import { runStatus } from './harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const project = join(inject('consumerRoot'), 'snippets');

type Lang = 'ts' | 'tsx' | 'html';
const LANGS: Record<string, Lang> = { ts: 'ts', typescript: 'ts', tsx: 'tsx', html: 'html' };

/**
 * What a README must keep at least (README.md, packages/*, apps/*): fewer means the extractor
 * broke, or a snippet was dropped instead of fixed.
 */
const AT_LEAST: Record<Lang, number> = { ts: 16, tsx: 7, html: 3 };

interface Snippet {
  /** The README, from the repository root. */
  readme: string;
  /** The README line of the block's first code line. */
  line: number;
  /** The block's indentation in the README (a block inside a list item), removed from its code. */
  indent: number;
  lang: Lang;
  /** 1-based among this README's checked blocks. */
  n: number;
  code: string;
  /** Where it is written in the project. */
  file: string;
}

/** README.md, then packages/*\/README.md and apps/*\/README.md. */
function readmes(): string[] {
  const found = ['README.md'];
  for (const dir of ['packages', 'apps'])
    for (const name of readdirSync(join(ROOT, dir)).sort())
      if (readdirSync(join(ROOT, dir, name)).includes('README.md'))
        found.push(`${dir}/${name}/README.md`);
  return found;
}

/** The fenced blocks of one README in the checked languages. */
function extract(readme: string): Snippet[] {
  const lines = readFileSync(join(ROOT, readme), 'utf8').split('\n');
  const slug = readme.replace(/\.md$/, '').replaceAll('/', '-');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const [, pad = '', fence = '', info = ''] = open;
    const close = new RegExp(`^ *${fence[0]}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] as string)) end++;
    const body = lines
      .slice(i + 1, end)
      .map((line) => (line.startsWith(pad) ? line.slice(pad.length) : line.trimStart()));
    const lang = LANGS[info.toLowerCase()];
    if (lang) {
      const n = found.length + 1;
      const code = `${body.join('\n')}\n`;
      // `// app/checkout/[order]/pay.tsx` (then a space or a colon): a file of an app, which other
      // blocks may import.
      const named = /^\/\/ ((?:[\w.@[\]-]+\/)*[\w.[\]-]+\.tsx?)(?::|\s|$)/.exec(code)?.[1];
      const file =
        lang === 'html'
          ? `html/${slug}-${n}.html`
          : named
            ? `src/${slug}/${named}`
            : `src/${slug}-${n}.${lang}`;
      found.push({ readme, line: i + 2, indent: pad.length, lang, n, code, file });
    }
    i = end;
  }
  return found;
}

/**
 * The packages a README's install lines (`pnpm add …`, `npm i …` in its sh blocks, their comments
 * included: "peers: react") name; undefined for a README with none.
 */
function installLine(readme: string): Set<string> | undefined {
  const text = readFileSync(join(ROOT, readme), 'utf8');
  const lines = [...text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)]
    .flatMap((m) => (m[1] as string).split('\n'))
    // Lines that name packages: a bare `pnpm install` (the repository's own set-up) names none.
    .filter((line) => /\b(?:pnpm|npm|yarn)\s+(?:add|i|install)\s+[@\w]/.test(line));
  if (lines.length === 0) return undefined;
  return new Set(
    lines.flatMap((line) => line.split(/[\s,:]+/)).map((word) => word.replace(/(?<=.)@[^/]*$/, '')),
  );
}

const snippets = readmes().flatMap(extract);
const code = snippets.filter((s) => s.lang !== 'html');
const html = snippets.filter((s) => s.lang === 'html');
const at = (s: Snippet, offset = 0, column = 1) =>
  `${s.readme}:${s.line + offset}:${column + s.indent}`;
/** The README position of the first line of `s` containing `needle`. */
const where = (s: Snippet, needle: string) =>
  at(
    s,
    Math.max(
      0,
      s.code.split('\n').findIndex((line) => line.includes(needle)),
    ),
  );

test(`the READMEs' snippets are all extracted: at least ${AT_LEAST.ts} ts, ${AT_LEAST.tsx} tsx, ${AT_LEAST.html} html`, () => {
  const count = { ts: 0, tsx: 0, html: 0 };
  for (const s of snippets) count[s.lang]++;
  expect(count.ts).toBeGreaterThanOrEqual(AT_LEAST.ts);
  expect(count.tsx).toBeGreaterThanOrEqual(AT_LEAST.tsx);
  expect(count.html).toBeGreaterThanOrEqual(AT_LEAST.html);
  expect(new Set(snippets.map((s) => s.file)).size).toBe(snippets.length);
});

describe('TS and TSX snippets', () => {
  beforeAll(() => {
    rmSync(join(project, 'src'), { recursive: true, force: true });
    for (const s of code) {
      mkdirSync(dirname(join(project, s.file)), { recursive: true });
      writeFileSync(join(project, s.file), s.code);
    }
  });

  test("each imports only packages the merchant installed (its README's install line, the project's dependencies), and a directive is its first statement", () => {
    const json = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    const installed = new Set([
      ...Object.keys(json.dependencies ?? {}),
      ...Object.keys(json.devDependencies ?? {}),
    ]);
    const problems: string[] = [];
    for (const s of code) {
      const told = installLine(s.readme);
      const lines = s.code.split('\n');
      lines.forEach((line, i) => {
        for (const [, spec = ''] of line.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
          // Relative imports are the blocks of one app; `@/…` is the app's own (merchant.d.ts).
          if (spec.startsWith('.') || spec.startsWith('@/')) continue;
          const name = spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/');
          if (spec.startsWith('node:') || builtinModules.includes(name)) continue;
          // npm hoists a package's own dependencies (qrcode.react under @khqr-checkout/react), so
          // an import the README never told the merchant to install still resolves here.
          if (told && !told.has(name))
            problems.push(
              `${at(s, i)}: imports ${spec}, but ${s.readme}'s install line (\`pnpm add …\`) does not install ${name}`,
            );
          if (!installed.has(name))
            problems.push(
              `${at(s, i)}: imports ${spec}, which ${name} provides: add it to tests/consumers/snippets/package.json if the README tells merchants to install it`,
            );
        }
        const directive = /^\s*(\()?\s*(['"])use (client|server)\2\s*\)?\s*;?\s*$/.exec(line);
        if (!directive) return;
        const before = lines.slice(0, i).filter((l) => l.trim() && !l.trim().startsWith('//'));
        if (directive[1] || before.length)
          problems.push(
            `${at(s, i)}: '${line.trim()}' is not a directive: 'use ${directive[3]}'; must be the first statement of its own module (a block of its own, its file named in a first-line comment)`,
          );
      });
    }
    expect(problems).toEqual([]);
  });

  /** `file(line,col): error TSxxxx: message` (and its indented continuation lines), at README lines. */
  function diagnostics(output: string): string[] {
    const byFile = new Map(code.map((s) => [s.file, s]));
    const found: string[] = [];
    for (const raw of output.split('\n')) {
      const m = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/.exec(raw.trimEnd());
      if (!m) {
        if (/^\s+\S/.test(raw) && found.length) found[found.length - 1] += `\n  ${raw.trim()}`;
        continue;
      }
      const [, file = '', line = '1', column = '1', , tsCode, message] = m;
      const s = byFile.get(file.replaceAll('\\', '/').replace(/^\.\//, ''));
      if (!s) {
        found.push(`${file}:${line}:${column}: ${tsCode} ${message}`);
        continue;
      }
      const offset = Number(line) - 1;
      const text = s.code.split('\n')[offset]?.trim() ?? '';
      found.push(
        `${at(s, offset, Number(column))}: ${tsCode} ${message}\n    ${text}\n    (${s.lang} block ${s.n} of ${s.readme}, written to ${s.file})`,
      );
    }
    return found;
  }

  test.each([
    ['TypeScript 5.9', 'node_modules/typescript/bin/tsc', /Version 5\.9\./],
    ['TypeScript 7', 'node_modules/typescript7/bin/tsc', /Version 7\./],
  ])('every one type-checks with %s against the packed packages', async (_, tsc, version) => {
    expect((await runStatus('node', [tsc, '--version'], project)).output).toMatch(version);
    const { code: exit, output } = await runStatus(
      'node',
      [tsc, '-p', 'tsconfig.json', '--pretty', 'false'],
      project,
    );
    const found = diagnostics(output);
    if (found.length)
      throw new Error(
        `${found.length} type error(s) in the README snippets:\n\n${found.join('\n\n')}\n`,
      );
    expect(exit, output).toBe(0);
  });
});

describe('HTML snippets, in Chromium', () => {
  type Proxy = typeof import('@khqr-checkout/proxy');
  type ProxyNode = typeof import('@khqr-checkout/proxy/node');
  type SandboxModule = typeof import('@khqr-checkout/sandbox');
  let browser: Browser;
  let sandbox: Awaited<ReturnType<SandboxModule['startSandbox']>>;
  let proxy: ReturnType<Proxy['createKhqrProxy']>;
  let server: Server;
  let origin = '';
  const pages = new Map<string, string>();
  const assets = new Map<string, string>();
  const requests: string[] = [];
  const paidOrders: string[] = [];
  const ledger = mkdtempSync(join(tmpdir(), 'khqr-snippets-ledger-'));

  /** The file an `exports` subpath of an installed package names (`@khqr-checkout/element/khqr-checkout.js`). */
  function exportFile(spec: string): string | undefined {
    const m = /^(@[\w.-]+\/[\w.-]+|[\w.-]+)(\/.*)?$/.exec(spec);
    if (!m) return undefined;
    const [, name = '', sub = ''] = m;
    const dir = join(project, 'node_modules', name);
    let json: { exports?: Record<string, unknown> };
    try {
      json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      return undefined;
    }
    let target = json.exports?.[`.${sub}`];
    while (target && typeof target === 'object') {
      const conditions = target as Record<string, unknown>;
      target = conditions.import ?? conditions.default;
    }
    return typeof target === 'string' ? join(dir, target) : undefined;
  }
  const load = async <T>(spec: string): Promise<T> => {
    const file = exportFile(spec);
    if (!file) throw new Error(`${spec} is not exported by the installed package`);
    return (await import(pathToFileURL(file).href)) as T;
  };

  beforeAll(async () => {
    browser = await launchChromium();
    const { createKhqrProxy } = await load<Proxy>('@khqr-checkout/proxy');
    const { nodeHandler } = await load<ProxyNode>('@khqr-checkout/proxy/node');
    const { startSandbox, DEV_TOKEN } = await load<SandboxModule>('@khqr-checkout/sandbox');
    sandbox = await startSandbox({ port: 0 });
    let handle: ReturnType<ProxyNode['nodeHandler']> | undefined;
    server = createServer(async (req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      requests.push(`${req.method} ${path}`);
      if (path.startsWith('/api/khqr/') && handle) return handle(req, res);
      const renew = /^\/api\/orders\/([\w-]+)\/checkout$/.exec(path);
      if (renew && req.method === 'POST') {
        const checkout = await proxy.createCheckout({
          amount: '12.50',
          currency: 'USD',
          orderId: renew[1] as string,
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ qr: checkout.qr }));
      }
      const page = pages.get(path);
      const asset = assets.get(path);
      if (page !== undefined) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(page);
      }
      if (asset) {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return res.end(readFileSync(asset));
      }
      // A page the snippet links to or goes to (/thanks, /orders/42).
      res.writeHead(req.method === 'GET' ? 200 : 404, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>${path}</title><p>${path}</p>`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    proxy = createKhqrProxy({
      bakong: { token: DEV_TOKEN, baseUrl: sandbox.url },
      merchant: { accounts: ['shop@test'], name: 'README Shop' },
      allowedOrigins: [origin],
      basePath: '/api/khqr',
      database: ledger,
      logger: { info() {}, warn() {}, error() {} },
      onPaid: (event) => {
        paidOrders.push(event.orderId ?? '');
      },
    });
    handle = nodeHandler(proxy);
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await sandbox?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(ledger, { recursive: true, force: true });
  });

  test.each(html.map((s) => ({ ...s, at: at(s) })))(
    '$at: the page runs as the README says',
    async (s) => {
      const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
      try {
        // The block as Chromium parses it (DOMParser: no script runs).
        const parsed = await page.evaluate((source) => {
          const doc = new DOMParser().parseFromString(source, 'text/html');
          const next = (node: Node) => {
            let sibling = node.nextSibling;
            while (sibling?.nodeType === Node.TEXT_NODE && !sibling.textContent?.trim())
              sibling = sibling.nextSibling;
            return sibling?.nodeType === Node.COMMENT_NODE
              ? (sibling.textContent ?? '').trim()
              : '';
          };
          return {
            scripts: [...doc.querySelectorAll('script[src]')].map((el) => ({
              src: el.getAttribute('src') ?? '',
              comment: next(el),
            })),
            cards: [...doc.querySelectorAll('khqr-checkout')].map((el) => ({
              attributes: el.getAttributeNames().map((name) => [name, el.getAttribute(name) ?? '']),
              slotted: [...el.children].flatMap((c) => c.getAttribute('slot') ?? []),
            })),
            assigned: [...doc.querySelectorAll('script:not([src])')].flatMap((el) =>
              [...(el.textContent ?? '').matchAll(/location\.assign\(\s*'([^']+)'\s*\)/g)].map(
                (m) => m[1] as string,
              ),
            ),
          };
        }, s.code);
        const problems: string[] = [];
        let source = s.code;
        for (const { src, comment } of parsed.scripts) {
          const file = exportFile(comment);
          if (file) assets.set(src, file);
          else
            problems.push(
              `${where(s, src)}: <script src="${src}"> is followed by <!-- ${comment} -->, which names no file the packed packages export (write the package export it serves, e.g. <!-- @khqr-checkout/element/khqr-checkout.js -->)`,
            );
        }
        if (parsed.scripts.length === 0) {
          // A block showing a card on a page that loads the drop-in as the README showed above.
          source = `<script src="/assets/khqr-checkout.js"></script>\n${source}`;
          assets.set(
            '/assets/khqr-checkout.js',
            exportFile('@khqr-checkout/element/khqr-checkout.js') as string,
          );
        }
        expect(parsed.cards.length, `${at(s)}: no <khqr-checkout> in the block`).toBeGreaterThan(0);
        // A "…" in a value is the README's placeholder: the qr is the order's, made by the proxy.
        const orderId = `readme-${s.readme.replace(/\W+/g, '-')}-${s.n}`;
        const checkout = await proxy.createCheckout({ amount: '12.50', currency: 'USD', orderId });
        for (const { attributes } of parsed.cards)
          for (const [name = '', value = ''] of attributes)
            if (value.includes('…') && name !== 'qr')
              problems.push(`${where(s, `${name}=`)}: ${name}="${value}" is a placeholder`);
        source = source.replace(/\bqr="[^"]*…[^"]*"/g, `qr="${checkout.qr}"`);
        const path = `/readme/${s.readme.replace(/\W+/g, '-')}-${s.n}`;
        const pageHtml = `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${at(s)}</title></head>\n<body>\n${source}</body>\n</html>\n`;
        pages.set(path, pageHtml);
        mkdirSync(join(project, 'html'), { recursive: true });
        writeFileSync(join(project, s.file), pageHtml); // to look at, with KHQR_KEEP_CONSUMERS

        const errors: string[] = [];
        const events: string[] = [];
        page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(`console: ${m.text()}`);
        });
        await page.exposeFunction('khqrEventSeen', (type: string) => events.push(type));
        await page.addInitScript(() => {
          for (const type of ['khqr-success', 'khqr-failed', 'khqr-expired', 'khqr-error'])
            document.addEventListener(type, (event) =>
              (window as unknown as { khqrEventSeen(t: string): void }).khqrEventSeen(
                `${event.type}${event.type === 'khqr-error' ? ` ${JSON.stringify((event as CustomEvent).detail)}` : ''}`,
              ),
            );
        });
        await page.goto(`${origin}${path}`);
        const defined = await page
          .waitForFunction(() => customElements.get('khqr-checkout') !== undefined, null, {
            timeout: 10_000,
          })
          .then(() => true)
          .catch(() => false);
        if (!defined)
          problems.push(`${at(s)}: the page did not define <khqr-checkout>\n${errors.join('\n')}`);
        else {
          const observed = await page.evaluate(
            () =>
              (customElements.get('khqr-checkout') as unknown as { observedAttributes: string[] })
                .observedAttributes,
          );
          const known = new Set([...observed, 'id', 'class', 'style', 'hidden', 'title']);
          for (const { attributes } of parsed.cards)
            for (const [name = ''] of attributes)
              if (!known.has(name))
                problems.push(
                  `${where(s, `${name}=`)}: <khqr-checkout ${name}> is no attribute the element knows (it observes ${observed.join(', ')})`,
                );
        }
        if (problems.length) throw new Error(problems.join('\n'));

        // The card shows the order's QR, as a phone camera reads it off the screen.
        let seen: string | null = null;
        await expect
          .poll(
            async () => {
              seen = scanPng(await page.screenshot());
              return seen;
            },
            { timeout: 20_000, message: `${at(s)}: the card shows no QR` },
          )
          .toBe(checkout.qr);
        sandbox.pay({ qr: checkout.qr });
        await expect
          .poll(() => events, {
            timeout: 20_000,
            message: `${at(s)}: no khqr-success after the payment (events: ${events.join(', ')}; requests: ${requests.slice(-10).join(', ')})`,
          })
          .toContain('khqr-success');
        expect(events.filter((e) => e.startsWith('khqr-error'))).toEqual([]);
        await expect.poll(() => paidOrders).toContain(orderId);
        // The page's own script: where it sends the customer.
        for (const target of parsed.assigned)
          await expect
            .poll(() => page.url(), { message: `${where(s, target)}: location.assign` })
            .toBe(`${origin}${target}`);
        // A slotted child (the `continue` link) is shown by the paid card.
        const slotted = parsed.cards.flatMap((c) => c.slotted);
        if (parsed.assigned.length === 0 && slotted.length > 0)
          await expect
            .poll(
              () =>
                page.evaluate(() =>
                  [...document.querySelectorAll('khqr-checkout > [slot]')].map(
                    (el) =>
                      `${el.getAttribute('slot')}: ${el.assignedSlot !== null && el.checkVisibility() ? 'shown' : 'not shown'}`,
                  ),
                ),
              { message: `${at(s)}: the slotted content once paid` },
            )
            .toEqual(slotted.map((name) => `${name}: shown`));
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );
});
