/**
 * The repository's root folder, found from this file whether it runs from `app/` (ts-node, tests)
 * or from its compiled copy in `dist/app/` (the `ashao` bin): the nearest folder above holding
 * `package.json` (the compiled tree has none).
 */
import { existsSync } from "fs";
import { dirname, join } from "path";

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRoot(__dirname);
