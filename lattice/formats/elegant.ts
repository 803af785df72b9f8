/**
 * elegant lattice files (`.lte`, M. Borland, APS LS-287): reader and writer.
 *
 * The reader follows elegant's own parser (get_beamline.c, mad_parse.c, cfgets.c):
 * - `!` starts a comment (outside double quotes); a line ending in `&` continues on the next;
 *   outside quotes, white space is removed and the text is upper-cased, so unquoted names and
 *   parameter names are case-insensitive while quoted names keep their case.
 * - `% <rpn>` lines run elegant's RPN calculator (rpn.ts): `% 0.5 sto L1`. A numeric parameter
 *   value that does not start with a digit, `.`, `+` or `-` is an RPN expression: quoted
 *   (`K1="KQ 1.01 *"`, case kept) or bare (`K1=KQ`, upper-cased as elegant does).
 * - `#include: file` reads another file through `opts.readFile` (relative to the including file).
 * - `NAME: TYPE, P=V, ...` defines an element; TYPE may be abbreviated or extended as elegant
 *   allows (`SBEND` = SBEN, `DRIFT` = DRIF); `NAME: OTHER, P=V` copies a defined element.
 * - `NAME: LINE=(A, 2*B, -C, 3*(D,E))` defines a line from elements and lines defined BEFORE it
 *   (elegant expands a line where it is defined). `-X` reflects X; as in elegant, a reflected
 *   bend has its entrance and exit edges (e1/e2, fint/fintx, quadrupole fringes) exchanged.
 * - The line used is `opts.use`, else a `USE,NAME` statement, else the last LINE defined
 *   (elegant's USE_BEAMLINE lives in the .ele file). A used line that is exactly `(N*X)` is read
 *   as N periods of X (Lattice.periodicity = N, elements = one X); anything else is one period.
 * - A .lte file has no beam energy: the `nanoterasu-lattice` pragma of a file we wrote, else
 *   `opts.energyEV`, else 3 GeV with a warning.
 *
 * Element mapping (elegant → ours), conventions written where they are applied in `convert`:
 *   DRIF EDRIFT CSRDRIFT LSCDRIFT → drift;  SBEN CSBEND CSRCSBEND KSBEND NIBEND → sbend;
 *   RBEN (and CRBEND, accepted as a CSBEND-like rectangular bend) → rbend;  QUAD KQUAD →
 *   quadrupole;  SEXT KSEXT → sextupole;  OCTU KOCT → octupole;  MULT → multipole;
 *   HKICK EHKICK → hkicker;  VKICK EVKICK → vkicker;  KICKER EKICKER → kicker;
 *   RFCA RFCW → rfcavity;  MARK WATCH → marker;  MONI HMON VMON → monitor;
 *   RCOL ECOL MAXAMP → aperture.  Every other type (WIGGLER, CWIGGLER, UKICKMAP, SOLE, MATR,
 *   MALIGN, ...) becomes a drift (L > 0) or a marker and is listed in the warnings, as is every
 *   parameter set to a value we do not model (e.g. FSE of a bend, H1, K4, J1, B2, DZ).
 *
 * Writer: one definition per distinct element, lines of names, `String(x)` numbers. Whatever
 * elegant cannot express exactly is carried in a comment pragma on the line before the definition,
 *     ! nanoterasu: {"k1s":0.01,"fringeQuadEntrance":1}
 * whose JSON fields (our field names, SI units) override what the definition maps to; the lattice
 * itself carries `! nanoterasu-lattice: {"name":..,"energyEV":..,"particle":..,"periodicity":16,
 * "line":"RING","period":"CELL"}` and is written as `CELL: LINE=(...)`, `RING: LINE=(16*CELL)`.
 * elegant ignores the pragmas (they are comments); this reader applies them, so that
 * read → write → read gives the same lattice number for number.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ELEMENT_FIELDS, LatticeError, makeElement, type Element, type ElementType, type Origin } from '../elements.ts';
import { makeLattice, periodLength, type Lattice } from '../lattice.ts';
import { rigidityTm, C_LIGHT, restEnergyEV, type Particle } from '../../sim/constants.ts';
import type { LatticeFormat, LoadResult, ParseOptions } from './index.ts';
import { RpnMachine } from './rpn.ts';

/** Beam energy used when neither the file nor the caller gives one [eV]. */
const DEFAULT_ENERGY_EV = 3e9;
/** A line may expand to at most this many elements (guards against exponential nesting). */
const MAX_LINE_ELEMENTS = 2_000_000;
/** elegant's limit on nested #include files (MAX_FILE_NESTING in get_beamline.c). */
const MAX_INCLUDE_DEPTH = 10;

/** elegant's element type names in its own order (track_data.c entity_name), for abbreviation matching. */
const ENTITY_NAMES = (
  'LINE QUAD SBEN RBEN DRIF SEXT OCTU MULT SOLE HKICK VKICK RFCA ELSE HMON VMON MONI RCOL ECOL MARK ' +
  'MATR ALPH RFDF RFTMEZ0 RMDF TMCF CEPL WATCH TWPL MALIGN TWLA PEPPOT ENERGY MAXAMP ROTATE TRCOUNT ' +
  'RECIRC QUFRINGE SCRAPER CENTER BUMPER KSEXT KSBEND KQUAD MAGNIFY SAMPLE KICKER SCATTER NIBEND KPOLY ' +
  'NISEPT RAMPRF RAMPP STRAY CSBEND TWMTA MATTER RFMODE TRFMODE ZLONGIT SREFFECTS MODRF BMAPXY ' +
  'ZTRANSVERSE IBSCATTER FMULT WAKE TRWAKE TUBEND CHARGE PFILTER HISTOGRAM CSRCSBEND CSRDRIFT RFCW ' +
  'REMCOR MAPSOLENOID REFLECT CLEAN TWISS WIGGLER SCRIPT FLOOR LTHINLENS LMIRROR EMATRIX FRFMODE ' +
  'FTRFMODE TFBPICKUP TFBDRIVER LSCDRIFT DSCATTER LSRMDLTR POLYSERIES RFTM110 CWIGGLER EDRIFT SCMULT ' +
  'ILMATRIX TSCATTER KQUSE UKICKMAP MBUMPER EMITTANCE MHISTOGRAM FTABLE KOCT RIMULT GFWIGGLER MRFDF ' +
  'CORGPIPE LRWAKE EHKICK EVKICK EKICKER BMXYZ BRAT BGGEXP BRANCH IONEFFECTS SLICE SPEEDBUMP CCBEND ' +
  'HKPOLY BOFFAXE APCONTOUR TAPERAPC TAPERAPE TAPERAPR SHRFDF GKICKMAP BEAMBEAM CPICKUP CKICKER LGBEND ' +
  'CORGPLATES BEDGE'
).split(' ');
const COMMANDS = ['USE', 'TITLE', 'RETURN', 'RENAME'];

/**
 * Parameters of the types we map (elegant track_data.c; `#` = integer, `$` = string).
 * Unknown parameters of these types are errors, as in elegant.
 */
