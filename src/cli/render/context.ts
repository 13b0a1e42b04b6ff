import type { Palette } from "./color.js";

/** Everything a renderer needs besides the data: rendering stays a pure function. */
export interface RenderContext {
  /** Unix milliseconds used for "12s ago". */
  now: number;
  palette: Palette;
}
