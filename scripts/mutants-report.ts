// Reads cargo-mutants' output (`mutants.out/mutants.json`, `outcomes.json`) for scripts/mutants.sh:
// `progress` prints one line (mutants tested of those listed, by outcome, time so far);
// `summary` prints killed / missed / unviable / timed out per file, the totals, the run time,
// and each missed or timed-out mutant by name. docs/ARCHITECTURE.md ("Mutation testing").
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface Mutant {
  name: string;
  file: string;
}

type Summary = "Success" | "CaughtMutant" | "MissedMutant" | "Unviable" | "Failure" | "Timeout";

interface Outcome {
  scenario: "Baseline" | { Mutant: Mutant };
  summary: Summary;
  phase_results: { duration: number }[];
}

interface Outcomes {
  outcomes: Outcome[];
  start_time: string;
  end_time: string | null;
}

interface Tally {
  killed: number;
  missed: number;
  unviable: number;
  timeout: number;
}

const empty = (): Tally => ({ killed: 0, missed: 0, unviable: 0, timeout: 0 });

function readJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    // Being rewritten by cargo-mutants at this instant: the next read gets it.
    return undefined;
  }
}

function count(tally: Tally, summary: Summary): void {
  if (summary === "CaughtMutant") tally.killed += 1;
  else if (summary === "MissedMutant") tally.missed += 1;
  else if (summary === "Unviable") tally.unviable += 1;
  else if (summary === "Timeout") tally.timeout += 1;
}

function mutantsOf(outcomes: Outcomes): { mutant: Mutant; summary: Summary }[] {
  return outcomes.outcomes.flatMap((o) =>
    o.scenario === "Baseline" ? [] : [{ mutant: o.scenario.Mutant, summary: o.summary }],
  );
}

function line(label: string, t: Tally): string {
  const viable = t.killed + t.missed + t.timeout;
  const score = viable === 0 ? "-" : `${((100 * t.killed) / viable).toFixed(1)}%`;
  return `${label.padEnd(58)} ${String(t.killed).padStart(6)} ${String(t.missed).padStart(6)} ${String(t.unviable).padStart(8)} ${String(t.timeout).padStart(9)} ${score.padStart(7)}`;
}

function minutes(seconds: number): string {
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

function elapsed(outcomes: Outcomes): number {
  const end = outcomes.end_time ? Date.parse(outcomes.end_time) : Date.now();
  return (end - Date.parse(outcomes.start_time)) / 1000;
}

function main(): void {
  const [mode, dir] = process.argv.slice(2);
  if (!dir || (mode !== "progress" && mode !== "summary")) {
    console.error("usage: mutants-report.ts progress|summary <mutants.out>");
    process.exit(2);
  }
  const listed = readJson<Mutant[]>(join(dir, "mutants.json"));
  const outcomes = readJson<Outcomes>(join(dir, "outcomes.json"));
  if (!outcomes) {
    if (mode === "summary") console.log(`no outcomes in ${dir}`);
    else console.log("mutants: building the baseline");
    return;
  }
  const tested = mutantsOf(outcomes);
  const total = empty();
  for (const t of tested) count(total, t.summary);
  if (mode === "progress") {
    const of = listed ? ` of ${listed.length}` : "";
    console.log(
      `mutants: ${tested.length}${of} tested in ${minutes(elapsed(outcomes))}: ` +
        `${total.killed} killed, ${total.missed} missed, ${total.unviable} unviable, ${total.timeout} timed out`,
    );
    return;
  }
  const byFile = new Map<string, Tally>();
  for (const t of tested) {
    const tally = byFile.get(t.mutant.file) ?? empty();
    count(tally, t.summary);
    byFile.set(t.mutant.file, tally);
  }
  console.log(
    `${"file".padEnd(58)} ${"killed".padStart(6)} ${"missed".padStart(6)} ${"unviable".padStart(8)} ${"timed out".padStart(9)} ${"score".padStart(7)}`,
  );
  for (const file of [...byFile.keys()].sort())
    console.log(line(file, byFile.get(file) ?? empty()));
  console.log(line("total", total));
  const untested = listed ? listed.length - tested.length : 0;
  console.log(
    `${tested.length} mutants tested${untested > 0 ? ` (${untested} listed not tested: a partial run)` : ""} in ${minutes(elapsed(outcomes))}`,
  );
  for (const t of tested) {
    if (t.summary === "MissedMutant") console.log(`MISSED    ${t.mutant.name}`);
    if (t.summary === "Timeout") console.log(`TIMED OUT ${t.mutant.name}`);
  }
}

main();