const PARAMS_SRC: Record<string, string> = {
  QUAD: 'L K1 TILT PITCH YAW DX DY DZ FSE HKICK VKICK HCALIBRATION VCALIBRATION HSTEERING# VSTEERING# ORDER# EDGE1_EFFECTS# EDGE2_EFFECTS# FRINGE_TYPE$ FFRINGE LEFFECTIVE I0P I1P I2P I3P LAMBDA2P I0M I1M I2M I3M LAMBDA2M RADIAL# MALIGN_METHOD#',
  SBEN: 'L ANGLE K1 E1 E2 TILT K2 H1 H2 HGAP FINT DX DY DZ FSE FSE_DIPOLE FSE_QUADRUPOLE ETILT ETILT_SIGN# EDGE1_EFFECTS# EDGE2_EFFECTS# ORDER# EDGE_ORDER# TRANSPORT# USE_BN# B1 B2',
  RBEN: 'L ANGLE K1 E1 E2 TILT K2 H1 H2 HGAP FINT DX DY DZ FSE FSE_DIPOLE FSE_QUADRUPOLE ETILT ETILT_SIGN# EDGE1_EFFECTS# EDGE2_EFFECTS# ORDER# EDGE_ORDER# TRANSPORT# USE_BN# B1 B2',
  DRIF: 'L ORDER#',
  SEXT: 'L K2 K1 J1 TILT DX DY DZ FSE FFRINGE ORDER#',
  OCTU: 'L K3 TILT DX DY DZ FSE ORDER#',
  MULT: 'L KNL TILT BORE BTIPL DX DY DZ FACTOR ORDER# SYNCH_RAD# EXPAND_HAMILTONIAN# MATRIX_ORDER# N_SLICES# N_KICKS#',
  HKICK: 'L KICK TILT B2 CALIBRATION EDGE_EFFECTS# ORDER# STEERING# SYNCH_RAD# ISR# LERAD',
  VKICK: 'L KICK TILT B2 CALIBRATION EDGE_EFFECTS# ORDER# STEERING# SYNCH_RAD# ISR# LERAD',
  RFCA: 'L VOLT PHASE FREQ Q PHASE_REFERENCE# CHANGE_P0# CHANGE_T# FIDUCIAL$ END1_FOCUS# END2_FOCUS# STANDING_WAVE# BODY_FOCUS_MODEL$ N_KICKS# DX DY T_REFERENCE LINEARIZE# LOCK_PHASE#',
  HMON: 'L DX DY WEIGHT TILT CALIBRATION SETPOINT ORDER# READOUT$ CO_FITPOINT# STORE_TURN_BY_TURN#',
  VMON: 'L DX DY WEIGHT TILT CALIBRATION SETPOINT ORDER# READOUT$ CO_FITPOINT# STORE_TURN_BY_TURN#',
  MONI: 'L DX DY WEIGHT TILT XCALIBRATION YCALIBRATION XSETPOINT YSETPOINT ORDER# XREADOUT$ YREADOUT$ CO_FITPOINT# STORE_TURN_BY_TURN#',
  RCOL: 'L X_MAX Y_MAX DX DY OPEN_SIDE$ INVERT#',
  ECOL: 'L X_MAX Y_MAX DX DY OPEN_SIDE$ EXPONENT# YEXPONENT# INVERT#',
  MARK: 'DX DY FITPOINT#',
  WATCH: 'FRACTION START_PID# END_PID# INTERVAL# START_PASS# END_PASS# FILENAME$ LABEL$ MODE$ X_DATA# Y_DATA# LONGIT_DATA# EXCLUDE_SLOPES# FLUSH_INTERVAL# SPARSE_INTERVAL# DISABLE# USE_DISCONNECT# INDEX_OFFSET# REFERENCE_FREQUENCY AUTO_REFERENCE#',
  MAXAMP: 'X_MAX Y_MAX ELLIPTICAL# EXPONENT# YEXPONENT# OPEN_SIDE$',
  KICKER: 'L HKICK VKICK TILT B2 HCALIBRATION VCALIBRATION EDGE_EFFECTS# ORDER# STEERING# SYNCH_RAD# ISR# LERAD',
  KSEXT: 'L K2 K1 J1 TILT PITCH YAW BORE B N_KICKS# N_SLICES# DX DY DZ FSE HKICK VKICK HCALIBRATION VCALIBRATION HSTEERING# VSTEERING# SYNCH_RAD# SYSTEMATIC_MULTIPOLES$ EDGE_MULTIPOLES$ RANDOM_MULTIPOLES$ STEERING_MULTIPOLES$ SYSTEMATIC_MULTIPOLE_FACTOR RANDOM_MULTIPOLE_FACTOR STEERING_MULTIPOLE_FACTOR MIN_NORMAL_ORDER# MIN_SKEW_ORDER# MAX_NORMAL_ORDER# MAX_SKEW_ORDER# INTEGRATION_ORDER# SQRT_ORDER# ISR# ISR1PART# EXPAND_HAMILTONIAN# MALIGN_METHOD#',
  KOCT: 'L K3 TILT PITCH YAW BORE B DX DY DZ FSE N_KICKS# N_SLICES# SYSTEMATIC_MULTIPOLES$ RANDOM_MULTIPOLES$ INTEGRATION_ORDER# SQRT_ORDER# SYNCH_RAD# ISR# ISR1PART# EXPAND_HAMILTONIAN# MALIGN_METHOD#',
  KSBEND: 'L ANGLE K1 K2 K3 K4 E1 E2 TILT H1 H2 HGAP FINT DX DY DZ FSE ETILT N_KICKS# NONLINEAR# SYNCH_RAD# EDGE1_EFFECTS# EDGE2_EFFECTS# EDGE_ORDER# PARAXIAL# TRANSPORT# METHOD$',
  KQUAD: 'L K1 TILT PITCH YAW BORE B DX DY DZ FSE N_KICKS# N_SLICES# HKICK VKICK HCALIBRATION VCALIBRATION HSTEERING# VSTEERING# SYNCH_RAD# SYSTEMATIC_MULTIPOLES$ EDGE_MULTIPOLES$ RANDOM_MULTIPOLES$ STEERING_MULTIPOLES$ SYSTEMATIC_MULTIPOLE_FACTOR RANDOM_MULTIPOLE_FACTOR STEERING_MULTIPOLE_FACTOR MIN_NORMAL_ORDER# MIN_SKEW_ORDER# MAX_NORMAL_ORDER# MAX_SKEW_ORDER# INTEGRATION_ORDER# SQRT_ORDER# ISR# ISR1PART# SR_IN_ORDINARY_MATRIX# EDGE1_EFFECTS# EDGE2_EFFECTS# LEFFECTIVE I0P I1P I2P I3P LAMBDA2P I0M I1M I2M I3M LAMBDA2M EDGE1_LINEAR# EDGE2_LINEAR# EDGE1_NONLINEAR_FACTOR EDGE2_NONLINEAR_FACTOR RADIAL# EXPAND_HAMILTONIAN# TRACKING_MATRIX# MALIGN_METHOD#',
  NIBEND: 'L ANGLE E1 E2 TILT DX DY DZ FINT HGAP FP1 FP2 FP3 FP4 FSE ETILT ACCURACY MODEL$ METHOD$ SYNCH_RAD# ADJUST_BOUNDARY# ADJUST_FIELD# FUDGE_PATH_LENGTH# FRINGE_POSITION#',
  CSBEND: 'L ANGLE K1 K2 K3 K4 K5 K6 K7 K8 E1 E2 TILT H1 H2 HGAP FINT FINT1 FINT2 FRINGE1K0 FRINGE1K1 FRINGE1K2 FRINGE1K3 FRINGE1K4 FRINGE1K5 FRINGE1K6 FRINGE2K0 FRINGE2K1 FRINGE2K2 FRINGE2K3 FRINGE2K4 FRINGE2K5 FRINGE2K6 DX DY DZ XKICK YKICK FSE FSE_DIPOLE FSE_QUADRUPOLE ETILT EPITCH EYAW N_SLICES# N_KICKS# ETILT_SIGN# NONLINEAR# SYNCH_RAD# SR_IN_ORDINARY_MATRIX# EDGE1_EFFECTS# EDGE2_EFFECTS# EDGE_ORDER# INTEGRATION_ORDER# EXPAND_HAMILTONIAN# EDGE1_KICK_LIMIT EDGE2_KICK_LIMIT KICK_LIMIT_SCALING# USE_BN# EXPANSION_ORDER# B1 B2 B3 B4 B5 B6 B7 B8 XREFERENCE F1 F2 F3 F4 F5 F6 F7 F8 G1 G2 G3 G4 G5 G6 G7 G8 ISR# ISR1PART# SQRT_ORDER# USE_RAD_DIST# ADD_OPENING_ANGLE# PHOTON_OUTPUT_FILE$ PHOTON_LOW_ENERGY_CUTOFF REFERENCE_CORRECTION# TRACKING_MATRIX# FSE_CORRECTION# MALIGN_METHOD# XSTEERING# YSTEERING#',
  CSRCSBEND: 'L ANGLE K1 K2 K3 K4 K5 K6 K7 K8 E1 E2 TILT H1 H2 HGAP FINT DX DY DZ FSE ETILT N_SLICES# N_KICKS# ETILT_SIGN# NONLINEAR# LINEARIZE# SYNCH_RAD# EDGE1_EFFECTS# EDGE2_EFFECTS# EDGE_ORDER# INTEGRATION_ORDER# BINS# BIN_ONCE# BIN_RANGE_FACTOR SG_HALFWIDTH# SG_ORDER# SGDERIV_HALFWIDTH# SGDERIV_ORDER# TRAPAZOID_INTEGRATION# OUTPUT_FILE$ OUTPUT_INTERVAL# OUTPUT_LAST_WAKE_ONLY# STEADY_STATE# IGF# USE_BN# EXPANSION_ORDER# B1 B2 B3 B4 B5 B6 B7 B8 ISR# ISR1PART# CSR# BLOCK_CSR# DERBENEV_CRITERION_MODE$ PARTICLE_OUTPUT_FILE$ PARTICLE_OUTPUT_INTERVAL# SLICE_ANALYSIS_INTERVAL# LOW_FREQUENCY_CUTOFF0 LOW_FREQUENCY_CUTOFF1 HIGH_FREQUENCY_CUTOFF0 HIGH_FREQUENCY_CUTOFF1 CLIP_NEGATIVE_BINS# WAKE_FILTER_FILE$ WFF_FREQ_COLUMN$ WFF_REAL_COLUMN$ WFF_IMAG_COLUMN$',
  CSRDRIFT: 'L ATTENUATION_LENGTH DZ N_KICKS# SPREAD# USE_OVERTAKING_LENGTH# OL_MULTIPLIER CSR# USE_SALDIN54# SALDIN54POINTS# SALDIN54NORM_MODE$ SPREAD_MODE$ WAVELENGTH_MODE$ BUNCHLENGTH_MODE$ SALDIN54_OUTPUT$ USE_STUPAKOV# STUPAKOV_OUTPUT$ STUPAKOV_OUTPUT_INTERVAL# SLICE_ANALYSIS_INTERVAL# LINEARIZE# LSC_INTERPOLATE# LSC_BINS# LSC_LOW_FREQUENCY_CUTOFF0 LSC_LOW_FREQUENCY_CUTOFF1 LSC_HIGH_FREQUENCY_CUTOFF0 LSC_HIGH_FREQUENCY_CUTOFF1 LSC_RADIUS_FACTOR',
  RFCW: 'L CELL_LENGTH VOLT PHASE FREQ Q PHASE_REFERENCE# CHANGE_P0# CHANGE_T# FIDUCIAL$ END1_FOCUS# END2_FOCUS# STANDING_WAVE# BODY_FOCUS_MODEL$ N_KICKS# ZWAKE# TRWAKE# WAKEFILE$ ZWAKEFILE$ TRWAKEFILE$ TCOLUMN$ WXCOLUMN$ WYCOLUMN$ WZCOLUMN$ N_BINS# INTERPOLATE# SMOOTHING# SG_HALFWIDTH# SG_ORDER# DX DY T_REFERENCE LINEARIZE# LSC# LSC_BINS# LSC_INTERPOLATE# LSC_LOW_FREQUENCY_CUTOFF0 LSC_LOW_FREQUENCY_CUTOFF1 LSC_HIGH_FREQUENCY_CUTOFF0 LSC_HIGH_FREQUENCY_CUTOFF1 LSC_RADIUS_FACTOR WAKES_AT_END#',
  LSCDRIFT: 'L LEFFECTIVE BINS# SMOOTHING# SG_HALFWIDTH# SG_ORDER# INTERPOLATE# LSC# AUTO_LEFFECTIVE# LOW_FREQUENCY_CUTOFF0 LOW_FREQUENCY_CUTOFF1 HIGH_FREQUENCY_CUTOFF0 HIGH_FREQUENCY_CUTOFF1 RADIUS_FACTOR',
  EDRIFT: 'L',
  EHKICK: 'L KICK TILT DX DY DZ CALIBRATION LERAD STEERING# SYNCH_RAD# ISR# MATRIX_ORDER# STEERING_MULTIPOLES$ RANDOM_MULTIPOLES$ RANDOM_MULTIPOLE_FACTOR STEERING_MULTIPOLE_FACTOR',
  EVKICK: 'L KICK TILT DX DY DZ CALIBRATION LERAD STEERING# SYNCH_RAD# ISR# MATRIX_ORDER# STEERING_MULTIPOLES$ RANDOM_MULTIPOLES$ RANDOM_MULTIPOLE_FACTOR STEERING_MULTIPOLE_FACTOR',
  EKICKER: 'L HKICK VKICK TILT DX DY DZ HCALIBRATION VCALIBRATION LERAD STEERING# SYNCH_RAD# ISR# MATRIX_ORDER# STEERING_MULTIPOLES$ RANDOM_MULTIPOLES$ RANDOM_MULTIPOLE_FACTOR STEERING_MULTIPOLE_FACTOR',
};
PARAMS_SRC.CRBEND = PARAMS_SRC.CSBEND;

