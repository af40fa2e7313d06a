/** Plain aligned tables for the terminal: columns padded to their widest cell. */
export function table(rows: readonly (readonly string[])[], indent = 2): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, [...cell].length)));
  }
  return rows
    .map(
      (row) =>
        " ".repeat(indent) +
        row
          .map((cell, i) =>
            i === row.length - 1 ? cell : cell + " ".repeat(widths[i] - [...cell].length),
          )
          .join("  ")
          .trimEnd(),
    )
    .join("\n");
}

/** A titled block of lines. */
export function section(title: string, body: string): string {
  return `${title}\n${body}`;
}
