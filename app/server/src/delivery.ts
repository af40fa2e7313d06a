/**
 * How every answer is delivered, the same for every route, with fastify's own plugins:
 *
 * - security headers (`helmet`'s, worked out once at start: `@fastify/helmet` builds helmet's
 *   middleware again for every request, parsing the policy each time, a sixth of the CPU of a
 *   small answer such as `/api/treasury`): a Content-Security-Policy the dashboard keeps (its
 *   own scripts and styles only, no inline script; connections to itself and to the RPC node
 *   wallets send to), `frame-ancestors 'none'` and `X-Frame-Options: DENY` (the page that asks
 *   a wallet to sign cannot be framed by another site), `X-Content-Type-Options: nosniff`;
 * - CORS open to every origin for reading (wallet apps), with `X-Chain-Time` and `ETag` exposed;
 * - an ETag on every answer (`@fastify/etag`, weak: the bytes differ once compressed; a route
 *   may set its own, as `/api/treasury` does), and `If-None-Match` answered as RFC 9110 §13.1.2
 *   says, which the plugin does not: a list of tags, weak comparison, `*`, and only for an answer
 *   that would be a 2xx;
 * - compression (`@fastify/compress`: brotli, gzip or deflate, as the client accepts);
 * - `405 Method Not Allowed` with `Allow` for a path that exists under GET.
 */
import { hash } from "crypto";

import compress from "@fastify/compress";
import cors from "@fastify/cors";
import etag from "@fastify/etag";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

export interface DeliveryOptions {
  /**
   * The RPC node the dashboard sends wallets' transactions to (none: it sends none), and its
   * websocket (default: the one web3.js derives from it).
   */
  rpcUrl?: string;
  wsUrl?: string;
}

/** `scheme://host[:port]` of a URL, for a CSP source. */
const origin = (url: string) => new URL(url).origin;

/**
 * The websocket URL `@solana/web3.js` derives from an RPC URL when none is given: ws(s) and, if
 * a port is named, the next port.
 */
export function derivedWsUrl(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (url.port !== "") url.port = String(Number(url.port) + 1);
  return url.toString();
}

/**
 * The headers helmet's middleware sets for `options` (names in lower case). Its policy does not
 * depend on the request (no nonces), so one response's headers are every response's.
 */
function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  type Middleware = ReturnType<typeof helmet>;
  helmet(options)(
    {} as Parameters<Middleware>[0],
    response as unknown as Parameters<Middleware>[1],
    (err?: unknown) => {
      if (err) throw err;
    },
  );
  return headers;
}

/** The entity-tags an `If-None-Match` header lists (`*` as itself), opaque tags only. */
export function ifNoneMatchTags(header: string): string[] {
  if (header.trim() === "*") return ["*"];
  return Array.from(header.matchAll(/(?:W\/)?"([^"]*)"/g), (m) => m[1]);
}

/** Whether `If-None-Match: header` fails for `etag` (weak comparison): answer 304. */
export function ifNoneMatchFails(header: string, etag: string | undefined): boolean {
  const tags = ifNoneMatchTags(header);
  if (tags[0] === "*") return true;
  if (etag === undefined) return false;
  const opaque = /"([^"]*)"/.exec(etag)?.[1];
  return opaque !== undefined && tags.includes(opaque);
}

export async function registerDelivery(
  app: FastifyInstance,
  options: DeliveryOptions,
): Promise<void> {
  const rpc =
    options.rpcUrl === undefined
      ? []
      : [options.rpcUrl, options.wsUrl ?? derivedWsUrl(options.rpcUrl)].map(origin);
  const security = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // The favicon is an empty data: URL; wallets' icons are data: URLs too.
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'", ...new Set(rpc)],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    xFrameOptions: { action: "deny" },
    // Wallets that sign in a window of their own keep a link back to the page.
    crossOriginOpenerPolicy: { policy: "same-origin-allow-popups" },
  });
  app.addHook("onRequest", (_req, reply, done) => {
    reply.headers(security);
    done();
  });
  await app.register(cors, {
    origin: true,
    methods: ["GET", "HEAD"],
    exposedHeaders: ["X-Chain-Time", "ETag"],
  });
  // One call of the one-shot hash: the plugin's own builds a Hash object for every answer.
  await app.register(etag, {
    weak: true,
    replyWith304: false,
    hashFn: (payload) => hash("sha1", payload, "base64"),
  });
  app.addHook("onSend", async (req, reply, payload) => {
    const header = req.headers["if-none-match"];
    if (header === undefined || (req.method !== "GET" && req.method !== "HEAD")) return payload;
    if (reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    const tag = reply.getHeader("etag");
    if (!ifNoneMatchFails(header, typeof tag === "string" ? tag : undefined)) return payload;
    reply.code(304);
    return "";
  });
  await app.register(compress, { global: true });
  app.addHook("onRequest", async (req, reply) => {
    if (!req.is404 || req.method === "GET" || req.method === "HEAD" || req.method === "OPTIONS") {
      return;
    }
    const path = req.url.split("?")[0];
    if (app.findRoute({ method: "GET", url: path }) === null) return;
    return reply
      .code(405)
      .header("allow", "GET, HEAD")
      .send({
        error: "MethodNotAllowed",
        message: `${req.method} is not allowed on ${path}: it answers GET and HEAD`,
      });
  });
}
