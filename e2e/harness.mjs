// Shared by the end-to-end tests and the benchmark: serve dist/ on loopback and
// drive Debian's Chromium with playwright-core (it never downloads a browser).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const dist = path.join(root, 'dist');
export const shots = path.join(root, 'docs', 'screenshots');

const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves dist/ on 127.0.0.1 at a free port; resolves to { url, close }. */
export function serve() {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error('dist/ has no build: run `trunk build --release` (./lab test does)');
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file = path.join(dist, decodeURIComponent(url.pathname));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404).end('not found'); return; }
      res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
      res.end(data);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

/** Headless Chromium with the flags that work on this kind of machine. */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** The state the app exposes from the core (not read from the drawing). */
export async function labState(page) {
  return page.evaluate(() => window.__sblState ? JSON.parse(window.__sblState() || 'null') : null);
}

/** Moves the timeline to `ms`, as dragging its slider does, and waits until the lab is there. */
export async function seek(page, ms) {
  await page.evaluate((ms) => {
    const r = document.querySelector('input.scrub');
    r.value = String(ms);
    r.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
  return waitForState(page, (s) => s.now_ms === ms);
}

/** Waits until the app's state satisfies `pred`. */
export async function waitForState(page, pred, timeout = 10000) {
  const start = Date.now();
  for (;;) {
    const s = await labState(page);
    if (s && pred(s)) return s;
    if (Date.now() - start > timeout) throw new Error(`state never matched; last: ${JSON.stringify(s)}`);
    await page.waitForTimeout(50);
  }
}

/** Drags the box named `name` with a real mouse to the centre of `target` (a locator). */
export async function dragBox(page, name, target) {
  const from = await page.locator(`g.box[data-box="${name}"] rect.box-frame`).boundingBox();
  const to = await target.boundingBox();
  await page.mouse.move(from.x + 40, from.y + 10);
  await page.mouse.down();
  await page.mouse.move(from.x + 60, from.y + 30, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** Registers node:test hooks that serve dist/ and launch Chromium once for a file;
 *  returns an object whose `server` and `browser` are set once they are up. */
export function sharedLab(hooks) {
  const lab = {};
  hooks.before(async () => {
    lab.server = await serve();
    lab.browser = await launch();
  });
  hooks.after(async () => {
    await lab.browser?.close();
    await lab.server?.close();
  });
  return lab;
}

/** Opens a preset in a new page at `viewport`, once the run is computed. */
export async function openPreset(lab, preset, viewport) {
  const page = await lab.browser.newPage({ viewport });
  await page.goto(`${lab.server.url}?preset=${preset}`);
  await page.waitForSelector('svg.canvas g.box');
  await waitForState(page, (s) => !s.computing, 30000);
  return page;
}

/** Opens `url` in a context of its own at `viewport`, accepting the confirm that
 *  loading a preset over the person's own scenario asks, once the run is computed. */
export async function openLab(lab, url, viewport = { width: 1366, height: 768 }) {
  const ctx = await lab.browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on('dialog', (d) => d.accept());
  await page.goto(url);
  await page.waitForSelector('svg.canvas g.box');
  await waitForState(page, (s) => !s.computing, 30000);
  return { ctx, page };
}

/** A linearizable history of `n` operations: `clients` clients, one operation
 *  outstanding each, on `keys` keys; each takes effect at a point of its interval,
 *  in the order of those points, and one write in fifty never answers. */
export function bigHistory(n, clients = 5, keys = 10) {
  let seed = 7;
  const rand = (k) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % k; };
  const ops = [];
  const next = new Array(clients).fill(0);
  for (let i = 0; i < n; i++) {
    const c = i % clients;
    const invoke = next[c] + 1 + rand(5);
    const effect = invoke + rand(10);
    const complete = effect + rand(10);
    const r = rand(10);
    const f = r < 5 ? 'read' : r < 8 ? 'write' : 'cas';
    const info = f !== 'read' && rand(50) === 0;
    ops.push({ process: c, key: String(rand(keys)), f, invoke, effect, complete, info, id: i + 1 });
    next[c] = complete;
  }
  const reg = new Map();
  for (const o of [...ops].sort((a, b) => a.effect - b.effect)) {
    const now = reg.get(o.key) ?? null;
    if (o.f === 'read') o.value = now;
    else if (o.f === 'write' || now === null) { o.f = 'write'; o.value = o.id; reg.set(o.key, o.id); }
    else { o.value = [now, o.id]; reg.set(o.key, o.id); }
  }
  return ops.map((o) => JSON.stringify({ process: `C${o.process + 1}`, key: o.key, f: o.f, value: o.value, invoke: o.invoke,
    ...(o.info ? { outcome: 'info' } : { complete: o.complete }) })).join('\n') + '\n';
}
