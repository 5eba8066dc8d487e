// Builds every bundle Run Rewind ships: the extension host code, the store worker, the command line
// and the webview scripts, and copies sql.js's WebAssembly beside them.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts', worker: 'src/core/worker.ts', cli: 'src/cli.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    external: ['vscode'],
  },
];

// Webview entry points: every media/<name>/main.ts becomes dist/webview/<name>.js.
if (existsSync('media')) {
  const entries = {};
  for (const name of readdirSync('media', { withFileTypes: true })) {
    if (name.isDirectory() && existsSync(join('media', name.name, 'main.ts'))) {
      entries[name.name] = join('media', name.name, 'main.ts');
    }
  }
  if (Object.keys(entries).length > 0) {
    builds.push({
      ...common,
      entryPoints: entries,
      outdir: 'dist/webview',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      loader: { '.css': 'css' },
    });
  }
}

function copyAssets() {
  mkdirSync('dist', { recursive: true });
  copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');
}

copyAssets();
if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
