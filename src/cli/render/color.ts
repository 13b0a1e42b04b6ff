// A few ANSI colours for terminal output. Colour is on only when writing to a
// terminal and NO_COLOR is unset or empty (https://no-color.org).

export interface Palette {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  bold(text: string): string;
}

const ESC = "\x1b";
const wrap = (code: number) => (text: string) => `${ESC}[${code}m${text}${ESC}[0m`;
const plain = (text: string) => text;

export const colorPalette: Palette = { green: wrap(32), red: wrap(31), yellow: wrap(33), bold: wrap(1) };
export const plainPalette: Palette = { green: plain, red: plain, yellow: plain, bold: plain };

export function shouldColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  return isTTY && !env.NO_COLOR;
}

/** Colours a state word: healthy green, failed red, undecided yellow. */
export function colorState(palette: Palette, state: string): string {
  switch (state) {
    case "up":
    case "connected":
      return palette.green(state);
    case "down":
    case "backoff":
    case "stopped":
      return palette.red(state);
    case "unknown":
    case "connecting":
      return palette.yellow(state);
    default:
      return state;
  }
}

const ANSI_SEQUENCE = new RegExp(`${ESC}\\[[0-9;]*m`, "g");

export function stripColor(text: string): string {
  return text.replace(ANSI_SEQUENCE, "");
}

/** Width of the text as a terminal shows it (escape sequences take no room). */
export function visibleWidth(text: string): number {
  return stripColor(text).length;
}
