// The page tests' browser finder (test/support/chromium.ts): $CHROMIUM_PATH, then PATH, then the
// Chromium of the npm package @sparticuz/chromium, which needs no root and no system packages.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../support/chromium.js';

function fakeBrowser(name: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fake-browser-'));
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return { dir, path };
}

describe('findChromium', () => {
  it('takes $CHROMIUM_PATH first, and names it when it points at nothing', () => {
    const pinned = fakeBrowser('my-chrome');
    const onPath = fakeBrowser('chromium');
    expect(findChromium({ CHROMIUM_PATH: pinned.path, PATH: onPath.dir })).toMatchObject({
      path: pinned.path,
      source: 'CHROMIUM_PATH',
    });
    expect(() => findChromium({ CHROMIUM_PATH: '/nope/chromium' })).toThrow(
      /^CHROMIUM_PATH=\/nope\/chromium does not exist$/,
    );
  });

  it('then a Chromium-family browser on PATH', () => {
    const chrome = fakeBrowser('google-chrome');
    expect(findChromium({ PATH: `/nonexistent:${chrome.dir}` })).toMatchObject({
      path: chrome.path,
      source: 'PATH',
    });
  });

  it('then the npm-shipped Chromium, which starts and renders text with the fonts it brings', async () => {
    const found = findChromium({ PATH: '/nonexistent' });
    expect(found?.source).toBe('@sparticuz/chromium');
    if (found === undefined) return;
    const browser = await chromium.launch({
      executablePath: found.path,
      env: { ...process.env, ...found.env },
      args: [...found.args, '--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage();
      // A browser without usable fonts paints no text: count the pixels text turned dark on a canvas.
      // (A string: the test code is type-checked without the DOM library.)
      const inked = await page.evaluate(`(() => {
        const canvas = document.createElement('canvas');
        canvas.width = 200;
        canvas.height = 60;
        const ctx = canvas.getContext('2d');
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, 200, 60);
        ctx.fillStyle = '#000';
        ctx.font = '40px sans-serif';
        ctx.fillText('Ag 16.6', 5, 45);
        const data = ctx.getImageData(0, 0, 200, 60).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] < 128) n++;
        return n;
      })()`);
      expect(inked).toBeGreaterThan(200);
    } finally {
      await browser.close();
    }
  });
});
