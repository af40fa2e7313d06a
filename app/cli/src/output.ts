/** A command's answer: text for people, or one JSON document (`--output json|json-compact`). */
export const OUTPUT_FORMATS = ["json", "json-compact"] as const;
export type OutputFormat = "text" | (typeof OUTPUT_FORMATS)[number];

export function json(format: OutputFormat, value: unknown): string {
  return format === "json-compact" ? JSON.stringify(value) : JSON.stringify(value, null, 2);
}

/** Prints `value` as JSON (amounts already strings) or `text()` for people. */
export function print(format: OutputFormat, value: unknown, text: () => string): void {
  console.log(format === "text" ? text() : json(format, value));
}

/** `1 buyback`, `2 buybacks`. */
export function count(n: number | bigint, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString("en-US")} ${BigInt(n) === 1n ? singular : plural}`;
}
