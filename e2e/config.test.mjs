// An engineer's own Redis: each process's own settings, and the deployment's
// configuration files pasted in and written out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openLab, waitForState, labState, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

const open = (url, viewport) => openLab(lab, url, viewport);

test("a process's own settings: shown, changed, refused where the person is looking, and given back", async () => {
  const { ctx, page } = await open(`${lab.server.url}#p=sentinel-min-replicas-on-master-only`);
  await page.click('g.proc[data-proc="M1"]');
  const own = page.locator('.own-settings');
  await own.waitFor();
  assert.match(await own.locator('summary').innerText(), /M1's own settings \(1 of its own\)/);
  assert.equal(await page.inputValue('#own-M1-min_replicas_to_write'), '1');
  await page.click('g.proc[data-proc="R1"]');
  assert.match(await own.locator('summary').innerText(), /none: it runs with the scenario's/);
  await own.locator('summary').click();
  assert.equal(await page.inputValue('#own-R1-min_replicas_to_write'), '0');
  await page.fill('#own-R1-min_replicas_to_write', '1');
  await page.press('#own-R1-min_replicas_to_write', 'Enter');
  let s = await waitForState(page, (s) => s.own_settings.R1?.min_replicas_to_write === 1);
  assert.equal(s.own_settings.M1.min_replicas_to_write, 1, "M1's own stays");
  await page.waitForFunction(() => location.hash.startsWith('#s=1.'), null, { timeout: 3000 });
  // An impossible value: one message, in the process panel, and the value stays.
  await page.fill('#own-R1-repl_timeout_s', '0');
  await page.press('#own-R1-repl_timeout_s', 'Enter');
  const err = page.locator('.proc .error');
  await err.waitFor();
  assert.match(await err.innerText(), /Replication timeout \(s\) \(repl-timeout\): must be between 1 and 86400 s\. The previous value stays in force\./);
  assert.equal(await page.locator('.settings .error').count(), 0, 'not also in the Settings panel');
  s = await labState(page);
  assert.equal(s.own_settings.R1.repl_timeout_s, undefined);
  await own.screenshot({ path: path.join(shots, 'own-settings.png') });
  // Back to the scenario's value.
  await page.click('button[aria-label="R1: use the scenario\'s Min replicas to write"]');
  s = await waitForState(page, (s) => !s.own_settings.R1);
  assert.equal(s.own_settings.M1.min_replicas_to_write, 1);
  await ctx.close();
});

const PASTED = `#> 10.0.0.1 redis.conf
bind 10.0.0.1
port 6379
min-replicas-to-write 1
maxmemory 2gb
#> 10.0.0.1 sentinel.conf
bind 10.0.0.1
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
#> 10.0.0.2 redis.conf
bind 10.0.0.2
replicaof 10.0.0.1 6379
replica-read-only no
#> 10.0.0.2 sentinel.conf
bind 10.0.0.2
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
#> 10.0.0.3 redis.conf
bind 10.0.0.3
replicaof 10.0.0.1 6379
#> 10.0.0.3 sentinel.conf
bind 10.0.0.3
sentinel monitor mymaster 10.0.0.1 6379 2
sentinel down-after-milliseconds mymaster 5000
`;

test('pasted configuration files become the deployment, with a note for every line the lab does not model', async () => {
  const { ctx, page } = await open(lab.server.url);
  await page.fill('#conf-text', PASTED.replace('min-replicas-to-write 1', 'min-replicas-to-write -1'));
  await page.click('button.import-conf');
  const summary = page.locator('.conf-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), /Nothing was imported: 1 line\(s\) would stop Redis from starting/);
  assert.match(await page.locator('.conf-notes .refused').innerText(), /10\.0\.0\.1 redis\.conf line 3: Redis refuses `min-replicas-to-write -1`: argument must be between 0 and 2147483647 inclusive/);
  assert.equal((await labState(page)).preset, 'sentinel-old-master-isolated', 'what the person had stays');

  await page.fill('#conf-text', PASTED);
  await page.click('button.import-conf');
  const s = await waitForState(page, (s) => s.preset === 'imported' && !s.computing, 30000);
  assert.deepEqual(Object.keys(s.placement).sort(), ['C1', 'C2', 'M1', 'R1', 'R2', 'S1', 'S2', 'S3']);
  assert.equal(s.own_settings.M1.min_replicas_to_write, 1);
  assert.equal(s.settings.down_after_ms, 5000);
  const notes = await page.locator('.conf-notes').innerText();
  assert.match(notes, /maxmemory: not modelled, and it matters for split-brain/);
  assert.match(notes, /replica-read-only: not modelled, and it matters/);
  assert.match(await summary.innerText(), /^Imported\./);
  await page.locator('.panel.conf').screenshot({ path: path.join(shots, 'import-conf.png') });

  // Written back out: the same settings, one section per process.
  await page.click('button.export-conf');
  const out = await page.inputValue('textarea.exported');
  assert.match(out, /^#> 10\.0\.0\.1\/M1\n/);
  assert.match(out, /min-replicas-to-write 1\n/);
  assert.match(out, /sentinel monitor mymaster 10\.0\.0\.1 6379 2\n/);
  await ctx.close();
});

test('on a phone the process panel and the configuration panel fit the screen', async () => {
  const { ctx, page } = await open(`${lab.server.url}#p=sentinel-min-replicas-on-master-only`, { width: 390, height: 844 });
  await page.click('g.proc[data-proc="M1"]');
  await page.locator('.own-settings').scrollIntoViewIfNeeded();
  const box = await page.locator('.own-settings').boundingBox();
  assert.ok(box.width <= 390 && box.x >= 0, `own settings ${box.x}+${box.width}`);
  await page.screenshot({ path: path.join(shots, 'own-settings-phone.png') });
  const conf = await page.locator('.panel.conf').boundingBox();
  assert.ok(conf.width <= 390, `conf panel ${conf.width}`);
  await ctx.close();
});
