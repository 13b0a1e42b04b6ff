// Shared inputs for the configuration parser tests.
import { ConfigError, parseConfig } from "../../src/config/index.js";

export const SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString("base64");
export const MINIMAL = `clusterID: my-cluster
clusterSecret: ${SECRET}
discovery:
  endpoints: ["https://discovery.talos.dev/"]
`;

export const noFiles = (path: string): string => {
  throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
};

export function parse(text: string) {
  return parseConfig(text, "config.yaml", { hostname: "Web-1.example.com", readFile: noFiles });
}

/** The ConfigError message for `text`; fails when it parses. */
export function errorOf(text: string): string {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error("expected a ConfigError");
}
