// What a shell needs to complete kubespanctl, read off the commander command
// tree so completion never drifts from the real commands and options.
import type { Command, Option } from "commander";

export interface CompletionSpec {
  program: string;
  /** Per command path ("" for the top level, "/get" for `get`): the words to offer. */
  commands: { path: string; words: string[] }[];
  /** Flags that consume the next word, which is then not a subcommand. */
  valueFlags: string[];
  /** The value after `flag` in command `path`: fixed choices, or a file name. */
  values: { path: string; flag: string; choices: string[] | "files" }[];
}

// Everything lands unquoted in a shell script: allow only plain words.
const SAFE_WORD = /^[A-Za-z0-9][A-Za-z0-9._-]*$|^--?[A-Za-z0-9][A-Za-z0-9-]*$/;

function safe(word: string): string {
  if (!SAFE_WORD.test(word)) throw new Error(`completion: "${word}" is not a plain word`);
  return word;
}

function flagsOf(option: Option): string[] {
  return [option.short, option.long].filter((flag): flag is string => flag !== undefined).map(safe);
}

export function completionTree(program: Command): CompletionSpec {
  const spec: CompletionSpec = { program: safe(program.name()), commands: [], values: [], valueFlags: [] };
  // Options of the top-level command are accepted after any subcommand too.
  const visit = (command: Command, path: string, inherited: readonly Option[]) => {
    const options = [...inherited, ...command.options.filter((option) => !option.hidden)];
    const children = command.commands.map((child) => safe(child.name()));
    const argumentWords = command.registeredArguments.flatMap((argument) => argument.argChoices ?? []);
    const optionWords = options.flatMap(flagsOf);
    spec.commands.push({
      path,
      words: [...children, ...argumentWords.map(safe), ...optionWords, "--help"],
    });
    for (const option of options) {
      if (option.isBoolean()) continue;
      for (const flag of flagsOf(option)) {
        if (!spec.valueFlags.includes(flag)) spec.valueFlags.push(flag);
        spec.values.push({ path, flag, choices: option.argChoices?.map(safe) ?? "files" });
      }
    }
    // --version is only meaningful on its own, so subcommands do not offer it.
    const passedOn = path === "" ? options.filter((option) => option.long !== "--version") : inherited;
    for (const child of command.commands) visit(child, `${path}/${child.name()}`, passedOn);
  };
  visit(program, "", []);
  return spec;
}
