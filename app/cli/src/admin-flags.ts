/**
 * `ashao admin`'s actions and change flags, as data: the command line is built from them without
 * loading the SDK (app/cli/src/program.ts), the action reads them (app/cli/src/admin.ts).
 */
export const ADMIN_ACTIONS = {
  "update-config":
    "apply at once a change that only reduces risk (fewer cranks, a lower cap or slippage, a " +
    "longer interval or timelock, buybacks off); any other change, any cooldown change " +
    "included, is refused: ChangeNeedsTimelock. A queued change that sets a parameter it " +
    "changes is dropped (superseded)",
  "queue-change":
    "queue any change; anyone may apply it once the timelock has passed (it replaces a queued " +
    "change that has expired)",
  "apply-change": "apply the queued change (from its eta, for 14 days; anyone may)",
  "cancel-change": "drop the queued change",
  "propose-authority":
    "hand the authority over to ADDRESS; it may accept once the timelock has passed, within " +
    "14 days",
  "cancel-authority": "cancel a pending hand-over",
  "accept-authority": "take over as the pending authority (signed by it)",
  pause: "stop stakes, deposits and buybacks (exits stay open)",
  unpause: "restart stakes, deposits and buybacks",
} as const;

export type AdminAction = keyof typeof ADMIN_ACTIONS;

/** The actions that take change flags. */
export const CHANGE_ACTIONS: readonly AdminAction[] = ["update-config", "queue-change"];

export const CHANGE_FLAGS = [
  { flag: "stream-period", arg: "D", help: "revenue stream period (3600, 90s, 15m, 2h, 1d)" },
  { flag: "unstake-cooldown", arg: "D", help: "unstake cooldown" },
  { flag: "min-buyback-interval", arg: "D", help: "least time between buybacks" },
  { flag: "timelock", arg: "D", help: "the timelock of risk-adding changes" },
  { flag: "max-buyback-usdc", arg: "USDC", help: "the largest buyback" },
  { flag: "max-slippage-bps", arg: "N", help: "slippage below the oracle price allowed" },
  { flag: "swap-program", arg: "ADDRESS|none", help: "the program buybacks swap through" },
  { flag: "cranks", arg: "A,B|none", help: "the whole crank allow-list" },
  { flag: "add-crank", arg: "ADDRESS", help: "add a crank (repeatable)", repeat: true },
  { flag: "remove-crank", arg: "ADDRESS", help: "remove a crank (repeatable)", repeat: true },
  {
    flag: "boost-tiers",
    arg: "MIN:BPS,...|none",
    help: "minimum stake in $ASHAO and worker boost in bps (1000:500,10000:1500)",
  },
  {
    flag: "price-guard",
    arg: "none|pyth:FEED_ID_HEX:MAX_AGE:MAX_CONFIDENCE_BPS",
    help: "the oracle buybacks are held to",
  },
  { flag: "change-json", arg: "JSON", help: "the change in /api/treasury's policy.params form" },
] as const;

export type ChangeFlagName = (typeof CHANGE_FLAGS)[number]["flag"];
export type ChangeValues = Partial<
  Record<Exclude<ChangeFlagName, "add-crank" | "remove-crank">, string> &
    Record<"add-crank" | "remove-crank", string[]>
>;

/** commander's name for a flag's value (`max-buyback-usdc` → `maxBuybackUsdc`). */
export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
