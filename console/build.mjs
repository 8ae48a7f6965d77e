// Builds the web console (docs/adr/0037) into dist/console: one minified script, one style
// sheet, one page. Run by `npm run build`, hence by `npm install` (prepare).
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const source = new URL('./', import.meta.url);
const out = new URL('../dist/console/', import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('src/main.tsx', source).pathname],
  outfile: new URL('console.js', out).pathname,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const name of ['index.html', 'console.css', 'icon.svg']) copyFileSync(new URL(name, source), new URL(name, out));

if (process.argv.includes('--report')) {
  for (const name of ['index.html', 'console.js', 'console.css']) {
    const path = new URL(name, out);
    const gzip = gzipSync(readFileSync(path)).length;
    console.log(`${name}: ${statSync(path).size} bytes, ${gzip} gzipped`);
  }
}
