/**
 * The exit codes of every process the repository ships: each `ashao` command, the API
 * (`ashao api`) and the crank (`ashao crank`). One table, published in app/cli/README.md, so a
 * script or a supervisor tells "fix the command" from "retry later" from "the chain said no".
 */
export const EXIT = {
  /** Done, or nothing to do. */
  ok: 0,
  /** Unexpected: a bug, or an answer that could not be read. The line says what happened. */
  internal: 1,
  /** Bad flags, arguments or settings: nothing was done. */
  usage: 2,
  /**
   * The RPC node, the swap API or Hermes did not answer (unreachable, or past its timeout), or a
   * sent transaction's outcome could not be learnt: retry later (a rerun checks before paying).
   */
  network: 3,
  /**
   * Refused, by name: by the program, or by a check made before signing (the treasury paused, a
   * balance too low, a timelock not elapsed, a keypair missing, a price the guard would refuse).
   */
  refused: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
