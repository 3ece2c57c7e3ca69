// The live verdict: the checker runs on the part of the run computed so far, so the
// moment the history stops being linearizable is on the timeline before the whole
// run is computed, and the banner says it when the run shown reaches that moment.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, openLab, waitForState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

test('the live verdict marks the moment on the timeline while the run is still computed, and the banner says it there', async () => {
  // raft-stale-read made an hour long, so that computing it takes seconds.
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=raft-stale-read`);
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator('button.export-json').click()]);
  const scenario = JSON.parse((await import('node:fs')).readFileSync(await d.path(), 'utf8'));
  scenario.duration_ms = 3600000;
  await page.goto(`${lab.server.url}#scenario=${encodeURIComponent(JSON.stringify(scenario))}`);
  await page.reload();
  await page.waitForSelector('svg.canvas g.box');
  const marker = page.locator('button.marker.not-linearizable');
  await marker.waitFor({ state: 'attached', timeout: 30000 });
  const when = await waitForState(page, () => true);
  assert.equal(when.computing, true, 'the verdict came before the whole hour was computed');
  const label = await marker.getAttribute('aria-label') ?? await marker.getAttribute('title');
  const at = Number(label.match(/([\d.]+) s/)[1]) * 1000;
  // Before that moment the banner says nothing of it; from it on, it does.
  await seek(page, Math.max(0, Math.round(at) - 1000));
  assert.equal(await page.locator('.banner .not-linearizable').count(), 0);
  await seek(page, Math.round(at) + 500);
  const banner = page.locator('.banner .not-linearizable');
  await banner.waitFor();
  assert.match(await banner.textContent(), /^NOT LINEARIZABLE from [\d.]+ s: .*read/);
  // The two operations it names are highlighted on the timeline: the stale read and
  // the newer write it missed.
  const spans = page.locator('.op-spans .op-span');
  assert.equal(await spans.count(), 2);
  assert.match(await spans.first().getAttribute('title'), /^the operation no order can place: 15\.\d{3} s/);
  await page.screenshot({ path: path.join(shots, 'live-verdict.png') });
  await ctx.close();
});
