/**
 * How every answer is delivered, against a real validator and API: an ETag on every route (but
 * the streamed CSV export) and If-None-Match answered as RFC 9110 says (a list with a weak
 * match, `*`, no match, a 4xx); compression as the client accepts (brotli, gzip); the dashboard's security headers (CSP,
 * frame-ancestors, nosniff) and no source map; X-Chain-Time readable from other origins;
 * Deprecation on the old buybacks address; 405 with Allow for a wrong method.
 */
import { request } from "http";

import { expect } from "chai";

import { type LocalEconomy, startLocalEconomy } from "../../app/localnet/economy";
import { derivedWsUrl, ifNoneMatchFails, ifNoneMatchTags } from "../../app/server/src/delivery";
import { payRevenue } from "../utils/economy";

const USDC = 1_000_000n;

/** A GET with exactly the headers given (fetch would add and undo Accept-Encoding). */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  body: string;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!,
          headers: res.headers,
          bytes: body.length,
          body: body.toString("utf8"),
        });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("API delivery: ETags, compression, security headers, CORS, deprecation, 405", function () {
  this.timeout(120_000);
  let economy: LocalEconomy;
  let url: string;
  let wallet: string;

  before(async function () {
    this.timeout(180_000);
    economy = await startLocalEconomy({ simulate: false, crank: false });
    url = economy.api!.url;
    await payRevenue(economy, 10n * USDC);
    wallet = economy.authority.publicKey.toBase58();
  });

  after(async () => {
    await economy?.stop();
  });

  it("parses If-None-Match as RFC 9110 writes it: lists, weak tags, commas inside a tag, *", () => {
    expect(ifNoneMatchTags('"a", W/"b" ,"c,d"')).to.deep.equal(["a", "b", "c,d"]);
    expect(ifNoneMatchTags(" * ")).to.deep.equal(["*"]);
    expect(ifNoneMatchFails('"x", W/"b"', 'W/"b"')).to.equal(true);
    expect(ifNoneMatchFails('W/"b"', '"b"')).to.equal(true);
    expect(ifNoneMatchFails('"x", "y"', 'W/"b"')).to.equal(false);
    expect(ifNoneMatchFails("*", undefined)).to.equal(true);
    expect(ifNoneMatchFails('"b"', undefined)).to.equal(false);
    expect(derivedWsUrl("http://127.0.0.1:8899")).to.equal("ws://127.0.0.1:8900/");
    expect(derivedWsUrl("https://rpc.example/key")).to.equal("wss://rpc.example/key");
  });

  it("sends an ETag on every route, and a 304 for a list holding it (weakly), for *, never for a 4xx", async () => {
    // Answers that stay the same while nothing happens: the same tag, so a 304.
    const steady = [
      "/",
      "/app.js",
      "/styles.css",
      "/api/treasury",
      "/api/treasury/history?range=24h",
      "/api/buybacks",
      "/api/treasury/buybacks",
      "/api/treasury/admin-log",
      `/api/stakers/${wallet}/history`,
      "/api/config",
      "/api/openapi.json",
    ];
    // Answers that move with the clock or each request (a position's rewards accrue by the
    // second, counters count): a tag for each, a 304 only for `*`.
    const moving = [`/api/stakers/${wallet}`, `/api/workers/${wallet}`, "/metrics"];
    for (const route of [...steady, ...moving]) {
      const first = await rawGet(`${url}${route}`);
      expect(first.status, route).to.equal(200);
      const etag = String(first.headers.etag);
      expect(etag, route).to.match(/^W\/"[^"]+"$/);
      const opaque = etag.slice(2);
      const headers = steady.includes(route)
        ? [`"nothing", ${etag}`, `"nothing", ${opaque}`, "*"]
        : ["*"];
      for (const header of headers) {
        const again = await rawGet(`${url}${route}`, { "if-none-match": header });
        expect(again.status, `${route} If-None-Match: ${header}`).to.equal(304);
        expect(again.bytes, route).to.equal(0);
      }
      const other = await rawGet(`${url}${route}`, { "if-none-match": '"nothing", W/"else"' });
      expect(other.status, route).to.equal(200);
    }
    // The CSV export is streamed a page of rows at a time: no tag, which would take the whole
    // export first.
    for (const path of [
      `/api/stakers/${wallet}/history.csv`,
      `/api/workers/${wallet}/earnings.csv`,
    ]) {
      const csv = await rawGet(`${url}${path}`);
      expect(csv.status, path).to.equal(200);
      expect(csv.headers.etag, path).to.equal(undefined);
    }
    // /api/treasury's tag names the figures, not the bytes (its age changes each time), and its
    // 304 still carries the chain's clock.
    const treasury = await rawGet(`${url}/api/treasury`);
    const notModified = await rawGet(`${url}/api/treasury`, {
      "if-none-match": String(treasury.headers.etag),
    });
    expect(notModified.status).to.equal(304);
    expect(Number(notModified.headers["x-chain-time"])).to.be.greaterThan(0);
    // A refusal is a refusal, whatever the client holds.
    const refused = await rawGet(`${url}/api/stakers/not-a-wallet`, { "if-none-match": "*" });
    expect(refused.status).to.equal(400);
    expect(JSON.parse(refused.body).error).to.equal("InvalidWallet");
  });

  it("compresses as the client accepts: brotli, gzip, or not at all", async () => {
    const plain = await rawGet(`${url}/app.js`);
    const br = await rawGet(`${url}/app.js`, { "accept-encoding": "br" });
    const gzip = await rawGet(`${url}/app.js`, { "accept-encoding": "gzip" });
    expect(plain.headers["content-encoding"]).to.equal(undefined);
    expect(br.headers["content-encoding"]).to.equal("br");
    expect(gzip.headers["content-encoding"]).to.equal("gzip");
    expect(br.bytes).to.be.lessThan(plain.bytes / 2);
    expect(gzip.bytes).to.be.lessThan(plain.bytes / 2);
    expect(String(br.headers.vary)).to.match(/accept-encoding/i);
    const treasury = await rawGet(`${url}/api/treasury`, { "accept-encoding": "gzip, br" });
    expect(treasury.headers["content-encoding"]).to.equal("br");
  });

  it("sends the dashboard's security headers, and no source map", async () => {
    const page = await rawGet(`${url}/`);
    const csp = String(page.headers["content-security-policy"]);
    const directives = Object.fromEntries(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values];
      }),
    );
    expect(directives["default-src"]).to.deep.equal(["'self'"]);
    expect(directives["script-src"]).to.deep.equal(["'self'"]);
    expect(directives["style-src"]).to.deep.equal(["'self'"]);
    expect(directives["frame-ancestors"]).to.deep.equal(["'none'"]);
    expect(directives["object-src"]).to.deep.equal(["'none'"]);
    // Wallets' transactions go to the RPC node and its websocket, and nowhere else.
    const rpc = new URL(economy.validator.rpcUrl).origin;
    const ws = new URL(economy.validator.wsUrl).origin;
    expect(directives["connect-src"]).to.deep.equal(["'self'", rpc, ws]);
    expect(page.headers["x-frame-options"]).to.equal("DENY");
    expect(page.headers["x-content-type-options"]).to.equal("nosniff");
    expect(page.body).to.not.match(/<script>|<script(?![^>]*\ssrc=)[^>]*>/);
    const script = await rawGet(`${url}/app.js`);
    expect(script.body).to.not.include("sourceMappingURL");
    expect((await rawGet(`${url}/app.js.map`)).status).to.equal(404);
  });

  it("sends the same security headers on every answer: the page, an API answer, a 404", async () => {
    const page = await rawGet(`${url}/`);
    const names = [
      "content-security-policy",
      "x-frame-options",
      "x-content-type-options",
      "cross-origin-opener-policy",
      "strict-transport-security",
      "referrer-policy",
    ];
    for (const name of names) expect(page.headers[name], name).to.be.a("string");
    for (const path of ["/api/treasury", `/api/stakers/${wallet}`, "/no-such-page"]) {
      const answer = await rawGet(`${url}${path}`);
      for (const name of names)
        expect(answer.headers[name], `${path} ${name}`).to.equal(page.headers[name]);
      expect(answer.headers["x-powered-by"]).to.equal(undefined);
    }
  });

  it("lets other origins read X-Chain-Time and ETag", async () => {
    const answer = await rawGet(`${url}/api/treasury`, { origin: "https://wallet.example" });
    expect(answer.headers["access-control-allow-origin"]).to.equal("https://wallet.example");
    const exposed = String(answer.headers["access-control-expose-headers"]).toLowerCase();
    expect(exposed.split(/\s*,\s*/)).to.include.members(["x-chain-time", "etag"]);
  });

  it("says the old buybacks address is deprecated, and where its successor is", async () => {
    const old = await rawGet(`${url}/api/treasury/buybacks`);
    expect(old.headers.deprecation).to.equal("@1795996800");
    expect(old.headers.link).to.equal('</api/buybacks>; rel="successor-version"');
    expect(JSON.parse(old.body)).to.deep.equal(
      JSON.parse((await rawGet(`${url}/api/buybacks`)).body),
    );
    expect((await rawGet(`${url}/api/buybacks`)).headers.deprecation).to.equal(undefined);
  });

  it("answers 405 with Allow for a method a path does not take, 404 for a path that is not there", async () => {
    for (const [method, path] of [
      ["POST", "/api/treasury"],
      ["DELETE", `/api/stakers/${wallet}`],
      ["PUT", "/"],
      ["PATCH", "/app.js"],
    ]) {
      const answer = await rawGet(`${url}${path}`, {}, method);
      expect(answer.status, `${method} ${path}`).to.equal(405);
      expect(answer.headers.allow).to.equal("GET, HEAD");
      expect(JSON.parse(answer.body)).to.deep.equal({
        error: "MethodNotAllowed",
        message: `${method} is not allowed on ${path}: it answers GET and HEAD`,
      });
    }
    const missing = await rawGet(`${url}/api/nothing`, {}, "POST");
    expect(missing.status).to.equal(404);
    expect(JSON.parse(missing.body).error).to.equal("NotFound");
    expect((await rawGet(`${url}/api/treasury`, {}, "HEAD")).status).to.equal(200);
  });
});
