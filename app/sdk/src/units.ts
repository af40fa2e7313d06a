/**
 * The tokens' decimals, in a module of their own with no imports, so what only formats amounts
 * (the dashboard's first script) does not load the Solana client with `constants.ts`.
 */

/** USDC has 6 decimals; $ASHAO has 9. */
export const USDC_DECIMALS = 6;
export const ASHAO_DECIMALS = 9;
