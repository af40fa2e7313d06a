/** The local chain's mint and token-account factories, under the names the suites use. */
export {
  createAshaoMint,
  createUsdcMint,
  fundedTokenAccount,
  mintTokens,
  tokenBalance,
  type LocalMint as TestMint,
} from "../../app/localnet/tokens";
export { ASHAO_DECIMALS, USDC_DECIMALS } from "../../app/sdk/src/constants";
