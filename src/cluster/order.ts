// Byte-wise string ordering, as Go compares strings.
//
// Node IDs decide overlap winners (kubespan-node §6.3) and raw-record IDs
// decide merge order (§5.2), so the order must match Go's byte comparison of
// UTF-8 exactly: never localeCompare, and not JavaScript's `<` either, which
// compares UTF-16 code units and sorts U+E000..U+FFFF after astral characters.

/** Compares the UTF-8 encodings of `a` and `b` byte by byte. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

// Moves surrogates (0xD800..0xDFFF, i.e. code points ≥ 0x10000) above
// 0xE000..0xFFFF, which makes code-unit order equal code-point order, and
// code-point order is UTF-8 byte order.
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