type ParamKind = 'number' | 'int' | 'string';
const PARAMS: Record<string, Map<string, ParamKind>> = {};
for (const [t, src] of Object.entries(PARAMS_SRC)) {
  const m = new Map<string, ParamKind>();
  for (const w of src.split(' ')) {
    if (w.endsWith('$')) m.set(w.slice(0, -1), 'string');
    else if (w.endsWith('#')) m.set(w.slice(0, -1), 'int');
    else m.set(w, 'number');
  }
  PARAMS[t] = m;
}

/** Our element type for each elegant type we model. */
const FAMILY: Record<string, ElementType> = {
  DRIF: 'drift', EDRIFT: 'drift', CSRDRIFT: 'drift', LSCDRIFT: 'drift',
  SBEN: 'sbend', CSBEND: 'sbend', CSRCSBEND: 'sbend', KSBEND: 'sbend', NIBEND: 'sbend',
  RBEN: 'rbend', CRBEND: 'rbend',
  QUAD: 'quadrupole', KQUAD: 'quadrupole',
  SEXT: 'sextupole', KSEXT: 'sextupole',
  OCTU: 'octupole', KOCT: 'octupole',
  MULT: 'multipole',
  HKICK: 'hkicker', EHKICK: 'hkicker', VKICK: 'vkicker', EVKICK: 'vkicker', KICKER: 'kicker', EKICKER: 'kicker',
  RFCA: 'rfcavity', RFCW: 'rfcavity',
  MARK: 'marker', WATCH: 'marker',
  MONI: 'monitor', HMON: 'monitor', VMON: 'monitor',
  RCOL: 'aperture', ECOL: 'aperture', MAXAMP: 'aperture',
};

/** elegant defaults that are not zero (track_data.c), for the "value not modelled" warnings. */
const NONZERO_DEFAULT: Record<string, number> = {
  FINT: 0.5, FINT1: -1, FINT2: -1, FREQ: 500e6, FACTOR: 1, CALIBRATION: 1, HCALIBRATION: 1,
  VCALIBRATION: 1, XCALIBRATION: 1, YCALIBRATION: 1, EDGE1_EFFECTS: 1, EDGE2_EFFECTS: 1,
  INTEGRATION_ORDER: 4, EXPONENT: 2, LEFFECTIVE: -1, WEIGHT: 1, T_REFERENCE: -1, ETILT_SIGN: 1,
  NONLINEAR: 1, EDGE_ORDER: 1, STEERING: 1, ISR1PART: 1, ADD_OPENING_ANGLE: 1, CSR: 1,
  EDGE1_LINEAR: 1, EDGE2_LINEAR: 1, EDGE1_NONLINEAR_FACTOR: 1, EDGE2_NONLINEAR_FACTOR: 1,
  SYSTEMATIC_MULTIPOLE_FACTOR: 1, RANDOM_MULTIPOLE_FACTOR: 1, STEERING_MULTIPOLE_FACTOR: 1,
  MIN_NORMAL_ORDER: -1, MIN_SKEW_ORDER: -1, MAX_NORMAL_ORDER: -1, MAX_SKEW_ORDER: -1,
  EDGE1_KICK_LIMIT: -1, EDGE2_KICK_LIMIT: -1, FP1: 10, ADJUST_BOUNDARY: 1, FUDGE_PATH_LENGTH: 1,
};

/**
 * Parameters with no effect on the single-particle lattice model (numerics, diagnostics,
 * radiation switches, collective effects, output files): never warned about.
 */
const NEUTRAL = new Set((
  'ORDER EDGE_ORDER SYNCH_RAD ISR ISR1PART INTEGRATION_ORDER NONLINEAR SQRT_ORDER EXPAND_HAMILTONIAN ' +
  'USE_RAD_DIST ADD_OPENING_ANGLE PHOTON_OUTPUT_FILE PHOTON_LOW_ENERGY_CUTOFF WEIGHT CO_FITPOINT ' +
  'STORE_TURN_BY_TURN READOUT XREADOUT YREADOUT SETPOINT XSETPOINT YSETPOINT STEERING HSTEERING ' +
  'VSTEERING XSTEERING YSTEERING MALIGN_METHOD TRANSPORT MATRIX_ORDER SR_IN_ORDINARY_MATRIX ' +
  'TRACKING_MATRIX REFERENCE_CORRECTION FSE_CORRECTION LERAD PHASE_REFERENCE FIDUCIAL CHANGE_T ' +
  'LOCK_PHASE T_REFERENCE FITPOINT ETILT_SIGN EDGE1_KICK_LIMIT EDGE2_KICK_LIMIT KICK_LIMIT_SCALING ' +
  'PARAXIAL METHOD MODEL ACCURACY INTEGRATION_ORDER N_KICKS N_SLICES GROUP Q LINEARIZE BORE ' +
  'SYSTEMATIC_MULTIPOLE_FACTOR RANDOM_MULTIPOLE_FACTOR STEERING_MULTIPOLE_FACTOR MIN_NORMAL_ORDER ' +
  'MIN_SKEW_ORDER MAX_NORMAL_ORDER MAX_SKEW_ORDER EDGE1_LINEAR EDGE2_LINEAR EDGE1_NONLINEAR_FACTOR ' +
  'EDGE2_NONLINEAR_FACTOR RADIAL ADJUST_BOUNDARY ADJUST_FIELD FUDGE_PATH_LENGTH FRINGE_POSITION ' +
  'FP1 FP2 FP3 FP4 USE_BN EXPANSION_ORDER CALIBRATION XCALIBRATION YCALIBRATION'
).split(' '));
/** Types whose extra parameters are all collective-effect or diagnostic settings. */
const ALL_EXTRA_NEUTRAL = new Set(['CSRCSBEND', 'CSRDRIFT', 'LSCDRIFT', 'RFCW', 'WATCH', 'MARK']);

