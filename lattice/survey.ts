/**
 * Floor coordinates of a lattice, as MAD-X SURVEY computes them (MAD-X user guide, "Survey";
 * src/survey.f90, routines SUELEM / SUMTRX / SUANGL), and the closure error of a ring.
 *
 * Conventions (the same as MAD-X):
 * - Global axes X, Y, Z: the beam starts at (X0, Y0, Z0) travelling along +Z when θ = φ = ψ = 0;
 *   Y is up. θ is the azimuth (rotation about Y), φ the elevation (about X), ψ the roll (about Z).
 * - The frame W at a point is the 3×3 matrix whose columns are the local x, y, s axes expressed in
 *   floor coordinates: W = Θ(θ)·Φ(φ)·Ψ(ψ) (MAD-X SUMTRX). Moving through an element of local
 *   displacement R and rotation S: V ← V + W·R, W ← W·S.
 * - A bend of angle α > 0 bends towards −x (to the right looking along the beam), so θ DEcreases:
 *   a ring of positive bends ends at θ = −2π. Its arc has radius ρ = L/α (L the arc length; an
 *   rbend's arc is its chord × (α/2)/sin(α/2), see `arcLength`), R = (ρ(cos α − 1), 0, ρ sin α) and
 *   S = rotation about the local y axis by −α.
 * - A bend with roll `tilt` rotates its bend plane about s: R → T·R, S → T·S·Tᵀ with
 *   T = rotation about s by +tilt (tilt = π/2 makes a vertical bend; MAD-X SUELEM).
 * - θ and ψ are kept continuous from one point to the next (MAD-X PROXIM), so they are not
 *   wrapped to (−π, π].
 * - Every other element is straight: R = (0, 0, L), S = 1. A thin `multipole` with knl[0] ≠ 0 is a
 *   kick in this code base (see elements.ts), not a bend of the reference orbit, so it does not move
 *   the floor coordinates (MAD-X, unlike here, bends the survey by knl[0] for MULTIPOLE).
 */
import { arcLength, type Element } from './elements.ts';
import { expandPeriods, type Lattice } from './lattice.ts';

export interface SurveyStart {
  x?: number; y?: number; z?: number;
  theta?: number; phi?: number; psi?: number;
}

export interface Survey {
  /** The elements surveyed, in beam order: the whole ring (all periods) unless `onePeriod` was asked. */
  readonly elements: readonly Element[];
  /** Number of points = elements.length + 1: point i is the entrance of element i, point i+1 its exit. */
  readonly n: number;
  /** Path length at each point [m]. */
  readonly s: Float64Array;
  /** Floor coordinates at each point [m]. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  /** Survey angles at each point [rad] (θ, ψ continuous, see the conventions above). */
  readonly theta: Float64Array;
  readonly phi: Float64Array;
  readonly psi: Float64Array;
  /** Frame W at each point, 9 numbers per point, row-major: W[r][c] = frames[9·i + 3·r + c]. */
  readonly frames: Float64Array;
  /**
   * Difference between the last point and the first: the distance [m] and the rotation angle [rad]
   * between the two frames. For a closed ring both are zero up to rounding; for a transfer line they
   * are simply its end-to-start offset.
   */
  readonly closure: { readonly distanceM: number; readonly angleRad: number };
}

/** Local displacement (R) and rotation (S, row-major) of one element, written into scratch arrays. */
function elementMotion(e: Element, r: Float64Array, sm: Float64Array): void {
  const L = arcLength(e);
  const angle = e.type === 'sbend' || e.type === 'rbend' ? e.angle : 0;
  r[0] = 0; r[1] = 0; r[2] = L;
  sm.fill(0); sm[0] = 1; sm[4] = 1; sm[8] = 1;
  if (angle === 0) return;
  const tilt = (e as { tilt?: number }).tilt ?? 0;
  bendMotion(L, angle, tilt, r, sm);
}

/**
 * Displacement and rotation along an arc of length L turning by `angle` in the plane rolled by
 * `tilt` (used for whole bends and for points inside a bend).
 */
function bendMotion(L: number, angle: number, tilt: number, r: Float64Array, sm: Float64Array): void {
  const ca = Math.cos(angle), sa = Math.sin(angle);
  // (cos α − 1)/α written without cancellation: −2 sin²(α/2)/α.
  const sh = Math.sin(angle / 2);
  const dx = angle === 0 ? 0 : (L * (-2 * sh * sh)) / angle;
  const ds = angle === 0 ? L : (L * sa) / angle;
  const ct = Math.cos(tilt), st = Math.sin(tilt);
  r[0] = dx * ct; r[1] = dx * st; r[2] = ds;
  // S = T · Ry(−α) · Tᵀ (MAD-X SUELEM), row-major.
  sm[0] = ca * ct * ct + st * st;
  sm[3] = (ca - 1) * ct * st;
  sm[6] = sa * ct;
  sm[1] = sm[3];
  sm[4] = ca * st * st + ct * ct;
  sm[7] = sa * st;
  sm[2] = -sm[6];
  sm[5] = -sm[7];
  sm[8] = ca;
}

