/**
 * The package's `engines` field and its pinned dependencies agree: every Node version the
 * field accepts (sampled at each line's floor and at this machine's) is one every locked
 * package accepts, so `npm ci` installs without an engine warning on the Node these machines
 * run, and this machine's Node is one the field accepts.
 */
import { readFileSync } from "fs";
import { join } from "path";

import { expect } from "chai";
import semver from "semver";

const ROOT = join(__dirname, "../..");

interface Lock {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
}

describe("engines: the Node range declared and the pinned dependencies agree", () => {
  const declared = (
    JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      engines: { node: string };
    }
  ).engines.node;
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lock;

  it("this machine's Node is in the declared range", () => {
    expect(
      semver.satisfies(process.version, declared),
      `${process.version} vs ${declared}`,
    ).to.equal(true);
  });

  it("every locked package accepts every Node the range accepts", () => {
    // The floor of each set of the range, the next majors, and this machine's version.
    const range = new semver.Range(declared);
    const samples = [
      ...range.set.map(
        (comparators) =>
          semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(" ")))!.version,
      ),
      "22.12.0",
      "24.0.0",
      process.version.slice(1),
    ].filter((v) => semver.satisfies(v, range));
    expect(samples).to.include("20.19.0");
    const refusals: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const engines = entry.engines;
      const node = engines && !Array.isArray(engines) ? engines.node : undefined;
      if (!path || !node) continue;
      for (const version of samples) {
        if (!semver.satisfies(version, node)) {
          refusals.push(`${path}@${entry.version} wants node ${node}, not ${version}`);
        }
      }
    }
    expect(refusals).to.deep.equal([]);
  });
});