// ------------------------------------------------------------------------------------------------
// Source text → statements
// ------------------------------------------------------------------------------------------------

interface Pos { line: number; col: number }

/** One logical statement (continuations joined) with the source position of every character. */
interface Stmt {
  /** Text after elegant's clean-up: comments removed; for non-RPN statements white space outside quotes removed. */
  s: string;
  pos: Pos[];
  file?: string;
  rpn: boolean;
  /** A `! nanoterasu:` pragma on the line(s) just before it. */
  pragma?: { json: string; at: Origin };
}

const PRAGMA = /^\s*!\s*nanoterasu(-lattice)?\s*:(.*)$/;

interface RawDef {
  name: string;
  /** elegant type as matched (e.g. CSBEND), or the unmatched word for unknown types. */
  type: string;
  known: boolean;
  params: Map<string, { value: number | string; at: Origin }>;
  at: Origin;
  pragma?: Record<string, unknown>;
  pragmaAt?: Origin;
}
interface Ref { def: RawDef; flipped: boolean }
interface LineDef {
  name: string;
  refs: Ref[];
  at: Origin;
  /** Set when the body is a single `N*X` (N > 1): the line is N periods of X. */
  period?: { times: number; refs: Ref[] };
}

class Reader {
  readonly rpn = new RpnMachine();
  readonly elements = new Map<string, RawDef>();
  readonly lines = new Map<string, LineDef>();
  lastLine?: LineDef;
  useName?: { name: string; at: Origin };
  latticePragma?: Record<string, unknown>;
  readonly warnings: string[] = [];
  private returned = false;

  constructor(readonly opts: ParseOptions) {}

  processFile(text: string, file: string | undefined, depth: number): void {
    const physical = text.split(/\r?\n|\r/);
    let cur: Stmt | undefined;
    let pendingPragma: Stmt['pragma'];
    for (let i = 0; i < physical.length && !this.returned; i++) {
      const raw = physical[i];
      const lineNo = i + 1;
      if (!cur) {
        const trimmed = raw.replace(/^\s+/, '');
        if (trimmed.startsWith('!')) {
          const m = PRAGMA.exec(raw);
          if (m) {
            const at = { file, line: lineNo, column: raw.indexOf('!') + 1 };
            if (m[1]) this.latticePragmaFrom(m[2], at);
            else pendingPragma = { json: m[2], at };
          }
          continue;
        }
        cur = { s: '', pos: [], file, rpn: trimmed.startsWith('%') };
      } else if (/^\s*!/.test(raw)) {
        continue; // comment lines inside a continued statement are skipped, as cfgets does
      }
      const cont = appendLine(cur, raw, lineNo);
      if (cont) continue;
      const st = cur;
      cur = undefined;
      if (st.s.trim() === '') continue;
      if (pendingPragma && !st.rpn) {
        st.pragma = pendingPragma;
        pendingPragma = undefined;
      }
      this.statement(st, depth);
    }
    if (cur && cur.s.trim() !== '' && !this.returned) this.statement(cur, depth);
  }

  private latticePragmaFrom(json: string, at: Origin): void {
    this.latticePragma = parsePragma(json, at);
  }

