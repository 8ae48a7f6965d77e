#!/usr/bin/env node
// Applies patches/pkcs11js-2.1.7-nested-templates.patch to the installed pkcs11js and rebuilds
// its native module (docs/adr/0013-hsm-keys-over-pkcs11.md: the wrapping keys' CKA_UNWRAP_TEMPLATE
// needs nested templates, which pkcs11js 2.1.7 cannot pass and aborts the process on).
//
// `npm install` and `npm ci` run it (postinstall); .ci/run checks the result with `--check`.
//   node scripts/patch-pkcs11js.mjs [--check] [--package-dir <dir>]
// --check only reports whether the installed binding is patched (exit 1 when it is not).
// --package-dir patches another copy of pkcs11js (default: the one Node resolves from here).
//
// It is idempotent, and never rewrites the module a running process has loaded: the patched copy
// is built in a temporary directory and its pkcs11.node renamed into place in one step.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const PATCHED_VERSION = '2.1.7';
const PATCH_FILE = new URL('../patches/pkcs11js-2.1.7-nested-templates.patch', import.meta.url).pathname;
const MARKER = 'ARCA PATCH (nested templates)';
const PATCHED_SOURCES = ['src/common.cpp', 'src/common.h', 'src/main.cpp', 'src/pkcs11.cpp'];

function fail(message) {
  console.error(`patch-pkcs11js: ${message}`);
  process.exit(1);
}

function parseArguments(argv) {
  const options = { check: false, packageDir: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--check') options.check = true;
    else if (argv[i] === '--package-dir' && argv[i + 1]) options.packageDir = resolve(argv[(i += 1)]);
    else fail(`unknown argument ${argv[i]}`);
  }
  return options;
}

function installedPackageDir() {
  try {
    return dirname(createRequire(import.meta.url).resolve('pkcs11js/package.json'));
  } catch {
    return undefined;
  }
}

/** Whether the built module in `dir` is the patched one (asked in a child: loading it here would pin it). */
function builtModuleIsPatched(dir) {
  const module = join(dir, 'build', 'Release', 'pkcs11.node');
  if (!existsSync(module)) return false;
  const probe = spawnSync(process.execPath, [
    '-e',
    `process.exit(require(${JSON.stringify(module)}).ARCA_PATCH_NESTED_TEMPLATES === true ? 0 : 3)`,
  ]);
  return probe.status === 0;
}

function sourcesArePatched(dir) {
  return PATCHED_SOURCES.every((file) => readFileSync(join(dir, file), 'utf8').includes(MARKER));
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status})`);
}

/** npm's own node-gyp: npm names it in npm_config_node_gyp for lifecycle scripts. */
function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) fail('node-gyp was not found (it comes with npm; set npm_config_node_gyp to its bin/node-gyp.js)');
  return found;
}

/** The local Node headers when npm names none, so that node-gyp never downloads them. */
function nodeDirArguments() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

function patchAndBuild(packageDir) {
  const work = mkdtempSync(join(tmpdir(), 'arca-pkcs11js-'));
  try {
    const copy = join(work, 'pkcs11js');
    cpSync(packageDir, copy, { recursive: true, filter: (source) => !source.startsWith(join(packageDir, 'build')) });
    if (!sourcesArePatched(copy)) run('git', ['apply', '--whitespace=nowarn', PATCH_FILE], copy);
    run(process.execPath, [nodeGypScript(), 'rebuild', ...nodeDirArguments()], copy);
    if (!builtModuleIsPatched(copy)) fail('the rebuilt module does not carry the patch');
    for (const file of PATCHED_SOURCES) copyFileSync(join(copy, file), join(packageDir, file));
    const release = join(packageDir, 'build', 'Release');
    mkdirSync(release, { recursive: true });
    const staged = join(release, `pkcs11.node.${process.pid}.tmp`);
    copyFileSync(join(copy, 'build', 'Release', 'pkcs11.node'), staged);
    renameSync(staged, join(release, 'pkcs11.node'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const options = parseArguments(process.argv.slice(2));
const packageDir = options.packageDir ?? installedPackageDir();
if (!packageDir || !existsSync(join(packageDir, 'package.json'))) fail('pkcs11js is not installed');
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const patched = builtModuleIsPatched(packageDir);

if (options.check) {
  if (!patched) fail(`pkcs11js ${version} in ${packageDir} is not patched: run node scripts/patch-pkcs11js.mjs`);
  console.log(`patch-pkcs11js: pkcs11js ${version} is patched (nested templates)`);
} else if (patched) {
  console.log(`patch-pkcs11js: pkcs11js ${version} is already patched`);
} else {
  if (version !== PATCHED_VERSION) fail(`the patch is for pkcs11js ${PATCHED_VERSION}, found ${version}: port patches/ to it`);
  patchAndBuild(packageDir);
  console.log(`patch-pkcs11js: pkcs11js ${version} patched (nested templates) and rebuilt`);
}
