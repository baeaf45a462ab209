import { existsSync } from 'node:fs';

/** Debian's headless shell first (fast), then full Chromium; CHROMIUM_PATH overrides both. */
const CANDIDATES = process.env.CHROMIUM_PATH
  ? [process.env.CHROMIUM_PATH]
  : ['/usr/bin/chromium-headless-shell', '/usr/bin/chromium'];
const HINT = 'apt-get install -y --no-install-recommends chromium-headless-shell fonts-noto-color-emoji';

/**
 * The Chromium to drive, or undefined (the browser tests then skip, saying so). Under CI a missing browser is an
 * error: .ci/run installs it, and a browser test that quietly skips there proves nothing.
 */
export function chromiumPath(): string | undefined {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found && process.env.CI && !['false', '0'].includes(process.env.CI)) {
    throw new Error(`No Chromium at ${CANDIDATES.join(' or ')}; CI must install it: ${HINT}`);
  }
  if (!found) process.stderr.write(`[browser tests] SKIPPED: no Chromium at ${CANDIDATES.join(' or ')}. ${HINT}\n`);
  return found;
}