  private statement(st: Stmt, depth: number): void {
    const at0 = where(st, 0);
    if (st.rpn) {
      const pct = st.s.indexOf('%');
      this.rpn.run(st.s.slice(pct + 1), at0, (off) => where(st, pct + 1 + off));
      return;
    }
    const s = st.s;
    if (s.startsWith('#')) {
      const m = /^#include:?(.*)$/i.exec(s);
      if (!m) {
        this.warnings.push(`${fmtAt(at0)}statement '${s}' not recognised (ignored)`);
        return;
      }
      this.include(unquote(m[1]), st, depth);
      return;
    }
    // NAME: ...   (the first ':' outside quotes)
    const colon = indexOutsideQuotes(s, ':');
    if (colon < 0) {
      if (st.pragma) this.warnings.push(`${fmtAt(st.pragma.at)}nanoterasu pragma before a command ignored`);
      this.command(st);
      return;
    }
    const nameRaw = s.slice(0, colon);
    if (nameRaw === '') throw new LatticeError('missing name before \':\'', at0);
    if (nameRaw.startsWith('"') && (!nameRaw.endsWith('"') || nameRaw.length < 2)) {
      throw new LatticeError('unbalanced quotes in a name', at0);
    }
    const name = normName(nameRaw);
    if (name === '' || /["()=,]/.test(name) && !nameRaw.startsWith('"')) {
      throw new LatticeError(`bad name '${nameRaw}'`, at0);
    }
    // the type: up to the next ',' or '=' outside quotes
    let k = colon + 1;
    let j = k;
    while (j < s.length && s[j] !== ',' && s[j] !== '=') j++;
    const typeWord = s.slice(k, j).toUpperCase();
    const atType = where(st, k);
    if (typeWord === '') throw new LatticeError(`element '${name}': missing element type after ':'`, atType);
    const type = matchType(typeWord, atType);
    if (type === 'LINE') {
      if (s[j] !== '=') throw new LatticeError(`line '${name}': expected '=' after LINE`, where(st, j));
      if (st.pragma) this.warnings.push(`${fmtAt(st.pragma.at)}nanoterasu pragma before a LINE ignored`);
      this.defineLine(name, st, j + 1, at0);
      return;
    }
    if (type !== undefined && COMMANDS.includes(type)) {
      throw new LatticeError(`'${type}' is a command, not an element type`, atType);
    }
    if (this.lines.has(name)) throw new LatticeError(`element '${name}' has the name of a line defined before`, at0);
    const copyOf = type === undefined ? this.elements.get(normName(s.slice(k, j))) : undefined;
    let def: RawDef;
    if (type !== undefined) {
      def = { name, type, known: true, params: this.parseParams(st, j, type, true), at: at0 };
    } else if (copyOf) {
      // NAME: OTHER, P=V — a copy of a defined element with some parameters changed
      const merged = new Map(copyOf.params);
      for (const [p, v] of this.parseParams(st, j, copyOf.type, copyOf.known)) merged.set(p, v);
      let pragma = copyOf.pragma;
      if (pragma && 'name' in pragma) pragma = Object.fromEntries(Object.entries(pragma).filter(([key]) => key !== 'name'));
      def = { name, type: copyOf.type, known: copyOf.known, params: merged, at: at0, pragma, pragmaAt: copyOf.pragmaAt };
    } else {
      this.warnings.push(`${fmtAt(atType)}element '${name}': unknown element type '${typeWord}' (not an elegant type); treated as a drift/marker`);
      def = { name, type: typeWord, known: false, params: this.parseParams(st, j, typeWord, false), at: at0 };
    }
    if (st.pragma) {
      def.pragma = parsePragma(st.pragma.json, st.pragma.at);
      def.pragmaAt = st.pragma.at;
    }
    if (this.elements.has(name)) this.warnings.push(`${fmtAt(at0)}element '${name}' defined again; later lines use the new definition`);
    this.elements.set(name, def);
  }

  private include(path: string, st: Stmt, depth: number): void {
    const at = where(st, 0);
    if (path === '') throw new LatticeError('#include needs a file name', at);
    if (depth + 1 > MAX_INCLUDE_DEPTH) throw new LatticeError(`#include nested more than ${MAX_INCLUDE_DEPTH} deep`, at);
    const full = st.file && !isAbsolute(path) ? join(dirname(st.file), path) : path;
    const read = this.opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
    let text: string;
    try {
      text = read(full);
    } catch (err) {
      if (err instanceof LatticeError) throw err;
      throw new LatticeError(`cannot read included file '${full}' (${(err as Error).message})`, at);
    }
    this.processFile(text, full, depth + 1);
  }

  private command(st: Stmt): void {
    const s = st.s;
    const at = where(st, 0);
    const comma = indexOutsideQuotes(s, ',');
    const word = (comma < 0 ? s : s.slice(0, comma)).toUpperCase();
    const type = matchCommand(word);
    if (type === 'RETURN') {
      this.returned = true;
      return;
    }
    if (type === 'TITLE') return;
    if (type === 'USE') {
      const arg = comma < 0 ? '' : s.slice(comma + 1);
      if (arg === '') throw new LatticeError('USE needs a line name', at);
      this.useName = { name: normName(arg.replace(/^(PERIOD|SEQUENCE)=/i, '')), at: where(st, comma + 1) };
      return;
    }
    if (type === 'RENAME') {
      this.warnings.push(`${fmtAt(at)}RENAME is not supported (ignored)`);
      return;
    }
    throw new LatticeError(`malformed statement '${s.length > 60 ? s.slice(0, 60) + '…' : s}' (expected NAME: TYPE, ... or NAME: LINE=(...))`, at);
  }

  /** Parses `,P=V,P=V` from index j of the statement. */
  private parseParams(st: Stmt, j: number, type: string, known: boolean): RawDef['params'] {
    const s = st.s;
    const out: RawDef['params'] = new Map();
    const table = PARAMS[type];
    let i = j;
    while (i < s.length) {
      if (s[i] !== ',') throw new LatticeError(`expected ',' before '${s.slice(i, i + 20)}'`, where(st, i));
      i++;
      if (i >= s.length) break; // a trailing comma
      let e = i;
      let inQ = false;
      while (e < s.length && (inQ || s[e] !== ',')) {
        if (s[e] === '"') inQ = !inQ;
        e++;
      }
      if (inQ) throw new LatticeError('unbalanced double quotes', where(st, i));
      const item = s.slice(i, e);
      const eq = item.indexOf('=');
      const at = where(st, i);
      if (item === '') { i = e; continue; }
      if (eq <= 0) throw new LatticeError(`expected PARAMETER=value (got '${item}')`, at);
      const pname = item.slice(0, eq).toUpperCase();
      const vtext = item.slice(eq + 1);
      const atV = where(st, i + eq + 1);
      if (vtext === '') throw new LatticeError(`missing value for parameter ${pname}`, atV);
      let canonical = pname;
      let kind: ParamKind = 'number';
      if (table) {
        const k = table.get(pname) ?? findSkippingUnderscores(table, pname);
        if (pname === 'GROUP') kind = 'string';
        else if (k === undefined) {
          throw new LatticeError(`unknown parameter ${pname} for ${type} (known: ${[...table.keys()].join(', ')})`, at);
        } else {
          canonical = table.get(pname) ? pname : [...table.keys()].find((x) => x.replace(/_/g, '') === pname.replace(/_/g, ''))!;
          kind = k;
        }
      } else if (!known) {
        // unmodelled or unknown type: only its length matters to us; other values are kept as text
        kind = pname === 'L' ? 'number' : 'string';
      } else {
        kind = pname === 'L' ? 'number' : 'string';
      }
      const vAt = i + eq + 1;
      const locate = (off: number) => where(st, vAt + (vtext.startsWith('"') ? 1 : 0) + off);
      out.set(canonical, { value: kind === 'string' ? unquote(vtext) : this.value(vtext, kind, atV, canonical, locate), at: atV });
      i = e;
    }
    return out;
  }

  /** A numeric parameter value: a number, or an RPN expression (elegant parse_element). */
  private value(v: string, kind: ParamKind, at: Origin, pname: string, locate: (offset: number) => Origin): number {
    let x: number;
    if (/^[-+.\d]/.test(v)) {
      x = Number(v);
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) || Number.isNaN(x)) {
        throw new LatticeError(`parameter ${pname}: '${v}' is not a number (write an RPN expression in double quotes)`, at);
      }
    } else if (v.startsWith('"')) {
      if (!v.endsWith('"') || v.length < 2) throw new LatticeError(`parameter ${pname}: unbalanced double quotes`, at);
      x = this.rpn.evaluate(v.slice(1, -1), at, locate);
    } else {
      // elegant upper-cases unquoted text before evaluating it
      x = this.rpn.evaluate(v.toUpperCase(), at, locate);
    }
    if (!Number.isFinite(x)) throw new LatticeError(`parameter ${pname} evaluates to ${x}`, at);
    return kind === 'int' ? Math.trunc(x) : x;
  }

  private defineLine(name: string, st: Stmt, start: number, at: Origin): void {
    const s = st.s;
    let i = start;
    if (s[i] !== '(') throw new LatticeError(`line '${name}': expected '(' after LINE=`, where(st, i));
    const parseList = (): Ref[] => {
      // at '('
      i++;
      const out: Ref[] = [];
      if (s[i] === ')') { i++; return out; }
      for (;;) {
        let reversed = false;
        let times = 1;
        const itemAt = i;
        if (s[i] === '-') { reversed = true; i++; }
        const m = /^(\d+)\*/.exec(s.slice(i, i + 24));
        if (m) {
          times = Number(m[1]);
          i += m[0].length;
        }
        let refs: Ref[];
        if (s[i] === '(') {
          refs = parseList();
        } else {
          let e = i;
          if (s[e] === '"') {
            e = s.indexOf('"', e + 1);
            if (e < 0) throw new LatticeError(`line '${name}': unbalanced double quotes`, where(st, i));
            e++;
          } else {
            while (e < s.length && !',()'.includes(s[e])) e++;
          }
          const raw = s.slice(i, e);
          if (raw === '' || raw === '""') throw new LatticeError(`line '${name}': expected a name`, where(st, i));
          if (raw.includes('*') && !raw.startsWith('"')) {
            throw new LatticeError(`line '${name}': bad item '${raw}' (write N*NAME with a whole number N)`, where(st, itemAt));
          }
          const nm = normName(raw);
          refs = this.resolve(nm, name, where(st, i));
          i = e;
        }
        if (reversed) refs = refs.map((r) => ({ def: r.def, flipped: !r.flipped })).reverse();
        if (times !== 1) {
          if (refs.length * times > MAX_LINE_ELEMENTS) {
            throw new LatticeError(`line '${name}' expands to more than ${MAX_LINE_ELEMENTS} elements`, where(st, itemAt));
          }
          const once = refs;
          refs = [];
          for (let t = 0; t < times; t++) for (const r of once) refs.push(r);
        }
        if (out.length + refs.length > MAX_LINE_ELEMENTS) {
          throw new LatticeError(`line '${name}' expands to more than ${MAX_LINE_ELEMENTS} elements`, where(st, itemAt));
        }
        for (const r of refs) out.push(r);
        if (s[i] === ',') { i++; continue; }
        if (s[i] === ')') { i++; return out; }
        throw new LatticeError(
          i >= s.length ? `line '${name}': missing ')'` : `line '${name}': expected ',' or ')' (got '${s[i]}')`,
          where(st, Math.min(i, s.length)),
        );
      }
    };
    const single = /^\((\d+)\*([^-,()*][^,()*]*)\)$/.exec(s.slice(start));
    const refs = parseList();
    if (i < s.length) throw new LatticeError(`line '${name}': unexpected text after ')': '${s.slice(i, i + 20)}'`, where(st, i));
    if (this.elements.has(name)) throw new LatticeError(`line '${name}' has the name of an element defined before`, at);
    const def: LineDef = { name, refs, at };
    if (single && Number(single[1]) > 1) def.period = { times: Number(single[1]), refs: this.resolve(normName(single[2]), name, at) };
    if (this.lines.has(name)) this.warnings.push(`${fmtAt(at)}line '${name}' defined again; the new definition is used from here on`);
    this.lines.set(name, def);
    this.lastLine = def;
  }

  private resolve(nm: string, inLine: string, at: Origin): Ref[] {
    const el = this.elements.get(nm);
    if (el) return [{ def: el, flipped: false }];
    const ln = this.lines.get(nm);
    if (ln) return ln.refs;
    throw new LatticeError(
      `line '${inLine}': no element or line named '${nm}' is defined before this line (elegant expands a line where it is defined)`,
      at,
    );
  }
}

// ------------------------------------------------------------------------------------------------
// Text helpers
// ------------------------------------------------------------------------------------------------

/** Appends one physical line to a statement (cfgets clean-up); returns true when it continues. */
function appendLine(st: Stmt, raw: string, lineNo: number): boolean {
  let inQ = false;
  const chars: string[] = [];
  const pos: Pos[] = [];
  for (let c = 0; c < raw.length; c++) {
    const ch = raw[c];
    if (ch === '"' && (c === 0 || raw[c - 1] !== '\\')) inQ = !inQ;
    if (!inQ && ch === '!') break;
    if (!st.rpn && !inQ && (ch === ' ' || ch === '\t')) continue;
    chars.push(ch);
    pos.push({ line: lineNo, col: c + 1 });
  }
  // trailing white space and control characters do not hide a continuation '&'
  while (chars.length && /\s/.test(chars[chars.length - 1])) { chars.pop(); pos.pop(); }
  let cont = false;
  if (chars.length && chars[chars.length - 1] === '&' && !inQ) {
    chars.pop();
    pos.pop();
    cont = true;
  }
  st.s += chars.join('');
  st.pos.push(...pos);
  return cont;
}

