#!/usr/bin/env node
// `ashao` from the repository (`npx ashao …`, the package's bin): runs app/cli/src/main.ts with
// ts-node, transpiling only (types are checked by `npm run lint`, not at every start). CommonJS,
// so that Node runs it as is.
/* global require, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports */
const { join } = require("path");

require("ts-node").register({
  transpileOnly: true,
  project: join(__dirname, "../../../tsconfig.json"),
});
require("../src/main.ts");
