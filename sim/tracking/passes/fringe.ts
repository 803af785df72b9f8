/**
 * Thin fringe maps at the ends of thick magnets, as pyAT applies them.
 *
 * Bend edge (pyAT edge_fringe_entrance/exit, FringeBendEntrance = 1): linear thin kicks,
 *   px += x h tan(e),  py −= y h tan(e − ψ/(1+δ)),  ψ = h gap fint (1 + sin²e)/cos e
 * with gap the FULL gap (= 2 hgap); ψ = 0 unless fint and gap are set. The horizontal kick is
 * δ-independent (canonical px). Same form at the exit with e2, fintx. No radiation.
 *
 * Quadrupole fringe (pyAT QuadFringePassP/N, hard-edge Lee-Whiting / Forest, "Beam Dynamics: a
 * new attitude and framework", eq. 13.29): with u = b1/(12(1+δ)), gx = u(x² + 3y²)x,
 * gy = u(y² + 3x²)y and the incoming coordinates on every right-hand side,
 *   x += gx, y −= gy, px += 3u(2xy py − (x² + y²)px), py −= 3u(2xy px − (x² + y²)py),
 *   cτ −= (gy py − gx px)/(1+δ)
 * at the entrance; at the exit b1 → −b1 (all five signs reversed).
 */

export function bendEdge(r: Float64Array, i: number, h: number, fx: number, e: number, psi: number): void {
  const fy = psi === 0 ? fx : h * Math.tan(e - psi / (1 + r[i + 4]));
  r[i + 1] += r[i] * fx;
  r[i + 3] -= r[i + 2] * fy;
}

/** Lee-Whiting quadrupole fringe; sign = +1 at the entrance, −1 at the exit. */
export function quadFringe(r: Float64Array, i: number, b1: number, sign: number): void {
  const x = r[i];
  const px = r[i + 1];
  const y = r[i + 2];
  const py = r[i + 3];
  const p = 1 + r[i + 4];
  const u = (sign * b1) / (12 * p);
  const x2 = x * x;
  const y2 = y * y;
  const xy = x * y;
  const gx = u * (x2 + 3 * y2) * x;
  const gy = u * (y2 + 3 * x2) * y;
  r[i] = x + gx;
  r[i + 1] = px + 3 * u * (2 * xy * py - (x2 + y2) * px);
  r[i + 2] = y - gy;
  r[i + 3] = py - 3 * u * (2 * xy * px - (x2 + y2) * py);
  r[i + 5] -= (gy * py - gx * px) / p;
}
