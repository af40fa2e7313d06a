/**
 * initialize's mint policy on real mints: every Token-2022 extension that would break the
 * accounting is refused by its own name, and so is an authority that could freeze the stake vault
 * or close the mint; each refusal creates nothing. A mint whose close authority is revoked is
 * accepted.
 */
import { createMint, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";

import {
  fetchTreasury,
  initializeIx,
  treasuryPdas,
  treasuryProgram,
  TreasuryProgram,
} from "../../app/sdk/src";
import { createExtensionMint, MintExtension } from "../utils/extension-mints";
import { ASHAO_DECIMALS, createUsdcMint, TestMint } from "../utils/tokens";
import { accountData, defaultParams, expectTreasuryError, send } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

const REFUSED: [MintExtension, string][] = [
  ["transferHook", "MintHasTransferHook"],
  ["permanentDelegate", "MintHasPermanentDelegate"],
  ["nonTransferable", "MintIsNonTransferable"],
  // Token-2022 requires a freeze authority for it; the extension is named before the authority.
  ["defaultAccountState", "MintHasDefaultAccountState"],
  ["interestBearing", "MintIsInterestBearing"],
  ["confidentialTransfer", "MintHasConfidentialTransfer"],
  ["pausable", "MintIsPausable"],
  ["scaledUiAmount", "MintHasScaledUiAmount"],
  // Newer than the program's Token-2022 library: unreadable, so refused by the general name.
  ["permissionedBurn", "MintExtensionNotAllowed"],
];

describe("initialize: the $ASHAO mint's extensions and authorities", () => {
  const validator = useTestValidator();
  let program: TreasuryProgram;
  let authority: Keypair;
  let usdc: TestMint;

  const init = async (ashao: TestMint) =>
    send(
      validator.current,
      await initializeIx(program, {
        authority: authority.publicKey,
        usdcMint: usdc.mint,
        ashaoMint: ashao.mint,
        ashaoTokenProgram: ashao.tokenProgram,
        params: defaultParams(),
      }),
      authority,
    );

  /** `ashao` is refused by `error`; the treasury's accounts and the mint stay as they were. */
  const expectRefused = async (ashao: TestMint, error: string) => {
    const connection = validator.current.connection;
    const pdas = treasuryPdas(program.programId);
    const watched = [
      pdas.config,
      pdas.buybackVault,
      pdas.rewardsVault,
      pdas.stakeVault,
      ashao.mint,
    ];
    const snapshot = () => Promise.all(watched.map((a) => accountData(connection, a)));
    const before = await snapshot();
    await expectTreasuryError(init(ashao), error);
    expect(await snapshot()).to.deep.equal(before);
    expect(await fetchTreasury(program)).to.equal(null);
  };

  /** A plain $ASHAO mint whose freeze authority is the payer. */
  const freezableMint = async (tokenProgram: PublicKey): Promise<TestMint> => ({
    mint: await createMint(
      validator.current.connection,
      authority,
      authority.publicKey,
      authority.publicKey,
      ASHAO_DECIMALS,
      undefined,
      { commitment: "confirmed" },
      tokenProgram,
    ),
    tokenProgram,
    decimals: ASHAO_DECIMALS,
    authority,
  });

  before(async () => {
    // Only the upgrade authority may initialise: the refusals below are the mint policy's.
    authority = validator.current.upgradeAuthority;
    program = treasuryProgram(validator.current.connection);
    usdc = await createUsdcMint(validator.current.connection, authority);
  });

  for (const [extension, error] of REFUSED) {
    it(`refuses a mint with ${extension} by ${error}, creating nothing`, async () => {
      const mint = await createExtensionMint(validator.current.connection, authority, extension);
      await expectRefused(mint, error);
    });
  }

  it("refuses an SPL Token mint with a freeze authority by MintHasFreezeAuthority, creating nothing", async () => {
    await expectRefused(await freezableMint(TOKEN_PROGRAM_ID), "MintHasFreezeAuthority");
  });

  it("refuses a Token-2022 mint with a freeze authority by MintHasFreezeAuthority, creating nothing", async () => {
    await expectRefused(await freezableMint(TOKEN_2022_PROGRAM_ID), "MintHasFreezeAuthority");
  });

  it("refuses a freeze authority on a mint whose extension is harmless (a metadata pointer)", async () => {
    const mint = await createExtensionMint(
      validator.current.connection,
      authority,
      "metadataPointer",
      { freezeAuthority: true },
    );
    await expectRefused(mint, "MintHasFreezeAuthority");
  });

  it("refuses a Token-2022 mint whose close authority is set by MintHasCloseAuthority, creating nothing", async () => {
    const mint = await createExtensionMint(
      validator.current.connection,
      authority,
      "mintCloseAuthority",
    );
    await expectRefused(mint, "MintHasCloseAuthority");
  });

  it("accepts a mint with the MintCloseAuthority extension once its authority is none", async () => {
    const mint = await createExtensionMint(
      validator.current.connection,
      authority,
      "mintCloseAuthority",
      { closeAuthority: null },
    );
    await init(mint);
    const state = (await fetchTreasury(program))!;
    expect(state.ashaoMint.equals(mint.mint)).to.equal(true);
    expect(state.ashaoTokenProgram.equals(TOKEN_2022_PROGRAM_ID)).to.equal(true);
  });
});
