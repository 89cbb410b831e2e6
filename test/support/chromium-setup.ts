// vitest globalSetup: find (and on a fresh machine unpack) the page tests' browser once, before the
// test workers start, so parallel files do not each unpack it.
import { findChromium } from './chromium.js';

export default function setup(): void {
  findChromium();
}
