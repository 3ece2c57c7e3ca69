// axe-core (npm) on the page as people meet it: each system, on a laptop and a phone,
// with the process panel and its own settings open, the end of the run shown, and
// (Redis) the scenario written out as configuration files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { sharedLab, waitForState, root } from './harness.mjs';

const lab = sharedLab({ before, after });

const cases = [
  ['sentinel-old-master-isolated', 1366, 768, 'M1'],
  ['raft-minority-leader', 390, 844, 'N1'],
  ['patroni-sync-isolated', 1366, 768, 'pg1'],
  ['redlock-gc-pause', 390, 844, 'C1'],
  ['lww-clock-skew', 1366, 768, 'N1'],
];

for (const [preset, width, height, proc] of cases) {
  test(`axe-core finds no violation: ${preset} at ${width}×${height}`, async () => {
    const page = await lab.browser.newPage({ viewport: { width, height } });
    await page.goto(`${lab.server.url}?preset=${preset}`);
    await page.waitForSelector('svg.canvas g.box');
    await waitForState(page, (s) => !s.computing, 30000);
    await page.click(`g.proc[data-proc="${proc}"] text.proc-label`);
    await page.click('text=Show how this ends');
    if (await page.locator('.own-settings summary').count()) await page.click('.own-settings summary');
    if (await page.locator('button.export-conf').count()) {
      await page.click('button.export-conf');
      await page.waitForSelector('textarea.exported');
    }
    await page.addScriptTag({ path: path.join(root, 'node_modules', 'axe-core', 'axe.min.js') });
    const violations = await page.evaluate(async () =>
      (await window.axe.run(document)).violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
    assert.deepEqual(violations, []);
    await page.close();
  });
}

test('axe-core finds no violation: the embed mode with its panels, and the moments list open', async () => {
  const page = await lab.browser.newPage({ viewport: { width: 800, height: 500 } });
  await page.goto(`${lab.server.url}#p=sentinel-old-master-isolated&t=16000&embed=1&panels=log,beliefs`);
  await page.waitForSelector('svg.canvas g.box');
  await waitForState(page, (s) => !s.computing, 30000);
  await page.click('details.moments summary');
  await page.addScriptTag({ path: path.join(root, 'node_modules', 'axe-core', 'axe.min.js') });
  const violations = await page.evaluate(async () =>
    (await window.axe.run(document)).violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`));
  assert.deepEqual(violations, []);
  assert.equal(await page.locator('section.log').count(), 1, 'the log panel asked for');
  await page.close();
});
