/**
 * Token-2022 mints carrying one extension each, made on the local chain by the real Token-2022
 * program, for the suites that check which $ASHAO mints the treasury accepts at `initialize`.
 */
import {
  AccountState,
  createInitializeDefaultAccountStateInstruction,
  createInitializeInterestBearingMintInstruction,
  createInitializeMetadataPointerInstruction,
  createInitializeMintCloseAuthorityInstruction,
  createInitializeMintInstruction,
  createInitializeNonTransferableMintInstruction,
  createInitializePausableConfigInstruction,
  createInitializePermanentDelegateInstruction,
  createInitializePermissionedBurnInstruction,
  createInitializeScaledUiAmountConfigInstruction,
  createInitializeTransferFeeConfigInstruction,
  createInitializeTransferHookInstruction,
  ExtensionType,
  getMintLen,
  TOKEN_2022_PROGRAM_ID,
} from "@solana/spl-token";
import {
  Connection,
  Keypair,
  PublicKey,
  sendAndConfirmTransaction,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from "@solana/web3.js";

import { ASHAO_DECIMALS } from "./tokens";
import type { TestMint } from "./tokens";

/** Token-2022's instruction tag for the confidential-transfer extension, and its InitializeMint. */
const CONFIDENTIAL_TRANSFER_EXTENSION = 27;
const CONFIDENTIAL_TRANSFER_INITIALIZE_MINT = 0;

/**
 * spl-token 0.4 has no builder for the confidential-transfer mint; its layout is the tags, the
 * optional authority (32 bytes), auto-approve (1 byte) and the optional auditor key (32 bytes).
 */
function initializeConfidentialTransferMintIx(
  mint: PublicKey,
  authority: PublicKey,
): TransactionInstruction {
  const data = Buffer.alloc(2 + 32 + 1 + 32);
  data[0] = CONFIDENTIAL_TRANSFER_EXTENSION;
  data[1] = CONFIDENTIAL_TRANSFER_INITIALIZE_MINT;
  authority.toBuffer().copy(data, 2);
  data[34] = 1;
  return new TransactionInstruction({
    programId: TOKEN_2022_PROGRAM_ID,
    keys: [{ pubkey: mint, isSigner: false, isWritable: true }],
    data,
  });
}

/** The extensions the suites make, each with the instruction that sets it up before InitializeMint. */
export const MINT_EXTENSIONS = {
  transferFee: ExtensionType.TransferFeeConfig,
  transferHook: ExtensionType.TransferHook,
  permanentDelegate: ExtensionType.PermanentDelegate,
  nonTransferable: ExtensionType.NonTransferable,
  defaultAccountState: ExtensionType.DefaultAccountState,
  interestBearing: ExtensionType.InterestBearingConfig,
  confidentialTransfer: ExtensionType.ConfidentialTransferMint,
  pausable: ExtensionType.PausableConfig,
  scaledUiAmount: ExtensionType.ScaledUiAmountConfig,
  permissionedBurn: ExtensionType.PermissionedBurn,
  mintCloseAuthority: ExtensionType.MintCloseAuthority,
  metadataPointer: ExtensionType.MetadataPointer,
} as const;

export type MintExtension = keyof typeof MINT_EXTENSIONS;

/** Options of {@link createExtensionMint}. */
export interface ExtensionMintOptions {
  /**
   * Whether the mint gets a freeze authority (the payer). By default only when the extension
   * needs one (a default frozen account state): the treasury refuses a freeze authority by its
   * own name, so a mint meant to test anything else must not have one.
   */
  freezeAuthority?: boolean;
  /** The MintCloseAuthority extension's authority: the payer by default, `null` for none. */
  closeAuthority?: PublicKey | null;
}

function extensionIx(
  extension: MintExtension,
  mint: PublicKey,
  authority: PublicKey,
  options: ExtensionMintOptions,
) {
  const program = TOKEN_2022_PROGRAM_ID;
  switch (extension) {
    case "transferFee":
      // 1%, capped at 1 $ASHAO: what arrives would be less than what was sent.
      return createInitializeTransferFeeConfigInstruction(
        mint,
        authority,
        authority,
        100,
        1_000_000_000n,
        program,
      );
    case "transferHook":
      // Any program id will do: the treasury must refuse the mint before a hook could run.
      return createInitializeTransferHookInstruction(mint, authority, authority, program);
    case "permanentDelegate":
      return createInitializePermanentDelegateInstruction(mint, authority, program);
    case "nonTransferable":
      return createInitializeNonTransferableMintInstruction(mint, program);
    case "defaultAccountState":
      return createInitializeDefaultAccountStateInstruction(mint, AccountState.Frozen, program);
    case "interestBearing":
      return createInitializeInterestBearingMintInstruction(mint, authority, 500, program);
    case "confidentialTransfer":
      return initializeConfidentialTransferMintIx(mint, authority);
    case "pausable":
      return createInitializePausableConfigInstruction(mint, authority, program);
    case "scaledUiAmount":
      return createInitializeScaledUiAmountConfigInstruction(mint, authority, 2, program);
    case "permissionedBurn":
      return createInitializePermissionedBurnInstruction(mint, authority, program);
    case "mintCloseAuthority":
      return createInitializeMintCloseAuthorityInstruction(
        mint,
        options.closeAuthority === undefined ? authority : options.closeAuthority,
        program,
      );
    case "metadataPointer":
      return createInitializeMetadataPointerInstruction(mint, authority, mint, program);
  }
}

/** Extensions Token-2022 only initialises on a mint that has a freeze authority. */
const NEEDS_FREEZE_AUTHORITY: ReadonlySet<MintExtension> = new Set(["defaultAccountState"]);

/** A 9-decimal Token-2022 mint with `extension`, its authorities the payer (see the options). */
export async function createExtensionMint(
  connection: Connection,
  payer: Keypair,
  extension: MintExtension,
  options: ExtensionMintOptions = {},
): Promise<TestMint> {
  const freeze = options.freezeAuthority ?? NEEDS_FREEZE_AUTHORITY.has(extension);
  const mint = Keypair.generate();
  const space = getMintLen([MINT_EXTENSIONS[extension]]);
  const lamports = await connection.getMinimumBalanceForRentExemption(space);
  const tx = new Transaction().add(
    SystemProgram.createAccount({
      fromPubkey: payer.publicKey,
      newAccountPubkey: mint.publicKey,
      space,
      lamports,
      programId: TOKEN_2022_PROGRAM_ID,
    }),
    extensionIx(extension, mint.publicKey, payer.publicKey, options),
    createInitializeMintInstruction(
      mint.publicKey,
      ASHAO_DECIMALS,
      payer.publicKey,
      freeze ? payer.publicKey : null,
      TOKEN_2022_PROGRAM_ID,
    ),
  );
  await sendAndConfirmTransaction(connection, tx, [payer, mint], { commitment: "confirmed" });
  return {
    mint: mint.publicKey,
    tokenProgram: TOKEN_2022_PROGRAM_ID,
    decimals: ASHAO_DECIMALS,
    authority: payer,
  };
}
