import { expect } from "chai";

import { Keypair, PublicKey } from "@solana/web3.js";

import { TextKey } from "../../app/sdk/src";

describe("TextKey: a public key that keeps its base58 text", () => {
  it("writes the text web3.js would, for keys with and without leading zero bytes", () => {
    const keys = [
      PublicKey.default,
      new PublicKey(Buffer.from([0, 0, 0, ...Array.from({ length: 29 }, (_, i) => i + 1)])),
      new PublicKey(Buffer.alloc(32, 0xff)),
      ...Array.from({ length: 200 }, () => Keypair.generate().publicKey),
    ];
    for (const key of keys) {
      const text = key.toBase58();
      const kept = new TextKey(text);
      expect(kept.toBase58()).to.equal(text);
      expect(kept.toString()).to.equal(text);
      expect(JSON.stringify({ kept })).to.equal(JSON.stringify({ kept: text }));
      expect(kept.equals(key)).to.equal(true);
      expect(Buffer.from(kept.toBytes()).equals(Buffer.from(key.toBytes()))).to.equal(true);
      // What the text says is what web3.js derives from the bytes.
      expect(new PublicKey(kept.toBytes()).toBase58()).to.equal(text);
    }
  });

  it("refuses what is not the text of 32 bytes, as PublicKey does", () => {
    const key = Keypair.generate().publicKey.toBase58();
    for (const text of [`1${key}`, key.slice(0, 30), "0OIl", "", `${key}x`]) {
      expect(() => new PublicKey(text), text).to.throw();
      expect(() => new TextKey(text), text).to.throw();
    }
  });
});
