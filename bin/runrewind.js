#!/usr/bin/env node
// The `runrewind` command line. The code lives in dist/cli.js, built by `npm run build`
// (run automatically by `npm install` inside the repository).
const path = require('node:path');
const fs = require('node:fs');
const cli = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write('runrewind: dist/cli.js is missing; run `npm run build` in the repository first.\n');
  process.exit(2);
}
require(cli).cliEntry(process.argv.slice(2));
