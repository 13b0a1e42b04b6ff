// Loads the JSON fixtures (the generated messages' JSON form) for renderer
// golden tests and for the fake daemon behind the command tests.
import { readFileSync } from "node:fs";
import {
  AffiliateList,
  EndpointList,
  MemberList,
  PeerSpecList,
  Status,
} from "../../src/gen/kubespan/v1/api.js";
import type { FakeData } from "../api/fake-source.js";

export const FIXTURE_NOW = Date.parse("2026-03-01T12:00:00Z");

function json(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

export function loadStatus(name = "status.json"): Status {
  return Status.fromJSON(json(name));
}

export function loadFakeData(): FakeData {
  return {
    status: loadStatus(),
    affiliates: AffiliateList.fromJSON(json("affiliates.json")).items,
    rawAffiliates: AffiliateList.fromJSON(json("affiliates-raw.json")).items,
    members: MemberList.fromJSON(json("members.json")).items,
    peerSpecs: PeerSpecList.fromJSON(json("peerspecs.json")).items,
    endpoints: EndpointList.fromJSON(json("endpoints.json")).items,
  };
}
