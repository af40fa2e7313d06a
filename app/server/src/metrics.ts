/** Prometheus metrics (`GET /metrics`): requests, the snapshot's freshness and the indexer. */
import type { FastifyInstance } from "fastify";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

import type { EventIndexer } from "./indexer";
import type { TreasurySnapshot } from "./snapshot";

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "ashao_api_requests_total",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: "ashao_api_request_duration_seconds",
    help: "HTTP request duration by route",
    labelNames: ["route"],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registers: [this.registry],
  });
  register(app: FastifyInstance, snapshot: TreasurySnapshot, indexer: EventIndexer): void {
    new Gauge({
      name: "ashao_rpc_slot",
      help: "The newest slot the RPC node told of (slot notifications and answers)",
      registers: [this.registry],
      collect() {
        this.set(snapshot.node.slot);
      },
    });
    new Gauge({
      name: "ashao_snapshot_slot",
      help: "Slot the treasury snapshot was last updated at",
      registers: [this.registry],
      collect() {
        this.set(snapshot.slot);
      },
    });
    new Gauge({
      name: "ashao_snapshot_age_seconds",
      help: "Seconds since the snapshot last changed",
      registers: [this.registry],
      collect() {
        this.set((Date.now() - snapshot.readAt.getTime()) / 1000);
      },
    });
    new Gauge({
      name: "ashao_indexer_events",
      help: "Events in the store",
      registers: [this.registry],
      collect() {
        this.set(indexer.status.events);
      },
    });
    new Gauge({
      name: "ashao_indexer_lag_slots",
      help: "Slots between the program's newest activity seen and the newest indexed",
      registers: [this.registry],
      collect() {
        this.set(indexer.lagSlots);
      },
    });
    app.addHook("onResponse", (req, reply, done) => {
      const route = req.routeOptions.url ?? "unknown";
      this.requests.inc({ route, status: reply.statusCode });
      this.latency.observe({ route }, reply.elapsedTime / 1000);
      done();
    });
  }
}
