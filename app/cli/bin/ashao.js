#!/usr/bin/env node
// `ashao` from the repository (`npx ashao …`, the package's bin): runs the CLI compiled to
// JavaScript in dist/ by `npm run build` (scripts/setup.sh runs it; `npm start` and `npm test` do
// too). CommonJS, so that Node runs it as is.
/* global require, __dirname, process, console */
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync } = require("fs");
const { join } = require("path");

const main = join(__dirname, "../../../dist/app/cli/src/main.js");
if (!existsSync(main)) {
  console.error("error: ashao is not built yet: run `npm run build` in the repository");
  process.exit(1);
}
// A reader that stops early (`ashao --help | head`) closes the pipe: the rest is not wanted, as
// for any Unix tool, and is no error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}
require(main);
