import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import t, { type Test } from "tap";
import { runCli } from "../../src/cli/main.js";
import { tempDir } from "../api/harness.js";
import { matchGolden } from "./golden.js";
import { testIO } from "./test-io.js";

async function script(shell: "bash" | "zsh"): Promise<string> {
  const { io, stdout } = testIO();
  const code = await runCli(["completion", shell], io);
  if (code !== 0) throw new Error(`completion ${shell} exited ${code}`);
  return stdout.text;
}

function hasShell(shell: string): boolean {
  return spawnSync(shell, ["-c", "true"]).status === 0;
}

/** Runs `body` in `shell` after loading the completion script; returns stdout lines. */
function runShell(t: Test, shell: string, scriptText: string, body: string): string[] {
  const file = join(tempDir(t), `completion.${shell}`);
  writeFileSync(file, scriptText);
  const result = spawnSync(shell, ["-c", `${body.replace("LOAD", `source ${file}`)}`], { encoding: "utf8" });
  t.equal(result.stderr, "", `${shell} printed no errors`);
  return result.stdout.split("\n").filter((line) => line !== "");
}

t.test("the scripts match their golden files", async (t) => {
  matchGolden(t, "completion.bash", await script("bash"));
  matchGolden(t, "completion.zsh", await script("zsh"));
});

t.test("bash completes commands, resources, option values and files", async (t) => {
  const text = await script("bash");
  const complete = (...words: string[]) =>
    runShell(
      t,
      "bash",
      text,
      `LOAD; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; ` +
        `_kubespanctl; printf '%s\\n' "\${COMPREPLY[@]}"`,
    );
  t.same(complete("kubespanctl", "st"), ["status"]);
  t.same(complete("kubespanctl", "get", "pe"), ["peers", "peerspecs"]);
  t.same(complete("kubespanctl", "get", "peers", "-o", ""), ["table", "json", "yaml"]);
  t.same(complete("kubespanctl", "get", "peers", "--w"), ["--watch"]);
  t.same(complete("kubespanctl", "completion", ""), ["bash", "zsh", "--socket", "--help"]);
  // The word after --socket is its value, not a subcommand.
  t.same(complete("kubespanctl", "--socket", "get", "l"), ["leave"]);
  const dir = tempDir(t);
  writeFileSync(join(dir, "kubespand.sock"), "");
  t.same(
    complete("kubespanctl", "--socket", `${dir}/kube`),
    [`${dir}/kubespand.sock`],
    "file names for --socket",
  );
});

t.test(
  "zsh offers the same words",
  { skip: hasShell("zsh") ? false : "zsh is not installed on this machine" },
  async (t) => {
    const text = await script("zsh");
    // Stand-ins for the completion system's builtins: print what would be offered.
    const stubs = `compdef() { :; }; compadd() { shift; print -l -- "$@"; }; _files() { print -- '<files>'; }`;
    const complete = (...words: string[]) =>
      runShell(
        t,
        "zsh",
        text,
        `${stubs}; LOAD; words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; _kubespanctl`,
      );
    t.same(complete("kubespanctl", "get", ""), [
      "identity",
      "affiliates",
      "members",
      "peers",
      "peerspecs",
      "endpoints",
      "--socket",
      "-o",
      "--output",
      "--raw",
      "-w",
      "--watch",
      "--help",
    ]);
    t.same(complete("kubespanctl", "status", "--output", ""), ["table", "json", "yaml"]);
    t.same(complete("kubespanctl", "--socket", ""), ["<files>"]);
    t.same(complete("kubespanctl", "--socket", "leave", "leave", ""), ["--socket", "-y", "--yes", "--help"]);
  },
);
