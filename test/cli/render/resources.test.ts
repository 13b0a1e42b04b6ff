import t from "tap";
import { plainPalette } from "../../../src/cli/render/color.js";
import {
  renderAffiliates,
  renderEndpoints,
  renderIdentity,
  renderMembers,
  renderPeerSpecs,
  renderPeerStatuses,
} from "../../../src/cli/render/resources.js";
import { FIXTURE_NOW, loadFakeData } from "../fixtures.js";
import { matchGolden } from "../golden.js";

const data = loadFakeData();
const ctx = { now: FIXTURE_NOW, palette: plainPalette };

t.test("identity", async (t) => {
  matchGolden(t, "get-identity.txt", renderIdentity(data.status.identity!));
});

t.test("merged affiliates", async (t) => {
  matchGolden(t, "get-affiliates.txt", renderAffiliates(data.affiliates, false));
});

t.test("raw affiliates lead with the registry they came from", async (t) => {
  matchGolden(t, "get-affiliates-raw.txt", renderAffiliates(data.rawAffiliates, true));
});

t.test("members", async (t) => {
  matchGolden(t, "get-members.txt", renderMembers(data.members));
});

t.test("peer statuses use the same table as status", async (t) => {
  matchGolden(t, "get-peers.txt", renderPeerStatuses(data.status.peers, ctx));
});

t.test("peer specs", async (t) => {
  matchGolden(t, "get-peerspecs.txt", renderPeerSpecs(data.peerSpecs));
});

t.test("endpoints", async (t) => {
  matchGolden(t, "get-endpoints.txt", renderEndpoints(data.endpoints));
});

t.test("empty lists say so instead of printing a bare header", async (t) => {
  t.equal(renderAffiliates([], false), "No affiliates found.\n");
  t.equal(renderMembers([]), "No members found.\n");
  t.equal(renderPeerStatuses([], ctx), "No peers found.\n");
  t.equal(renderPeerSpecs([]), "No peer specs found.\n");
  t.equal(renderEndpoints([]), "No endpoints found.\n");
});
