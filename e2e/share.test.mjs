// Links, files and embedding: what a trainer, a student and a reviewer do to pass a
// scenario around. The address always holds the scenario; links are compact; every
// bad link gets one message and the page stays usable.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import path from 'node:path';
import { sharedLab, openLab, waitForState, labState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

const open = (url, viewport) => openLab(lab, url, viewport);

test('edit, then reload: the edits and the moment are still there; Back returns to the scenario before', async () => {
  const { ctx, page } = await open(lab.server.url);
  await page.fill('#set-quorum', '3');
  await page.press('#set-quorum', 'Enter');
  await waitForState(page, (s) => s.settings.quorum === 3);
  await seek(page, 7000);
  await page.waitForFunction(() => location.hash.includes('t=7000'));
  await page.reload();
  const s = await waitForState(page, (s) => !s.computing && s.now_ms === 7000);
  assert.equal(s.settings.quorum, 3, 'the edit survived the reload');
  // Another preset makes a history entry; Back brings the edited scenario back.
  await page.selectOption('select[aria-label="Preset scenario"]', 'raft-minority-leader');
  await waitForState(page, (s) => s.system === 'etcd-raft');
  await page.waitForFunction(() => location.hash.startsWith('#p=raft-minority-leader'), null, { timeout: 3000 });
  await page.goBack();
  const back = await waitForState(page, (s) => s.system === 'redis-sentinel');
  assert.equal(back.settings.quorum, 3);
  await ctx.close();
});

test('a link with t= and autoplay opens at that moment and plays', async () => {
  const { ctx, page } = await open(`${lab.server.url}#p=sentinel-old-master-isolated&t=15000&autoplay=1`);
  const s = await waitForState(page, (s) => s.playing && s.now_ms >= 15000);
  assert.ok(s.now_ms < 30000, `it opened near 15 s (${s.now_ms})`);
  await ctx.close();
});

test('links the command-line tool refuses are refused here too, with one message naming the field', async () => {
  // The scenario as the page's own compact link carries it (raw deflate, base64url).
  const { ctx: c0, page: p0 } = await open(lab.server.url);
  await p0.fill('#set-quorum', '3');
  await p0.press('#set-quorum', 'Enter');
  await p0.waitForFunction(() => location.hash.startsWith('#s=1.'));
  const packed = new URL(p0.url()).hash.split('&')[0].slice('#s=1.'.length);
  const base = zlib.inflateRawSync(Buffer.from(packed, 'base64url')).toString('utf8');
  assert.equal(JSON.parse(base).settings.quorum, 3, 'the link decodes with any deflate and base64url');
  await c0.close();
  const cases = [
    [(s) => { s.settings.quorum = 4294967296; }, 'quorum'],
    [(s) => { s.settings.client = { ...(s.settings.client || {}), rate_per_s: 1e9 }; }, 'rate_per_s'],
    [(s) => { s.settings.repl_backlog_bytes = 1e15; }, 'repl_backlog_bytes'],
  ];
  for (const [edit, field] of cases) {
    const s = JSON.parse(base);
    edit(s);
    const { ctx, page } = await open(`${lab.server.url}#scenario=${encodeURIComponent(JSON.stringify(s))}`);
    const st = await labState(page);
    assert.match(st.message ?? '', new RegExp(`could not be opened: .*${field}`), `${field}: ${st.message}`);
    assert.equal(await page.locator('.error').count(), 1, 'one message, once');
    await page.click('button.play');
    await waitForState(page, (x) => x.now_ms > 0);
    await ctx.close();
  }
});

test('Copy link and Copy embed code put working text on the clipboard', async () => {
  const ctx = await lab.browser.newContext({ viewport: { width: 1366, height: 768 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: lab.server.url });
  const page = await ctx.newPage();
  await page.goto(`${lab.server.url}#p=raft-minority-leader&t=4000`);
  await waitForState(page, (s) => !s.computing && s.now_ms === 4000, 30000);
  await page.click('button.copy-link');
  await page.locator('.sharebar .copied', { hasText: 'Link copied' }).waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, `${lab.server.url}#p=raft-minority-leader&t=4000`);
  await page.keyboard.press('e');
  await page.locator('.sharebar .copied', { hasText: 'Embed code copied' }).waitFor();
  const code = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(code, /^<iframe src="[^"]+#p=raft-minority-leader&t=4000&embed=1" width="800" height="500" title="Split-Brain Lab: raft-minority-leader"/);
  await ctx.close();
});

test('save the scenario to a file, open it again, or drop it on the page: the same scenario', async () => {
  const { ctx, page } = await open(lab.server.url);
  await page.fill('#set-quorum', '3');
  await page.press('#set-quorum', 'Enter');
  await waitForState(page, (s) => s.settings.quorum === 3);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.save-file')]);
  const file = await download.path();
  const text = fs.readFileSync(file, 'utf8');
  assert.equal(JSON.parse(text).settings.quorum, 3);
  assert.equal(download.suggestedFilename(), 'sentinel-old-master-isolated.json');
  // Open it in a fresh page from the file input, and by dropping it.
  const { ctx: c2, page: p2 } = await open(`${lab.server.url}#p=raft-prevote`);
  await p2.setInputFiles('section.share input[type=file]', file);
  await waitForState(p2, (s) => s.system === 'redis-sentinel' && s.settings.quorum === 3);
  await p2.selectOption('select[aria-label="Preset scenario"]', 'raft-prevote');
  await waitForState(p2, (s) => s.system === 'etcd-raft');
  await p2.evaluate((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dropped.json', { type: 'application/json' }));
    document.querySelector('svg.canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, text);
  await waitForState(p2, (s) => s.system === 'redis-sentinel' && s.settings.quorum === 3);
  await c2.close();
  await ctx.close();
});

for (const [w, h] of [[800, 500], [560, 380]]) {
  test(`the example course page embeds the lab, and it plays in its ${w}×${h} frame`, async () => {
    const ctx = await lab.browser.newContext({ viewport: { width: 900, height: 1300 } });
    const page = await ctx.newPage();
    await page.goto(`${lab.server.url}course-example.html`);
    const frames = page.locator('iframe');
    assert.equal(await frames.count(), 3);
    const el = page.locator(`iframe[width="${w}"]`).first();
    await el.scrollIntoViewIfNeeded();
    const frame = await (await el.elementHandle()).contentFrame();
    await frame.waitForSelector('svg.canvas g.box');
    const fit = await frame.evaluate(() => {
      const svg = document.querySelector('svg.canvas').getBoundingClientRect();
      const play = document.querySelector('button.play').getBoundingClientRect();
      return { svgTop: svg.top, svgBottom: svg.bottom, playBottom: play.bottom, h: innerHeight, over: document.documentElement.scrollWidth - innerWidth, embed: !!document.querySelector('main.embed') };
    });
    assert.ok(fit.embed, 'the embed mode');
    assert.ok(fit.over <= 0, 'no sideways scrolling');
    assert.ok(fit.svgTop < 100 && fit.svgBottom <= fit.h + 1, `the drawing is in the frame (${fit.svgTop}–${fit.svgBottom} of ${fit.h})`);
    for (let i = 0; i < 100 && JSON.parse(await frame.evaluate(() => window.__sblState())).computing; i++) await frame.waitForTimeout(50);
    const before = JSON.parse(await frame.evaluate(() => window.__sblState())).now_ms;
    await frame.click('button.play');
    await frame.waitForTimeout(500);
    const after = JSON.parse(await frame.evaluate(() => window.__sblState())).now_ms;
    assert.ok(after > before, 'it plays');
    await el.screenshot({ path: path.join(shots, `embed-${w}x${h}.png`) });
    await ctx.close();
  });
}

test('your own scenario: named in the picker, renamed and described, kept unless you agree to a preset, and Undo brings it back', async () => {
  const ctx = await lab.browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await ctx.newPage();
  await page.goto(lab.server.url);
  await waitForState(page, (s) => !s.computing, 30000);
  assert.match(await page.locator('p.try').textContent(), /Or just press Play: at 10\.0 s, isolate box1; at 40\.0 s, heal the network\./);
  await page.fill('#scenario-name', 'our-prod-sentinels');
  await page.fill('#scenario-text', 'Three boxes, as in production.');
  await page.press('#scenario-name', 'Tab');
  await waitForState(page, (s) => s.preset === 'our-prod-sentinels');
  assert.match(await page.locator('select[aria-label="Preset scenario"] option:checked').textContent(), /Your scenario: our-prod-sentinels/);
  // The description is committed when its field loses focus, which may be a render later.
  await page.waitForFunction(() => document.querySelector('p.summary')?.textContent === 'Three boxes, as in production.', null, { timeout: 3000 });
  // A renamed preset travels whole.
  await page.waitForFunction(() => location.hash.startsWith('#s=1.'), null, { timeout: 3000 });
  // Say no: nothing changes.
  page.once('dialog', (d) => d.dismiss());
  await page.selectOption('select[aria-label="Preset scenario"]', 'raft-prevote');
  await page.waitForTimeout(300);
  assert.equal((await labState(page)).preset, 'our-prod-sentinels');
  // Say yes, then Undo: the scenario comes back, words and all.
  page.once('dialog', (d) => d.accept());
  await page.selectOption('select[aria-label="Preset scenario"]', 'raft-prevote');
  await waitForState(page, (s) => s.preset === 'raft-prevote');
  await page.click('button:text-is("Undo")');
  await waitForState(page, (s) => s.preset === 'our-prod-sentinels');
  assert.equal(await page.locator('p.summary').textContent(), 'Three boxes, as in production.');
  await ctx.close();
});

test('the example course page embeds a lesson that a learner can follow in its frame', async () => {
  const ctx = await lab.browser.newContext({ viewport: { width: 900, height: 1300 } });
  const page = await ctx.newPage();
  await page.goto(`${lab.server.url}course-example.html`);
  const el = page.locator('iframe[title*="lesson"]');
  await el.scrollIntoViewIfNeeded();
  const frame = await (await el.elementHandle()).contentFrame();
  await frame.locator('section.lesson', { hasText: 'Step 1 of 4' }).waitFor();
  await frame.click('.lesson button.next');
  await frame.locator('.lesson .answer').first().click();
  await frame.click('text=Show me now');
  await frame.locator('.lesson .reveal').waitFor();
  assert.ok(await frame.evaluate(() => !!document.querySelector('main.embed')), 'in the embed mode');
  assert.ok(await frame.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no sideways scrolling');
  await el.screenshot({ path: path.join(shots, 'embed-lesson.png') });
  await ctx.close();
});