/** W from the survey angles (MAD-X SUMTRX), row-major into out[off..off+9]. */
function frameFromAngles(theta: number, phi: number, psi: number, out: Float64Array, off: number): void {
  const ct = Math.cos(theta), st = Math.sin(theta);
  const cf = Math.cos(phi), sf = Math.sin(phi);
  const cp = Math.cos(psi), sp = Math.sin(psi);
  out[off + 0] = ct * cp - st * sf * sp;
  out[off + 1] = -ct * sp - st * sf * cp;
  out[off + 2] = st * cf;
  out[off + 3] = cf * sp;
  out[off + 4] = cf * cp;
  out[off + 5] = sf;
  out[off + 6] = -st * cp - ct * sf * sp;
  out[off + 7] = st * sp - ct * sf * cp;
  out[off + 8] = ct * cf;
}

/** The value of `a` + 2πk closest to `near` (MAD-X PROXIM). */
function proxim(a: number, near: number): number {
  return a + 2 * Math.PI * Math.round((near - a) / (2 * Math.PI));
}

/** Survey angles from a frame (MAD-X SUANGL); θ and ψ continued from the previous values. */
function anglesFromFrame(w: Float64Array, off: number, prevTheta: number, prevPsi: number): [number, number, number] {
  const phi = Math.atan2(w[off + 5], Math.hypot(w[off + 3], w[off + 4]));
  const theta = proxim(Math.atan2(w[off + 2], w[off + 8]), prevTheta);
  const psi = proxim(Math.atan2(w[off + 3], w[off + 4]), prevPsi);
  return [theta, phi, psi];
}

/**
 * Floor coordinates at every element entrance and exit. By default the whole ring is surveyed (a
 * lattice of periodicity p is expanded to its p periods), so that the closure is that of the ring.
 */
export function survey(lat: Lattice, opts: { start?: SurveyStart; onePeriod?: boolean } = {}): Survey {
  const elements = opts.onePeriod ? lat.elements : expandPeriods(lat).elements;
  const n = elements.length + 1;
  const s = new Float64Array(n), x = new Float64Array(n), y = new Float64Array(n), z = new Float64Array(n);
  const theta = new Float64Array(n), phi = new Float64Array(n), psi = new Float64Array(n);
  const frames = new Float64Array(9 * n);
  const st = opts.start ?? {};
  x[0] = st.x ?? 0; y[0] = st.y ?? 0; z[0] = st.z ?? 0;
  theta[0] = st.theta ?? 0; phi[0] = st.phi ?? 0; psi[0] = st.psi ?? 0;
  frameFromAngles(theta[0], phi[0], psi[0], frames, 0);

  const r = new Float64Array(3), sm = new Float64Array(9);
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    elementMotion(e, r, sm);
    const a = 9 * i, b = 9 * (i + 1);
    // V ← V + W·R
    x[i + 1] = x[i] + frames[a] * r[0] + frames[a + 1] * r[1] + frames[a + 2] * r[2];
    y[i + 1] = y[i] + frames[a + 3] * r[0] + frames[a + 4] * r[1] + frames[a + 5] * r[2];
    z[i + 1] = z[i] + frames[a + 6] * r[0] + frames[a + 7] * r[1] + frames[a + 8] * r[2];
    // W ← W·S
    for (let row = 0; row < 3; row++) {
      for (let col = 0; col < 3; col++) {
        frames[b + 3 * row + col] =
          frames[a + 3 * row] * sm[col] + frames[a + 3 * row + 1] * sm[3 + col] + frames[a + 3 * row + 2] * sm[6 + col];
      }
    }
    s[i + 1] = s[i] + arcLength(e);
    [theta[i + 1], phi[i + 1], psi[i + 1]] = anglesFromFrame(frames, b, theta[i], psi[i]);
  }

  const last = n - 1;
  const distanceM = Math.hypot(x[last] - x[0], y[last] - y[0], z[last] - z[0]);
  const angleRad = rotationAngleBetween(frames, 0, frames, 9 * last);
  return { elements, n, s, x, y, z, theta, phi, psi, frames, closure: { distanceM, angleRad } };
}

/**
 * Angle of the rotation W0ᵀ·W1 between two frames [rad], from its axis vector and trace
 * (atan2 keeps full precision near 0, where acos((tr − 1)/2) would lose half the digits).
 */