function where(st: Stmt, i: number): Origin {
  const p = st.pos[Math.min(i, st.pos.length - 1)];
  if (!p) return { file: st.file };
  return { file: st.file, line: p.line, column: i >= st.pos.length ? p.col + 1 : p.col };
}

function fmtAt(at: Origin): string {
  let s = at.file ?? '';
  if (at.line !== undefined) s += `${s ? ':' : 'line '}${at.line}`;
  if (at.column !== undefined) s += `:${at.column}`;
  return s ? s + ': ' : '';
}

function indexOutsideQuotes(s: string, ch: string): number {
  let inQ = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') inQ = !inQ;
    else if (!inQ && s[i] === ch) return i;
  }
  return -1;
}

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** elegant names: quoted text keeps its case, the rest is upper-cased. */
function normName(raw: string): string {
  return raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1) : raw.toUpperCase();
}

function findSkippingUnderscores(table: Map<string, ParamKind>, p: string): ParamKind | undefined {
  const q = p.replace(/_/g, '');
  for (const [k, v] of table) if (k.replace(/_/g, '') === q) return v;
  return undefined;
}

/** elegant's tell_type: a word matches a type when one is a prefix of the other (min length). */
function matchType(word: string, at: Origin): string | undefined {
  if (word === 'CRBEND') return 'CRBEND';
  let found: string | undefined;
  for (const name of [...ENTITY_NAMES, ...COMMANDS]) {
    const n = Math.min(word.length, name.length);
    if (word.slice(0, n) === name.slice(0, n)) {
      if (found !== undefined) {
        throw new LatticeError(`element type '${word}' is ambiguous (${found}, ${name}, ...): give more of the name`, at);
      }
      if (word.length === name.length) return name;
      found = name;
    }
  }
  return found;
}

function matchCommand(word: string): string | undefined {
  for (const c of COMMANDS) {
    const n = Math.min(word.length, c.length);
    if (n > 0 && word.slice(0, n) === c.slice(0, n)) return c;
  }
  return undefined;
}

function parsePragma(json: string, at: Origin): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch (err) {
    throw new LatticeError(`nanoterasu pragma is not valid JSON (${(err as Error).message})`, at);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new LatticeError('nanoterasu pragma must be a JSON object', at);
  return v as Record<string, unknown>;
}

// ------------------------------------------------------------------------------------------------
// elegant element → our element spec
// ------------------------------------------------------------------------------------------------

type Params = Map<string, number | string>;

/**
 * Maps an elegant element to our field names. `notes` collects what is not modelled.
 * Shared by the reader and the writer (which checks with it what the reader will get back).
 */
export function convert(type: string, p: Params, energyEV: number, particle: Particle, notes: string[]): Record<string, unknown> {
  const num = (k: string, def = 0): number => {
    const v = p.get(k);
    return typeof v === 'number' ? v : def;
  };
  const has = (k: string) => typeof p.get(k) === 'number';
  const family = FAMILY[type];
  const used = new Set<string>(['L']);
  const use = (...ks: string[]) => ks.forEach((k) => used.add(k));
  const L = num('L');
  let spec: Record<string, unknown>;
  const misalign = () => {
    use('DX', 'DY', 'TILT');
    return { dx: num('DX'), dy: num('DY'), tilt: num('TILT') };
  };
  /** elegant N_SLICES = full integrator steps = pyAT NumIntSteps; KQUAD/KSEXT/KOCT N_KICKS = kicks (4 per 4th-order step). */
  const steps = (kicksArePerStep: boolean): { nSteps?: number } => {
    use('N_KICKS', 'N_SLICES', 'INTEGRATION_ORDER');
    const nk = num('N_KICKS');
    if (has('N_KICKS') && nk > 0) {
      const order = kicksArePerStep ? 1 : num('INTEGRATION_ORDER', 4);
      return { nSteps: Math.max(1, Math.ceil(nk / (order > 2 ? order : 1))) };
    }
    if (has('N_SLICES') && num('N_SLICES') >= 1) return { nSteps: num('N_SLICES') };
    return {};
  };
  switch (family) {
    case 'drift':
      spec = { type: 'drift', length: L };
      break;
    case 'sbend':
    case 'rbend': {
      use('ANGLE', 'K1', 'K2', 'K3', 'E1', 'E2', 'HGAP', 'FINT', 'FINT1', 'FINT2', 'EDGE1_EFFECTS', 'EDGE2_EFFECTS');
      const hgap = num('HGAP');
      // elegant's FINT defaults to 0.5 and applies to both edges unless FINT1/FINT2 (CSBEND) are ≥ 0.
      // With HGAP = 0 the fringe term vanishes, so an unset FINT is then taken as 0.
      const fintBoth = has('FINT') ? num('FINT') : hgap !== 0 ? 0.5 : 0;
      let fint = has('FINT1') && num('FINT1') >= 0 ? num('FINT1') : fintBoth;
      let fintx = has('FINT2') && num('FINT2') >= 0 ? num('FINT2') : fintBoth;
      let e1 = num('E1');
      let e2 = num('E2');
      // EDGE1_EFFECTS = 0 switches the entrance edge off: no edge focusing at all (e = 0, no fringe).
      if (num('EDGE1_EFFECTS', 1) === 0) { e1 = 0; fint = 0; notes.push('EDGE1_EFFECTS=0: entrance edge off'); }
      if (num('EDGE2_EFFECTS', 1) === 0) { e2 = 0; fintx = 0; notes.push('EDGE2_EFFECTS=0: exit edge off'); }
      spec = {
        type: family, length: L, angle: num('ANGLE'), k1: num('K1'), k2: num('K2'), k3: num('K3'),
        e1, e2, hgap, fint, fintx, ...misalign(),
        ...(type === 'CSBEND' || type === 'CSRCSBEND' || type === 'CRBEND' ? steps(true) : {}),
        ...(type === 'KSBEND' ? steps(true) : {}),
      };
      break;
    }
    case 'quadrupole':
    case 'sextupole':
    case 'octupole': {
      // FSE (fractional strength error) scales every field component of a straight magnet.
      use('K1', 'K2', 'K3', 'FSE', 'B');
      const f = 1 + num('FSE');
      let k1 = num('K1') * f;
      if (type === 'KQUAD' && num('BORE') !== 0 && num('B') !== 0) {
        // KQUAD given by its pole-tip field: K1 = B / (bore · Bρ)
        k1 = (num('B') / num('BORE') / rigidityTm(energyEV, particle)) * f;
      } else if (num('B') !== 0) {
        notes.push('B (pole-tip field) ignored: BORE is zero or not used for this type');
      }
      spec = {
        type: family, length: L, k1, k2: num('K2') * f, k3: num('K3') * f, ...misalign(),
        ...(type.startsWith('K') ? steps(false) : {}),
      };
      break;
    }
    case 'multipole': {
      // elegant MULT: one order n (ORDER, default 1) with integrated strength KNL·FACTOR = Kn·L, as MAD-X knl[n].
      use('KNL', 'ORDER', 'FACTOR');
      const order = Math.trunc(num('ORDER', 1));
      const knl = num('KNL') * num('FACTOR', 1);
      if (order < 0 || order > 20) notes.push(`ORDER=${order} not modelled`);
      const arr: number[] = [];
      if (knl !== 0 && order >= 0 && order <= 20) {
        for (let n = 0; n < order; n++) arr.push(0);
        arr.push(knl);
      }
      spec = { type: 'multipole', length: L, knl: arr, ksl: [], ...misalign(), ...(has('N_SLICES') || has('N_KICKS') ? steps(true) : {}) };
      break;
    }
    case 'hkicker':
    case 'vkicker':
      // elegant KICK [rad] is the angle given to x' (y'), times CALIBRATION, with the sign of MAD HKICKER/VKICKER
      // KICK (elegant's own convert_to_mad8.c writes KICK unchanged).
      use('KICK', 'CALIBRATION');
      spec = { type: family, length: L, kick: num('KICK') * num('CALIBRATION', 1), ...misalign() };
      break;
    case 'kicker':
      use('HKICK', 'VKICK', 'HCALIBRATION', 'VCALIBRATION');
      spec = {
        type: 'kicker', length: L, hkick: num('HKICK') * num('HCALIBRATION', 1),
        vkick: num('VKICK') * num('VCALIBRATION', 1), ...misalign(),
      };
      break;
    case 'rfcavity': {
      // elegant: ΔE = e·VOLT·sin(PHASE + ω Δt), PHASE in degrees, 90° = on crest, a late particle has
      // Δt > 0; a ring above transition runs at PHASE = 180° − φs. Our lag (MAD-X LAG, units of 2π,
      // pyAT phaselag = 2π·lag): δ += −(V/E) sin(ω τ − 2π lag) = (V/E) sin(π − 2π lag + ω τ).
      // Hence PHASE = 180 − 360·lag and lag = (180 − PHASE)/360: PHASE 180° ↔ lag 0 (zero crossing).
      use('VOLT', 'PHASE', 'FREQ');
      spec = {
        type: 'rfcavity', length: L, voltage: num('VOLT'), frequency: num('FREQ', 500e6), harmonic: 0,
        lag: (180 - num('PHASE')) / 360,
      };
      break;
    }
    case 'marker':
      spec = { type: 'marker' };
      if (type === 'MARK') use('DX', 'DY');
      break;
    case 'monitor':
      spec = { type: 'monitor', length: L };
      break;
    case 'aperture': {
      use('X_MAX', 'Y_MAX', 'ELLIPTICAL');
      const shape = type === 'ECOL' || (type === 'MAXAMP' && num('ELLIPTICAL') !== 0) ? 'elliptical' : 'rectangular';
      let x = num('X_MAX');
      let y = num('Y_MAX');
      if (type === 'MAXAMP') notes.push('MAXAMP limits every element downstream in elegant; modelled as one aperture here');
      if (x <= 0 && y <= 0) {
        notes.push('X_MAX and Y_MAX are zero (no limit)');
        spec = L > 0 ? { type: 'drift', length: L } : { type: 'marker' };
        break;
      }
      // elegant: a zero half-aperture means no limit in that plane; we use 1 m (beyond any chamber).
      if (x <= 0) { x = 1; notes.push('X_MAX = 0 (no limit) taken as 1 m'); }
      if (y <= 0) { y = 1; notes.push('Y_MAX = 0 (no limit) taken as 1 m'); }
      spec = { type: 'aperture', length: type === 'MAXAMP' ? 0 : L, shape, xLimit: x, yLimit: y };
      break;
    }
    default:
      notes.push(`${type} is not modelled; becomes a ${L > 0 ? `drift of ${L} m` : 'marker'}`);
      return L > 0 ? { type: 'drift', length: L } : { type: 'marker' };
  }
  // every other parameter set to a value that changes the physics is reported
  if (!ALL_EXTRA_NEUTRAL.has(type)) {
    for (const [k, v] of p) {
      if (used.has(k) || NEUTRAL.has(k) || typeof v !== 'number') continue;
      // KQUAD's EDGE1/2_EFFECTS (quadrupole fringes) default to 0, the bends' edge switches to 1
      const def = type === 'KQUAD' && /^EDGE[12]_EFFECTS$/.test(k) ? 0 : (NONZERO_DEFAULT[k] ?? 0);
      if (v !== def) notes.push(`${k}=${v} not modelled`);
    }
  }
  return spec;
}

