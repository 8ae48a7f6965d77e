// `engines` says which Node.js lines Arca supports, and .ci/run tests them; every package in the
// lockfile must support each of them too, or `npm ci` warns EBADENGINE (cookie 2 wanted Node 22
// while Node 20 was still declared, until light-my-request was given cookie 1.1).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const ROOT = new URL('../../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { engines: { node: string } };
const lockfile = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: unknown }>;
};

type Version = readonly [number, number, number];

/**
 * Whether `version` satisfies an npm range of the forms packages write in `engines`: alternatives
 * joined by `||`, each one comparator or several (space-separated, all must hold) of `>=`, `>`,
 * `<`, `<=`, `=`, `^`, `~`, or a bare version with `x` or missing parts. Anything else throws, so a
 * form this does not know fails the test instead of passing it.
 */
function satisfies(version: Version, range: string): boolean {
  return range
    .replace(/(>=|<=|>|<|=)\s+/g, '$1') // `>= 10` is `>=10`
    .split('||')
    .some((alternative) =>
      alternative
        .trim()
        .split(/\s+/)
        .filter((comparator) => comparator !== '')
        .every((comparator) => holds(version, comparator)),
    );
}

function holds(version: Version, comparator: string): boolean {
  const match = /^(>=|<=|>|<|=|\^|~)?v?(\d+|x|\*)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/.exec(comparator);
  if (match === null) throw new Error(`an engines range this test cannot read: ${comparator}`);
  const [, operator = '', ...parts] = match;
  const given = parts.filter((part) => part !== undefined && part !== 'x' && part !== '*').map(Number);
  const bound: Version = [given[0] ?? 0, given[1] ?? 0, given[2] ?? 0];
  const order = compare(version, bound);
  switch (operator) {
    case '>=':
      return order >= 0;
    case '>':
      return order > 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '^':
      return order >= 0 && version[0] === bound[0];
    case '~':
      return order >= 0 && version[0] === bound[0] && (given.length < 2 || version[1] === bound[1]);
    default:
      // `20`, `20.x`, `=20.1.2`: every part given must match.
      return given.every((part, index) => version[index] === part);
  }
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The lowest version of each line the declared range admits: `^22.13.0` → 22.13.0. */
function lowestOfEachLine(range: string): Version[] {
  return range.split('||').map((alternative) => {
    const match = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(alternative.trim());
    if (match === null) throw new Error(`engines.node should list lines as ^major.minor.patch: ${alternative}`);
    return [Number(match[1]), Number(match[2]), Number(match[3])] as const;
  });
}

describe('engines', () => {
  const declared = lowestOfEachLine(manifest.engines.node);

  it('declares the maintained LTS lines 22, 24 and 26, and the machine’s 20 while it is tested', () => {
    assert.deepEqual(
      declared.map(([major]) => major),
      [20, 22, 24, 26],
    );
  });

  it('the lockfile root carries the same engines as package.json', () => {
    assert.deepEqual(lockfile.packages['']?.engines, manifest.engines);
  });

  it('every locked package supports the lowest version of every declared line', () => {
    const unsupported: string[] = [];
    for (const [path, entry] of Object.entries(lockfile.packages)) {
      const engines = entry.engines as { node?: unknown } | undefined;
      if (path === '' || typeof engines?.node !== 'string') continue;
      for (const version of declared) {
        if (!satisfies(version, engines.node))
          unsupported.push(`${path}@${entry.version ?? '?'} wants node ${engines.node}, not ${version.join('.')}`);
      }
    }
    assert.deepEqual(unsupported, []);
  });

  it('reads the ranges packages write', () => {
    assert.ok(satisfies([20, 19, 0], '^18.18.0 || ^20.9.0 || >=21.1.0'));
    assert.ok(!satisfies([20, 19, 0], '>=22'));
    assert.ok(satisfies([22, 13, 0], '^20.19.0 || ^22.13.0 || >=24'));
    assert.ok(!satisfies([22, 12, 0], '^20.19.0 || ^22.13.0 || >=24'));
    assert.ok(satisfies([26, 0, 0], '20.x || 22.x || 23.x || 24.x || 25.x || 26.x'));
    assert.ok(!satisfies([27, 0, 0], '20.x || 22.x || 23.x || 24.x || 25.x || 26.x'));
    assert.ok(satisfies([24, 0, 0], '20 || >=22'));
    assert.ok(satisfies([20, 19, 0], '6.* || 8.* || >= 10.*'));
    assert.throws(() => satisfies([20, 0, 0], 'lts/*'));
  });
});