function rotationAngleBetween(w0: Float64Array, o0: number, w1: Float64Array, o1: number): number {
  const m = new Float64Array(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      m[3 * r + c] = w0[o0 + r] * w1[o1 + c] + w0[o0 + 3 + r] * w1[o1 + 3 + c] + w0[o0 + 6 + r] * w1[o1 + 6 + c];
    }
  }
  const ax = m[7] - m[5], ay = m[2] - m[6], az = m[3] - m[1];
  const sin2 = Math.hypot(ax, ay, az); // = 2 sin(angle)
  const cos2 = m[0] + m[4] + m[8] - 1; // = 2 cos(angle)
  return Math.atan2(sin2, cos2);
}

/** A point on the reference orbit in floor coordinates. */
export interface FloorPoint {
  /** Path length [m] (wrapped into [0, total length] for a ring). */
  s: number;
  x: number; y: number; z: number;
  theta: number; phi: number; psi: number;
  /** Unit tangent (beam direction) in floor coordinates: the third column of the frame. */
  tangent: [number, number, number];
  /** Unit local x axis (horizontal, pointing to the outside of a ring of positive bends): first column. */
  normal: [number, number, number];
  /** Index of the element that contains this point (the one whose entrance ≤ s < exit). */
  elementIndex: number;
}

/**
 * Position and direction at any s, exact along the arcs of bends. `s` beyond the end (or below 0)
 * wraps around when `ring` is true (the default), which is what the 3D view needs to place a photon
 * beamline on the tangent of a straight or a bend.
 */
export function surveyAt(sv: Survey, sM: number, ring = true): FloorPoint {
  const total = sv.s[sv.n - 1];
  if (!Number.isFinite(sM)) throw new RangeError(`surveyAt: s must be a finite number (got ${sM})`);
  let s = sM;
  if (ring && total > 0) s = ((s % total) + total) % total;
  if (s < 0 || s > total) throw new RangeError(`surveyAt: s = ${sM} m is outside the line [0, ${total}] m`);
  // Binary search for the element with s[i] ≤ s < s[i+1]; zero-length elements are skipped over.
  let lo = 0, hi = sv.n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (sv.s[mid] <= s) lo = mid;
    else hi = mid;
  }
  const i = Math.min(lo, sv.elements.length - 1);
  const e = sv.elements[i];
  const u = s - sv.s[i];
  const r = new Float64Array(3), sm = new Float64Array(9);
  const angle = e.type === 'sbend' || e.type === 'rbend' ? e.angle : 0;
  const L = arcLength(e);
  if (angle !== 0 && L > 0) {
    bendMotion(u, (angle * u) / L, (e as { tilt: number }).tilt ?? 0, r, sm);
  } else {
    r[0] = 0; r[1] = 0; r[2] = u;
    sm.fill(0); sm[0] = 1; sm[4] = 1; sm[8] = 1;
  }
  const a = 9 * i;
  const f = sv.frames;
  const w = new Float64Array(9);
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      w[3 * row + col] = f[a + 3 * row] * sm[col] + f[a + 3 * row + 1] * sm[3 + col] + f[a + 3 * row + 2] * sm[6 + col];
    }
  }
  const [theta, phi, psi] = anglesFromFrame(w, 0, sv.theta[i], sv.psi[i]);
  return {
    s,
    x: sv.x[i] + f[a] * r[0] + f[a + 1] * r[1] + f[a + 2] * r[2],
    y: sv.y[i] + f[a + 3] * r[0] + f[a + 4] * r[1] + f[a + 5] * r[2],
    z: sv.z[i] + f[a + 6] * r[0] + f[a + 7] * r[1] + f[a + 8] * r[2],
    theta, phi, psi,
    tangent: [w[2], w[5], w[8]],
    normal: [w[0], w[3], w[6]],
    elementIndex: i,
  };
}

/**
 * The floor point at an element found by name (the first of that name): its entrance, centre or
 * exit. E.g. `surveyAtElement(sv, 'LS08')` is the centre of long straight 8 of the built-in ring,
 * where the photon beam of BL08U leaves along `tangent`.
 */
export function surveyAtElement(sv: Survey, name: string, where: 'entrance' | 'centre' | 'exit' = 'centre'): FloorPoint {
  const i = sv.elements.findIndex((e) => e.name === name);
  if (i < 0) throw new RangeError(`surveyAtElement: no element named '${name}'`);
  const s0 = sv.s[i], s1 = sv.s[i + 1];
  const s = where === 'entrance' ? s0 : where === 'exit' ? s1 : (s0 + s1) / 2;
  const p = surveyAt(sv, s, false);
  // A zero-length element shares its s with its neighbours: report it as the element found.
  return s1 === s0 ? { ...p, elementIndex: i } : p;
}
