/**
 * The dashboard's files, served from memory: the few files the dashboard build writes (no
 * subdirectories), read once at start and answered by exact name with a content hash as ETag
 * (compressed, and answered 304 when unchanged, as every route is: delivery.ts).
 * No request path ever reaches the file system, so no encoding of `..` or `//` can reach a file
 * outside the list (the class of bug a general static-file server must defend against).
 */
import { createHash } from "crypto";
import { readdirSync, readFileSync, statSync } from "fs";
import { extname, join } from "path";

import type { FastifyInstance, RouteShorthandOptionsWithHandler } from "fastify";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/** Serves every file of `dir` with a known type at `/<name>`, and `index.html` at `/`. */
export function registerStaticFiles(app: FastifyInstance, dir: string): void {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    const path = join(dir, name);
    if (!type || !statSync(path).isFile()) continue;
    const body = readFileSync(path);
    // Weak: the bytes sent differ with the compression the client accepts.
    const etag = `W/"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    files.set(name, { body, type, etag });
  }
  const serve = (file: StaticFile): RouteShorthandOptionsWithHandler => ({
    schema: { hide: true },
    handler: async (_req, reply) => {
      reply.header("etag", file.etag);
      // Revalidated on every load: a rebuilt dashboard is picked up at the next restart.
      reply.header("cache-control", "no-cache");
      return reply.type(file.type).send(file.body);
    },
  });
  for (const [name, file] of files) {
    app.get(`/${name}`, serve(file));
    if (name === "index.html") app.get("/", serve(file));
  }
}
