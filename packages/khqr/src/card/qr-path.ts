/**
 * An SVG path drawing the dark modules of a QR matrix, one rectangle per horizontal run, in a
 * `0 0 size size` viewBox: compact, crisp at any scale, no image from anywhere.
 */
export function qrPath(modules: readonly (readonly boolean[])[]): string {
  let d = '';
  modules.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x++;
      d += `M${start} ${y}h${x - start}v1h${start - x}z`;
    }
  });
  return d;
}
