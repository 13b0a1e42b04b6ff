import t from "tap";
import { closestMatch, editDistance } from "../../src/config/suggest.js";

t.test("edit distance", async (t) => {
  t.equal(editDistance("", ""), 0);
  t.equal(editDistance("mtu", "mtuu"), 1);
  t.equal(editDistance("kitten", "sitting"), 3);
  t.equal(editDistance("abc", ""), 3);
});

t.test("closest match within a third of the word", async (t) => {
  const keys = ["enabled", "interface", "mtu", "port", "filters"];
  t.equal(closestMatch("mtuu", keys), "mtu");
  t.equal(closestMatch("Interfce", keys), "interface", "case-insensitive");
  t.equal(closestMatch("enable", keys), "enabled");
  t.equal(closestMatch("address", keys), undefined, "nothing close");
  t.equal(closestMatch("pt", keys), undefined, "short words allow one edit only");
});
