// Export for a review: the Markdown summary names the numbers the page shows, and the
// drawing and timeline download as SVG and PNG, with the scenario file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { sharedLab, openLab, waitForState, seek, shots } from './harness.mjs';

const lab = sharedLab({ before, after });

/** Clicks `button` and returns the download's name and contents. */
async function download(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.locator(button).click()]);
  const file = await d.path();
  return { name: d.suggestedFilename(), bytes: fs.readFileSync(file) };
}

test('the exports download, and the Markdown names the numbers shown in the page', async () => {
  const { ctx, page } = await openLab(lab, `${lab.server.url}?preset=sentinel-old-master-isolated`);
  await seek(page, 90000);
  // The outcome panel at the end: its sentence and its whole-run numbers.
  const outcome = page.locator('section.outcome');
  const sentence = (await outcome.locator('p.sentence').textContent()).trim();
  assert.match(sentence, /^Two masters took writes at once for 34\.0 s; 403 acknowledged writes lost/);
  const cell = async (label) => (await outcome.locator('tr', { has: page.locator(`th:text-is("${label}")`) }).locator('td').last().textContent()).trim();
  const lost = await cell('acknowledged writes lost');
  const split = await cell('split-brain');
  const failed = await cell('operations refused or unanswered');

  const md = await download(page, 'button.export-md');
  assert.equal(md.name, 'sentinel-old-master-isolated.md');
  const text = md.bytes.toString('utf8');
  assert.ok(text.includes(`**${sentence}**`), 'the Markdown starts from the page\'s sentence');
  assert.ok(text.includes(`| Acknowledged writes lost | ${lost} |`), text);
  assert.ok(text.includes(`| Split-brain | ${split} |`), text);
  assert.ok(text.includes(`${failed.split(' ')[0]} of `), `the unavailability the page shows (${failed}, ${lost}, ${split})`);
  assert.match(text, /Open it in Split-Brain Lab: <http:\/\/127\.0\.0\.1:\d+\/[^>]*#p=sentinel-old-master-isolated&t=90000>/);

  await seek(page, 20000);
  const svg = await download(page, 'button.export-drawing-svg');
  assert.equal(svg.name, 'sentinel-old-master-isolated-drawing.svg');
  const drawing = svg.bytes.toString('utf8');
  assert.ok(drawing.includes('t = 20.0 s') && drawing.includes('Partition B'), 'the moment shown, cut');
  const png = await download(page, 'button.export-drawing-png');
  assert.equal(png.name, 'sentinel-old-master-isolated-drawing.png');
  assert.equal(png.bytes.subarray(1, 4).toString('latin1'), 'PNG');
  assert.ok(png.bytes.length > 5000, `a real picture (${png.bytes.length} bytes)`);
  fs.writeFileSync(path.join(shots, 'export-drawing.png'), png.bytes);
  const tl = await download(page, 'button.export-timeline-png');
  assert.equal(tl.bytes.subarray(1, 4).toString('latin1'), 'PNG');
  fs.writeFileSync(path.join(shots, 'export-timeline.png'), tl.bytes);
  const tsvg = await download(page, 'button.export-timeline-svg');
  assert.ok(tsvg.bytes.toString('utf8').includes('R1 is the new master'));
  const json = await download(page, 'button.export-json');
  assert.equal(JSON.parse(json.bytes.toString('utf8')).name, 'sentinel-old-master-isolated');
  assert.match(await page.locator('.export-status').textContent(), /^Saved sentinel-old-master-isolated\.json\./);
  await ctx.close();
});
