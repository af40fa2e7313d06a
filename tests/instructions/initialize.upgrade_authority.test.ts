/**
 * initialize belongs to the program's upgrade authority: a stranger racing the deploy with the
 * real mints, or passing any ProgramData but this program's own, is refused by name and creates
 * nothing; then the upgrade authority initialises with the same mints.
 */
import { Keypair, LAMPORTS_PER_SOL, PublicKey, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";

import { TEST_AMM_PROGRAM_ID } from "../../app/jupiter-local/src/pool";
import { setAccount } from "../../app/localnet/validator";
import {
  fetchTreasury,
  initializeIx,
  programDataPda,
  treasuryPdas,
  treasuryProgram,
  TreasuryProgram,
} from "../../app/sdk/src";
import { createAshaoMint, createUsdcMint, TestMint } from "../utils/tokens";
import { accountData, defaultParams, expectTreasuryError, send } from "../utils/treasury";
import { useTestValidator } from "../utils/validator";

/** The loader's ProgramData header (bincode): tag 3, deploy slot, `Some(upgrade authority)`. */
function programDataBytes(upgradeAuthority: PublicKey): Buffer {
  const data = Buffer.alloc(4 + 8 + 1 + 32);
  data.writeUInt32LE(3, 0);
  data.writeBigUInt64LE(1n, 4);
  data[12] = 1;
  upgradeAuthority.toBuffer().copy(data, 13);
  return data;
}

describe("initialize: only the upgrade authority", () => {
  const validator = useTestValidator();
  let program: TreasuryProgram;
  let stranger: Keypair;
  let usdc: TestMint;
  let ashao: TestMint;
  /** Every account initialize creates or reads, to show a refusal changed none of them. */
  let watched: PublicKey[];

  /** initialize signed by `signer`, with `program` and `programData` replaced when given. */
  const init = async (
    signer: Keypair,
    replace: { program?: PublicKey; programData?: PublicKey } = {},
  ): Promise<string> => {
    const ix = await initializeIx(program, {
      authority: signer.publicKey,
      usdcMint: usdc.mint,
      ashaoMint: ashao.mint,
      params: defaultParams(),
    });
    const keys = ix.keys.map((key, i) => {
      // The SDK lists authority, program, programData first (the program's account order).
      if (i === 1 && replace.program) return { ...key, pubkey: replace.program };
      if (i === 2 && replace.programData) return { ...key, pubkey: replace.programData };
      return key;
    });
    return send(
      validator.current,
      new TransactionInstruction({ programId: ix.programId, keys, data: ix.data }),
      signer,
    );
  };

  const snapshot = async () =>
    Promise.all(watched.map((address) => accountData(validator.current.connection, address)));

  /** `attempt` fails with `error` and leaves every watched account as it was. */
  const expectRefusedUnchanged = async (attempt: Promise<unknown>, error: string) => {
    const before = await snapshot();
    await expectTreasuryError(attempt, error);
    expect(await snapshot()).to.deep.equal(before);
    expect(await fetchTreasury(program)).to.equal(null);
  };

  before(async () => {
    const conn = validator.current.connection;
    program = treasuryProgram(conn);
    stranger = await validator.current.fundedKeypair(10 * LAMPORTS_PER_SOL);
    // The real mints, made by the deployer before the program is initialised.
    usdc = await createUsdcMint(conn, validator.current.upgradeAuthority);
    ashao = await createAshaoMint(conn, validator.current.upgradeAuthority);
    const pdas = treasuryPdas(program.programId);
    watched = [
      pdas.config,
      pdas.buybackVault,
      pdas.rewardsVault,
      pdas.stakeVault,
      programDataPda(program.programId).address,
      usdc.mint,
      ashao.mint,
    ];
  });

  it("the program's ProgramData names the validator's upgrade authority", async () => {
    const data = await accountData(
      validator.current.connection,
      programDataPda(program.programId).address,
    );
    expect(data!.readUInt32LE(0)).to.equal(3);
    expect(data![12]).to.equal(1);
    expect(
      new PublicKey(data!.subarray(13, 45)).equals(validator.current.upgradeAuthority.publicKey),
    ).to.equal(true);
  });

  it("refuses a stranger racing the deploy with the real mints: NotUpgradeAuthority, nothing created", async () => {
    await expectRefusedUnchanged(init(stranger), "NotUpgradeAuthority");
  });

  it("refuses another program's ProgramData, even one naming the signer: NotUpgradeAuthority", async () => {
    const otherProgramData = programDataPda(TEST_AMM_PROGRAM_ID).address;
    // The local test AMM's ProgramData names the same upgrade authority: only the binding of
    // ProgramData to this program refuses it.
    await expectRefusedUnchanged(
      init(validator.current.upgradeAuthority, { programData: otherProgramData }),
      "NotUpgradeAuthority",
    );
    await expectRefusedUnchanged(
      init(stranger, { programData: otherProgramData }),
      "NotUpgradeAuthority",
    );
  });

  it("refuses a ProgramData look-alike the stranger controls (not the loader's): AccountOwnedByWrongProgram", async () => {
    const fake = Keypair.generate().publicKey;
    const connection = validator.current.connection;
    const data = programDataBytes(stranger.publicKey);
    await setAccount(connection, fake, {
      lamports: await connection.getMinimumBalanceForRentExemption(data.length),
      data,
      // The stranger's own program: only the loader can own a real ProgramData.
      owner: Keypair.generate().publicKey,
    });
    await expectRefusedUnchanged(
      init(stranger, { programData: fake }),
      "AccountOwnedByWrongProgram",
    );
  });

  it("refuses a random account as ProgramData (a token mint): AccountOwnedByWrongProgram", async () => {
    await expectRefusedUnchanged(
      init(stranger, { programData: usdc.mint }),
      "AccountOwnedByWrongProgram",
    );
  });

  it("refuses another program in place of the treasury program: InvalidProgramId", async () => {
    await expectRefusedUnchanged(
      init(stranger, {
        program: TEST_AMM_PROGRAM_ID,
        programData: programDataPda(TEST_AMM_PROGRAM_ID).address,
      }),
      "InvalidProgramId",
    );
  });

  it("the upgrade authority initialises with the same mints and becomes the treasury authority", async () => {
    const authority = validator.current.upgradeAuthority;
    await init(authority);
    const state = (await fetchTreasury(program))!;
    expect(state.authority.equals(authority.publicKey)).to.equal(true);
    expect(state.usdcMint.equals(usdc.mint)).to.equal(true);
    expect(state.ashaoMint.equals(ashao.mint)).to.equal(true);
  });
});
