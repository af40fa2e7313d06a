/** A public key that keeps its base58 text. */
import { PublicKey } from "@solana/web3.js";

/**
 * A `PublicKey` made from its base58 text, which it keeps: web3.js works the text out again on
 * every `toBase58()` (big-number arithmetic, about 10 µs), and an answer about a staker names
 * its wallet and position several times while being built. Only 32-byte texts are accepted, and
 * a 32-byte key has exactly one base58 text, so the kept text is the one web3.js would write.
 */
export class TextKey extends PublicKey {
  private readonly text: string;

  constructor(text: string) {
    super(text);
    this.text = text;
  }

  override toBase58(): string {
    return this.text;
  }

  override toString(): string {
    return this.text;
  }
}
