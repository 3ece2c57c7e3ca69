// The lab in small frames: a course page embeds it in an 800×500 or a 560×380
// iframe. It must fit the frame's width, keep its labels readable and still play.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedLab } from './harness.mjs';

const lab = sharedLab({ before, after });

for (const [w, h] of [[800, 500], [560, 380]]) {
  test(`in a ${w}×${h} iframe the lab fits the width, reads at 11 px or more, and plays`, async () => {
    const page = await lab.browser.newPage({ viewport: { width: w + 40, height: h + 40 } });
    await page.setContent(`<body style="margin:20px"><iframe src="${lab.server.url}" width="${w}" height="${h}" style="border:1px solid #999"></iframe></body>`);
    const frame = page.frames().find((f) => f.url().startsWith(lab.server.url));
    await frame.waitForSelector('svg.canvas g.box');
    const state = () => frame.evaluate(() => JSON.parse(window.__sblState()));
    for (let i = 0; i < 200 && (await state()).computing; i++) await frame.waitForTimeout(50);
    const fit = await frame.evaluate(() => {
      const svg = document.querySelector('svg.canvas');
      const r = svg.getBoundingClientRect();
      const scale = svg.getScreenCTM().a;
      const sizes = [...svg.querySelectorAll('text.proc-label, text.box-name, .badge text, text.proc-epoch')]
        .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
      return {
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        width: r.width, inner: window.innerWidth, smallest: Math.min(...sizes),
      };
    });
    assert.ok(fit.overflow <= 0, `no sideways scrolling (${fit.overflow} px too wide)`);
    assert.ok(fit.width <= fit.inner && fit.width >= fit.inner * 0.8, `the drawing fills the frame's width (${fit.width} of ${fit.inner})`);
    assert.ok(fit.smallest >= 11, `the smallest label is ${fit.smallest.toFixed(1)} px`);
    const before = (await state()).now_ms;
    await frame.click('button.play');
    await frame.waitForTimeout(600);
    await frame.click('button.play');
    assert.ok((await state()).now_ms > before, 'it plays');
    await page.close();
  });
}
