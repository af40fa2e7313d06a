/**
 * What the API's and the crank's metrics share: a gauge that has no sample while its value is
 * unknown, and `GET /metrics` of a registry on an address of the operator's choosing
 * (`--metrics-listen`), apart from any public port.
 */
import { createServer } from "http";
import type { AddressInfo } from "net";

import { Gauge, type Registry } from "prom-client";

import type { ListenAddress } from "./listen-address";

/**
 * A gauge read when scraped, with no sample while `read` has no value: a figure not known yet
 * (or without meaning, like an oracle's age without an oracle) is absent, never 0, which
 * prom-client's own label-less gauge would read.
 */
export class OptionalGauge extends Gauge {
  constructor(
    config: { name: string; help: string; registers: Registry[] },
    private readonly read: () => number | undefined,
  ) {
    super(config);
  }

  override async get() {
    const metric = await super.get();
    const value = this.read();
    return { ...metric, values: value === undefined ? [] : [{ value, labels: {} }] };
  }
}

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  close(): Promise<void>;
}

const json = (status: number, body: object) => ({
  status,
  type: "application/json; charset=utf-8",
  text: JSON.stringify(body),
});

/** Serves `registry` at `GET /metrics` on `listen`; anything else is a JSON 404. */
export async function serveMetrics(
  registry: Registry,
  listen: ListenAddress,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const answer =
      req.method === "GET" && req.url?.split("?")[0] === "/metrics"
        ? registry.metrics().then(
            (text) => ({ status: 200, type: registry.contentType, text }),
            (err: Error) => json(500, { error: "InternalError", message: err.message }),
          )
        : Promise.resolve(
            json(404, { error: "NotFound", message: `no route ${req.method} ${req.url}` }),
          );
    void answer.then(({ status, type, text }) => {
      res.writeHead(status, { "content-type": type });
      res.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
