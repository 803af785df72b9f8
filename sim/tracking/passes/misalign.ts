/**
 * Misalignment of a magnet, pyAT's T1/R1 (entrance) and R2/T2 (exit) convention: a magnet moved
 * by (dx, dy) and rolled by tilt θ about s. Entrance: x −= dx, y −= dy, then rotate the
 * transverse coordinates into the magnet frame,
 *   x' = C x + S y, px' = C px + S py, y' = −S x + C y, py' = −S px + C py  (C = cos θ, S = sin θ);
 * exit: the inverse rotation, then x += dx, y += dy. δ and cτ are unchanged (no longitudinal
 * offset or pitch/yaw are modelled).
 */

export function misalignIn(r: Float64Array, i: number, dx: number, dy: number, c: number, s: number): void {
  const x = r[i] - dx;
  const px = r[i + 1];
  const y = r[i + 2] - dy;
  const py = r[i + 3];
  r[i] = c * x + s * y;
  r[i + 1] = c * px + s * py;
  r[i + 2] = -s * x + c * y;
  r[i + 3] = -s * px + c * py;
}

export function misalignOut(r: Float64Array, i: number, dx: number, dy: number, c: number, s: number): void {
  const x = r[i];
  const px = r[i + 1];
  const y = r[i + 2];
  const py = r[i + 3];
  r[i] = c * x - s * y + dx;
  r[i + 1] = c * px - s * py;
  r[i + 2] = s * x + c * y + dy;
  r[i + 3] = s * px + c * py;
}