/** Fields exchanged when a bend is reflected in a line (elegant swapEdgeIndices). */
const EDGE_PAIRS: [string, string][] = [['e1', 'e2'], ['fint', 'fintx'], ['fringeQuadEntrance', 'fringeQuadExit']];

function buildElement(def: RawDef, flipped: boolean, energyEV: number, particle: Particle, warnings: string[], warned: Set<RawDef>): Element {
  const notes: string[] = [];
  const params: Params = new Map([...def.params].map(([k, v]) => [k, v.value]));
  let spec: Record<string, unknown> = def.known
    ? convert(def.type, params, energyEV, particle, notes)
    : (() => {
      const L = params.get('L');
      const len = typeof L === 'number' ? L : 0;
      // (already reported where it was defined)
      return len > 0 ? { type: 'drift', length: len } : { type: 'marker' };
    })();
  if (def.pragma) {
    const ptype = def.pragma.type;
    if (typeof ptype === 'string' && ptype !== spec.type && ptype in ELEMENT_FIELDS) {
      const fields = ELEMENT_FIELDS[ptype as ElementType];
      spec = Object.fromEntries(Object.entries(spec).filter(([k]) => k in fields));
      notes.length = 0; // the pragma says what the element is
    }
    spec = { ...spec, ...def.pragma };
  }
  if (spec.name === undefined) spec.name = def.name;
  if (spec.type === 'marker') delete spec.length;
  if (flipped && (spec.type === 'sbend' || spec.type === 'rbend')) {
    for (const [a, b] of EDGE_PAIRS) {
      const t = spec[a];
      spec[a] = spec[b];
      spec[b] = t;
    }
  }
  if (notes.length && !warned.has(def)) {
    warned.add(def);
    warnings.push(`${fmtAt(def.at)}element '${def.name}' (${def.type}): ${notes.join('; ')}`);
  }
  return makeElement(spec, def.pragma ? { ...def.at } : def.at);
}

// ------------------------------------------------------------------------------------------------
// Reader entry point
// ------------------------------------------------------------------------------------------------

export function parseElegant(text: string, opts: ParseOptions = {}): LoadResult {
  const r = new Reader(opts);
  r.processFile(text, opts.file, 0);
  const file = opts.file;
  const lp = r.latticePragma ?? {};
  let line: LineDef | undefined;
  if (opts.use !== undefined) {
    line = r.lines.get(opts.use) ?? r.lines.get(opts.use.toUpperCase());
    if (!line) {
      throw new LatticeError(`no LINE named '${opts.use}' to use (defined: ${[...r.lines.keys()].join(', ') || 'none'})`, { file });
    }
  } else if (r.useName) {
    line = r.lines.get(r.useName.name);
    if (!line) {
      throw new LatticeError(`USE: no LINE named '${r.useName.name}' (defined: ${[...r.lines.keys()].join(', ') || 'none'})`, r.useName.at);
    }
  } else {
    line = r.lastLine;
    if (!line) throw new LatticeError('no LINE defined (an elegant lattice needs NAME: LINE=(...))', { file });
  }
  const warnings = r.warnings;
  let energyEV: number;
  if (typeof lp.energyEV === 'number') energyEV = lp.energyEV;
  else if (opts.energyEV !== undefined) energyEV = opts.energyEV;
  else {
    energyEV = DEFAULT_ENERGY_EV;
    warnings.push(`${file ? file + ': ' : ''}an elegant lattice file carries no beam energy; 3 GeV assumed (give the energy to override)`);
  }
  const particle = (typeof lp.particle === 'string' ? lp.particle : 'electron') as Particle;
  // one period of a ring written by writeElegant: RING: LINE=(P*CELL) with the lattice pragma
  let refs = line.refs;
  let periodicity = 1;
  if (typeof lp.periodicity === 'number' && lp.line === line.name && typeof lp.period === 'string') {
    const cell = r.lines.get(lp.period);
    if (cell && cell.refs.length * lp.periodicity === refs.length) {
      refs = cell.refs;
      periodicity = lp.periodicity;
    } else {
      warnings.push(`nanoterasu-lattice pragma: line '${line.name}' is not ${lp.periodicity} × '${lp.period}'; periodicity 1 used`);
    }
  } else if (!r.latticePragma && line.period) {
    // RING: LINE=(16*CELL) is 16 periods of CELL: keep one period and the periodicity
    refs = line.period.refs;
    periodicity = line.period.times;
  }
  const cache = new Map<RawDef, [Element?, Element?]>();
  const warned = new Set<RawDef>();
  const elements: Element[] = refs.map((ref) => {
    let c = cache.get(ref.def);
    if (!c) cache.set(ref.def, (c = [undefined, undefined]));
    const k = ref.flipped ? 1 : 0;
    return (c[k] ??= buildElement(ref.def, ref.flipped, energyEV, particle, warnings, warned));
  });
  if (elements.length === 0) throw new LatticeError(`line '${line.name}' has no elements`, line.at);
  const lattice = makeLattice({
    name: typeof lp.name === 'string' ? lp.name : line.name,
    energyEV,
    particle,
    periodicity,
    elements,
    // a file we wrote says its source in the pragma; any other file is its own source
    ...(typeof lp.source === 'string' ? { source: lp.source } : file && !r.latticePragma ? { source: file } : {}),
  });
  return { lattice, warnings };
}

// ------------------------------------------------------------------------------------------------
// Writer
// ------------------------------------------------------------------------------------------------

/** Numbers as text that reads back to the same double (including −0). */
function fmt(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  return a === b;
}

