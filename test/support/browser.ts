// A real browser for the console's tests: Debian's Chromium driven by playwright-core (which
// cannot download its own browsers here). A missing Chromium fails the test file, it is never a
// skip: .ci/run installs it. ARCA_CHROMIUM names another binary.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

import { ROOT } from './arca-process.js';

export const CHROMIUM = process.env.ARCA_CHROMIUM ?? '/usr/bin/chromium';

/**
 * The flags Chromium needs here: headless without a sandbox (CI runs as root in a container), and
 * none of its own traffic (component updates, sync, background fetches), which this network
 * refuses and which would also be requests to other hosts.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the tests write their screenshots (gitignored); CI keeps it as an artefact. */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set ARCA_CHROMIUM)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: readonly unknown[] }>;
}

/**
 * Runs axe-core in the page (its source injected through the DevTools protocol, which the page's
 * Content-Security-Policy does not govern) and gives the serious and critical violations.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations, passes } = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[]; passes: unknown[] }> } }).axe;
    const results = await axe.run();
    return { violations: results.violations, passes: results.passes.length };
  });
  // A scan that checked nothing would pass every page.
  assert.ok(passes > 10, `axe-core ran only ${passes} passing checks`);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/** A readable list for an assertion message. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((node) => JSON.stringify(node.target)).join(', ')}`)
    .join('\n');
}
