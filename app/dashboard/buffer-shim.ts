// Node's Buffer in the browser, for @solana/web3.js and Anchor (esbuild injects this file).
import { Buffer } from "buffer";

export { Buffer };