/** How we write each of our types in elegant: the type and its parameters (before the check). */
function toElegant(e: Element, circumferenceM: number, energyEV: number, particle: Particle): { type: string; attrs: [string, number][] } {
  const a: [string, number][] = [];
  const put = (k: string, v: number, always = false) => {
    // a value elegant cannot hold (e.g. 180 − 360·lag overflowing) is left out; the pragma then carries the field
    if (Number.isFinite(v) && (always || !Object.is(v, 0))) a.push([k, v]);
  };
  const mis = (m: { dx: number; dy: number; tilt: number }) => { put('TILT', m.tilt); put('DX', m.dx); put('DY', m.dy); };
  switch (e.type) {
    case 'drift':
      put('L', e.length, true);
      return { type: 'DRIF', attrs: a };
    case 'sbend':
    case 'rbend': {
      put('L', e.length, true); put('ANGLE', e.angle, true); put('K1', e.k1); put('K2', e.k2);
      if (e.type === 'sbend') put('K3', e.k3);
      put('E1', e.e1); put('E2', e.e2); mis(e); put('HGAP', e.hgap);
      if (e.type === 'sbend' && !Object.is(e.fint, e.fintx)) {
        put('FINT1', e.fint, true); put('FINT2', e.fintx, true);
      } else if (e.hgap !== 0 || e.fint !== 0 || Object.is(e.fint, -0)) {
        put('FINT', e.fint, true);
      }
      if (e.type === 'sbend' && e.nSteps !== undefined) put('N_KICKS', e.nSteps, true);
      return { type: e.type === 'sbend' ? 'CSBEND' : 'RBEN', attrs: a };
    }
    case 'quadrupole':
      put('L', e.length, true); put('K1', e.k1, true); mis(e);
      if (e.nSteps !== undefined) put('N_SLICES', e.nSteps, true);
      return { type: 'KQUAD', attrs: a };
    case 'sextupole':
      put('L', e.length, true); put('K1', e.k1); put('K2', e.k2, true); mis(e);
      if (e.nSteps !== undefined) put('N_SLICES', e.nSteps, true);
      return { type: 'KSEXT', attrs: a };
    case 'octupole':
      put('L', e.length, true); put('K3', e.k3, true); mis(e);
      if (e.nSteps !== undefined) put('N_SLICES', e.nSteps, true);
      return { type: 'KOCT', attrs: a };
    case 'multipole': {
      put('L', e.length);
      const n = e.knl.findIndex((x) => x !== 0);
      if (n >= 0) { put('ORDER', n, true); put('KNL', e.knl[n], true); }
      mis(e);
      if (e.nSteps !== undefined) put('N_SLICES', e.nSteps, true);
      return { type: 'MULT', attrs: a };
    }
    case 'hkicker':
    case 'vkicker': {
      put('L', e.length); put('KICK', e.kick);
      const ext = !Object.is(e.dx, 0) || !Object.is(e.dy, 0);
      mis(e);
      return { type: (ext ? 'E' : '') + (e.type === 'hkicker' ? 'HKICK' : 'VKICK'), attrs: a };
    }
    case 'kicker': {
      put('L', e.length); put('HKICK', e.hkick); put('VKICK', e.vkick);
      const ext = !Object.is(e.dx, 0) || !Object.is(e.dy, 0);
      mis(e);
      return { type: ext ? 'EKICKER' : 'KICKER', attrs: a };
    }
    case 'rfcavity': {
      put('L', e.length); put('VOLT', e.voltage, true); put('PHASE', 180 - 360 * e.lag, true);
      let f = e.frequency;
      if (f === 0 && e.harmonic > 0 && circumferenceM > 0) {
        const gamma = energyEV / restEnergyEV(particle);
        const beta = Math.sqrt(1 - 1 / (gamma * gamma));
        f = (e.harmonic * beta * C_LIGHT) / circumferenceM;
      }
      put('FREQ', f, true);
      return { type: 'RFCA', attrs: a };
    }
    case 'marker':
      return { type: 'MARK', attrs: a };
    case 'monitor':
      put('L', e.length);
      return { type: 'MONI', attrs: a };
    case 'aperture':
      put('L', e.length); put('X_MAX', e.xLimit, true); put('Y_MAX', e.yLimit, true);
      return { type: e.shape === 'elliptical' ? 'ECOL' : 'RCOL', attrs: a };
    case 'undulator':
      // elegant's WIGGLER (planar, K, POLES = 2 × periods); the pragma makes it our undulator again
      put('L', e.length, true); put('K', e.k, true); put('POLES', 2 * e.periods, true); mis(e);
      return { type: 'WIGGLER', attrs: a };
  }
}

const BARE_NAME = /^[A-Z_][A-Z0-9_.]*$/;

function nameText(n: string): string {
  return BARE_NAME.test(n) ? n : `"${n}"`;
}

/** Writes a lattice as an elegant .lte file (see the header of this file for the pragmas). */
export function writeElegant(lat: Lattice): string {
  const out: string[] = [];
  const C = periodLength(lat) * lat.periodicity;
  out.push(`! ${lat.name.replace(/[\r\n]/g, ' ')}: elegant lattice written by nanoterasu-twin`);
  out.push(`! beam energy ${lat.energyEV / 1e6} MeV (elegant takes it from the .ele file: p_central_mev)`);
  out.push('! lines starting "! nanoterasu" carry what elegant cannot express; elegant ignores them');
  const used = new Set<string>();
  const unique = (base: string): string => {
    let n = base;
    for (let k = 2; used.has(n) || ENTITY_NAMES.includes(n); k++) n = `${base}__${k}`;
    used.add(n);
    return n;
  };
  // one definition per distinct element (same name and same fields)
  const defName = new Map<Element, string>();
  const byKey = new Map<string, string>();
  const defs: string[] = [];
  for (const e of lat.elements) {
    if (defName.has(e)) continue;
    const key = JSON.stringify(e, (_k, v) => (Object.is(v, -0) ? '-0' : v));
    const known = byKey.get(key);
    if (known) { defName.set(e, known); continue; }
    const valid = !/["#\\]/.test(e.name) && !/[\r\n]/.test(e.name) && e.name.trim() === e.name && e.name !== '';
    const n = unique(valid ? e.name : 'E');
    byKey.set(key, n);
    defName.set(e, n);
    defs.push(definition(e, n, C, lat.energyEV, lat.particle));
  }
  const cellName = lat.periodicity > 1 ? unique('CELL') : undefined;
  const ringName = unique('RING');
  const latticePragma: Record<string, unknown> = {
    name: lat.name, energyEV: lat.energyEV, particle: lat.particle, periodicity: lat.periodicity, line: ringName,
    ...(cellName ? { period: cellName } : {}),
    ...(lat.source !== undefined ? { source: lat.source } : {}),
  };
  out.push(`! nanoterasu-lattice: ${json(latticePragma)}`, '');
  out.push(...defs, '');
  const names = lat.elements.map((e) => nameText(defName.get(e)!));
  out.push(lineText(cellName ?? ringName, names));
  if (cellName) out.push(`${ringName}: LINE=(${lat.periodicity}*${cellName})`);
  return out.join('\n') + '\n';
}

function json(v: unknown): string {
  // −0 survives as -0 (JSON.stringify would write 0)
  return JSON.stringify(v, (_k, x) => (Object.is(x, -0) ? '__NEG_ZERO__' : x)).replace(/"__NEG_ZERO__"/g, '-0');
}

function lineText(name: string, items: string[]): string {
  const rows: string[] = [];
  for (let i = 0; i < items.length; i += 8) rows.push(items.slice(i, i + 8).join(', '));
  return `${nameText(name)}: LINE=(${rows.join(', &\n  ')})`;
}

function definition(e: Element, name: string, C: number, energyEV: number, particle: Particle): string {
  const { type, attrs } = toElegant(e, C, energyEV, particle);
  // What will the reader make of this definition? Everything it would not get back exactly goes
  // into the pragma (the reader merges the pragma over its mapping, then fills the defaults).
  const back = convert(type, new Map(attrs), energyEV, particle, []);
  const fields = ELEMENT_FIELDS[e.type];
  const pragma: Record<string, unknown> = {};
  if (back.type !== e.type) pragma.type = e.type;
  const target = e as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(target)) {
    if (k === 'type') continue;
    if (k === 'name') {
      if (v !== name) pragma.name = v;
      continue;
    }
    const expected = k in back && k !== 'type' ? back[k] : fields[k]?.def;
    if (!sameValue(v, expected)) pragma[k] = v;
  }
  const text = `${nameText(name)}: ${type}${attrs.map(([k, v]) => `, ${k}=${fmt(v)}`).join('')}`;
  return Object.keys(pragma).length ? `! nanoterasu: ${json(pragma)}\n${text}` : text;
}

export const elegantFormat: LatticeFormat = {
  name: 'elegant',
  extensions: ['.lte'],
  parse: parseElegant,
  write: writeElegant,
};
