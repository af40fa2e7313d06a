/**
 * The Prometheus alert rules (ops/prometheus/alerts.yml) as `promtool` reads them: the file is
 * valid, every alert carries a severity, a summary and a description, and
 * ops/prometheus/alerts.test.yml holds for each alert a scenario in which it fires and one in
 * which it does not, all of which `promtool test rules` passes. (That every metric the rules
 * name is exported: tests/api/metrics.test.ts.)
 */
import { execFile } from "child_process";
import { readFileSync } from "fs";
import { join } from "path";

import { expect } from "chai";

const OPS = join(__dirname, "../../ops/prometheus");
const PROMTOOL = process.env.ASHAO_PROMTOOL ?? "promtool";

function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: OPS, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

/** Each alert's name with its `severity`, `summary` and `description` present or not. */
function alertRules(): { name: string; fields: Set<string> }[] {
  const rules: { name: string; fields: Set<string> }[] = [];
  for (const line of readFileSync(join(OPS, "alerts.yml"), "utf8").split("\n")) {
    const alert = /^\s+- alert: (\S+)/.exec(line);
    if (alert) rules.push({ name: alert[1], fields: new Set() });
    const field = /^\s+(severity|summary|description):/.exec(line);
    if (field && rules.length > 0) rules[rules.length - 1].fields.add(field[1]);
  }
  return rules;
}

/** The test cases of each alert: whether one expects it to fire, and one expects silence. */
function cases(): Map<string, { fires: boolean; silent: boolean }> {
  const byAlert = new Map<string, { fires: boolean; silent: boolean }>();
  let alert: string | undefined;
  for (const line of readFileSync(join(OPS, "alerts.test.yml"), "utf8").split("\n")) {
    const name = /^\s+alertname: (\S+)/.exec(line);
    if (name) alert = name[1];
    const expected = /^\s+exp_alerts:\s*(\[\])?\s*$/.exec(line);
    if (expected && alert) {
      const entry = byAlert.get(alert) ?? { fires: false, silent: false };
      if (expected[1]) entry.silent = true;
      else entry.fires = true;
      byAlert.set(alert, entry);
    }
  }
  return byAlert;
}

describe("alert rules (promtool)", () => {
  it("promtool check rules accepts the rules", async () => {
    const { code, output } = await promtool("check", "rules", "alerts.yml");
    expect(code, output).to.equal(0);
    expect(output).to.include(`SUCCESS: ${alertRules().length} rules found`);
  });

  it("every alert has a severity, a summary and a description", () => {
    const rules = alertRules();
    expect(rules.map((r) => r.name)).to.include.members([
      "AshaoCrankStalled",
      "AshaoOracleStale",
      "AshaoVaultBelowOwed",
      "AshaoIndexerLagging",
      "AshaoCrankFailing",
    ]);
    for (const rule of rules) {
      expect([...rule.fields].sort(), rule.name).to.deep.equal([
        "description",
        "severity",
        "summary",
      ]);
    }
  });

  it("every alert fires in one scenario of promtool test rules and stays silent in another", async () => {
    const tested = cases();
    for (const { name } of alertRules()) {
      expect(tested.get(name), name).to.deep.equal({ fires: true, silent: true });
    }
    const { code, output } = await promtool("test", "rules", "alerts.test.yml");
    expect(code, output).to.equal(0);
    expect(output).to.include("SUCCESS");
  });
});
