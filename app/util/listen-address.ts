/**
 * `HOST:PORT` (or `[IPv6]:PORT`) as an operator writes a listening address on the command line
 * (`--metrics-listen 127.0.0.1:9464`): parsed once for the API and the crank alike.
 */
import { isIP } from "net";

export interface ListenAddress {
  host: string;
  /** 0 lets the system pick a free port. */
  port: number;
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Throws a `RangeError` whose message names what is wrong with `text`. */
export function parseListenAddress(text: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  if (!match || host === undefined) {
    throw new RangeError(`expected HOST:PORT, e.g. 127.0.0.1:9464 (got ${text})`);
  }
  if (match[1] !== undefined ? isIP(host) !== 6 : isIP(host) === 0 && !HOST_NAME.test(host)) {
    throw new RangeError(`${host} is not an IP address or host name (got ${text})`);
  }
  const port = Number(match[3]);
  if (port > 65_535) throw new RangeError(`port must be 0-65535 (got ${text})`);
  return { host, port };
}
