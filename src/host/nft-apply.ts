// Applying the nftables plan with the `nft` tool: compare the table the kernel
// has with the one the plan wants, and replace it in one transaction only when
// they differ. Other tables are only ever read.
import { CommandError, runCommand } from "./exec.js";
import { sameShape, shapeFromListing } from "./nft-state.js";
import { deleteScript, expectedShape, type NftPlan, replaceScript } from "./nftables.js";

export interface NftOptions {
  binary: string;
}

const DEFAULT: NftOptions = { binary: "nft" };

/** Replaces the table when it differs from the plan; resolves with whether it did. */
export async function applyNftables(plan: NftPlan, options: NftOptions = DEFAULT): Promise<boolean> {
  const current = await readTableListing(plan.table, options);
  const shape = current === undefined ? undefined : shapeFromListing(current, plan.table);
  if (shape && sameShape(shape, expectedShape(plan))) return false;
  await nft(options, ["-f", "-"], replaceScript(plan));
  return true;
}

/** Deletes the table; resolves with false when there was none. */
export async function deleteNftTable(table: string, options: NftOptions = DEFAULT): Promise<boolean> {
  if ((await readTableListing(table, options)) === undefined) return false;
  await nft(options, ["-f", "-"], deleteScript(table));
  return true;
}

/** `nft -j list ruleset`, for the conflict check. */
export async function listRuleset(options: NftOptions = DEFAULT): Promise<unknown> {
  return JSON.parse(await nft(options, ["-j", "list", "ruleset"]));
}

async function readTableListing(table: string, options: NftOptions): Promise<unknown | undefined> {
  const result = await runCommand(options.binary, ["-j", "list", "table", "inet", table]);
  if (result.code !== 0) {
    if (/No such file or directory/.test(result.stderr)) return undefined;
    throw new CommandError(`nft -j list table inet ${table} failed: ${result.stderr.trim()}`);
  }
  return JSON.parse(result.stdout);
}

async function nft(options: NftOptions, args: string[], input?: string): Promise<string> {
  const result = await runCommand(options.binary, args, input === undefined ? {} : { input });
  if (result.code !== 0) {
    throw new CommandError(`nft ${args.join(" ")} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}
