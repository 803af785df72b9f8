#!/usr/bin/python3
"""
Generates the optical-constant and crystal tables of beamlines/optics/materials/ from xraylib.

Run with Debian's python (the pyenv python has no xraylib):
    apt-get install -y python3-xraylib
    /usr/bin/python3 beamlines/optics/materials/generate.py

Source: xraylib 4.0.0 (T. Schoonjans et al., Spectrochimica Acta B 66 (2011) 776-784;
https://github.com/tschoonj/xraylib), Debian package python3-xraylib 4.0.0+dfsg1-3.
  - Anomalous scattering factors f' = Fi(Z, E) and f'' = -Fii(Z, E) (xraylib's sign: Fii < 0 means
    absorption) from Kissel's RTAB tables; they reach down to 30 eV, below the 100 eV where
    xraylib's cross sections (CS_*) stop. The forward-scattering factors are f1 = Z + f', f2 = -Fii.
  - Atomic weights and compound parsing from xraylib (AtomicWeight, CompoundParser).
  - Crystal structure factors from xraylib's crystal module (Crystal_F_H_StructureFactor, with the
    unit cell of its built-in crystal list) and atomic form factors FF_Rayl.
Refractive index n = 1 - delta + i beta with
    delta = r_e lambda^2 / (2 pi) * sum_j n_j f1_j,   beta = r_e lambda^2 / (2 pi) * sum_j n_j f2_j
(n_j atoms per m^3; X-ray Data Booklet sec. 1.7, eq. 1). No network is needed at run time: the
TypeScript reads the JSON files this script writes.
"""
import json
import math
import os

import xraylib as xrl

HERE = os.path.dirname(os.path.abspath(__file__))
R_E = 2.8179403262e-15      # classical electron radius [m] (CODATA 2018, as sim/constants.ts)
HC_EVM = 4.135667696e-15 * 299792458.0
N_A = 6.02214076e23

# Energies: log-spaced 30 eV - 40 keV, 320 points (about 46 points per decade).
E_MIN, E_MAX, N_E = 30.0, 40000.0, 320
ENERGIES = [E_MIN * (E_MAX / E_MIN) ** (i / (N_E - 1)) for i in range(N_E)]

# name: (formula, density g/cm^3, note). Densities: bulk values (X-ray Data Booklet Table 1-? /
# CRC Handbook); thin-film coatings are often a few % less dense - a planner may edit them.
MATERIALS = {
    'Au': ('Au', 19.32, 'gold coating'),
    'Pt': ('Pt', 21.45, 'platinum coating'),
    'Rh': ('Rh', 12.41, 'rhodium coating'),
    'Ni': ('Ni', 8.90, 'nickel coating'),
    'Cr': ('Cr', 7.19, 'chromium coating'),
    'Cu': ('Cu', 8.96, 'copper (filters, apertures)'),
    'Mo': ('Mo', 10.22, 'molybdenum filter'),
    'Al': ('Al', 2.699, 'aluminium filter'),
    'Be': ('Be', 1.848, 'beryllium window'),
    'C': ('C', 2.2, 'amorphous carbon coating (density of a sputtered film)'),
    'diamond': ('C', 3.515, 'CVD diamond window/filter'),
    'Si': ('Si', 2.329, 'silicon (uncoated mirror substrate, crystals)'),
    'SiO2': ('SiO2', 2.2, 'fused silica substrate'),
    'B4C': ('B4C', 2.52, 'boron carbide coating'),
    'Si3N4': ('Si3N4', 3.17, 'silicon nitride membrane window'),
    'kapton': ('C22H10N2O5', 1.42, 'polyimide window'),
}


def optical_constants(formula, density):
    comp = xrl.CompoundParser(formula)
    # atoms per m^3 of each element: rho [kg/m^3] * w_j / A_j [kg/mol] * N_A
    rho = density * 1000.0
    n_at = {z: rho * w / (xrl.AtomicWeight(z) * 1e-3) * N_A for z, w in zip(comp['Elements'], comp['massFractions'])}
    delta, beta = [], []
    for e in ENERGIES:
        lam = HC_EVM / e
        f1 = sum(n * (z + xrl.Fi(z, e / 1000.0)) for z, n in n_at.items())
        f2 = sum(n * (-xrl.Fii(z, e / 1000.0)) for z, n in n_at.items())
        k = R_E * lam * lam / (2.0 * math.pi)
        delta.append(float('%.5g' % (k * f1)))
        beta.append(float('%.5g' % max(k * f2, 0.0)))
    return delta, beta


# Crystals: Debye-Waller B [A^2] at room temperature (Si 0.4632 A^2, Ge 0.5650 A^2: Sears & Shelley,
# Acta Cryst. A47 (1991) 441; diamond 0.2 A^2 approx.).
CRYSTALS = {
    'Si': ('Si', 0.4632, [(1, 1, 1), (2, 2, 0), (3, 1, 1), (4, 0, 0), (3, 3, 3), (5, 1, 1)]),
    'Ge': ('Ge', 0.5650, [(1, 1, 1), (2, 2, 0)]),
    'diamond': ('Diamond', 0.2, [(1, 1, 1)]),
}
N_CRYSTAL_E = 100  # per reflection: log-spaced from just above its lowest energy (theta_B = 88 deg) to 40 keV


def crystal_tables():
    out = {}
    for name, (xname, b_dw, hkls) in CRYSTALS.items():
        c = xrl.Crystal_GetCrystal(xname)
        refl = {}
        for (h, k, l) in hkls:
            d = xrl.Crystal_dSpacing(c, h, k, l)  # Angstrom
            s = 1.0 / (2.0 * d)                     # sin(theta)/lambda [1/A]
            dw = math.exp(-b_dw * s * s)
            fh_re, fh_im, f0_re, f0_im, es, fh_r, fh_i = [], [], [], [], [], [], []
            e_min = HC_EVM * 1e10 / (2 * d) / math.sin(math.radians(88.0))
            for i in range(N_CRYSTAL_E):
                e = e_min * (40000.0 / e_min) ** (i / (N_CRYSTAL_E - 1))
                fh = xrl.Crystal_F_H_StructureFactor(c, e / 1000.0, h, k, l, dw, 1.0)
                # the structure factors of the real (f0 + f') and imaginary (f'') parts of the
                # atomic scattering factor separately (xraylib's _Partial with flags 2 = on, 0 = off):
                # for a centrosymmetric crystal these are the |F_h'| and |F_h''| of dynamical theory
                fr = abs(xrl.Crystal_F_H_StructureFactor_Partial(c, e / 1000.0, h, k, l, dw, 1.0, 2, 2, 0))
                fi = abs(xrl.Crystal_F_H_StructureFactor_Partial(c, e / 1000.0, h, k, l, dw, 1.0, 0, 0, 2))
                fh_r.append(float('%.6g' % fr)); fh_i.append(float('%.6g' % fi))
                f0 = xrl.Crystal_F_H_StructureFactor(c, e / 1000.0, 0, 0, 0, 1.0, 1.0)
                es.append(float('%.6g' % e))
                fh_re.append(float('%.6g' % fh.real)); fh_im.append(float('%.6g' % fh.imag))
                f0_re.append(float('%.6g' % f0.real)); f0_im.append(float('%.6g' % f0.imag))
            refl['%d%d%d' % (h, k, l)] = {
                'hkl': [h, k, l], 'dSpacingM': d * 1e-10, 'debyeWallerFactor': dw,
                'energyEV': es, 'fhRe': fh_re, 'fhIm': fh_im, 'fhRealPartAbs': fh_r, 'fhImagPartAbs': fh_i, 'f0Re': f0_re, 'f0Im': f0_im,
            }
        out[name] = {'crystal': xname, 'cellVolumeM3': c['volume'] * 1e-30, 'debyeWallerBA2': b_dw, 'reflections': refl}
    return out


def main():
    header = {
        'source': 'xraylib %s (Schoonjans et al., Spectrochim. Acta B 66 (2011) 776); Debian python3-xraylib; '
                  'f1 = Z + Fi, f2 = -Fii (Kissel anomalous scattering factors)' % xrl.__version__,
        'generatedBy': 'beamlines/optics/materials/generate.py',
        'convention': 'n = 1 - delta + i*beta; energies in eV, log-spaced; interpolate log-log',
    }
    mats = {}
    for name, (formula, density, note) in MATERIALS.items():
        d, b = optical_constants(formula, density)
        mats[name] = {'formula': formula, 'densityGPerCm3': density, 'note': note, 'delta': d, 'beta': b}
    with open(os.path.join(HERE, 'optical-constants.json'), 'w') as f:
        json.dump({**header, 'energyEV': [float('%.6g' % e) for e in ENERGIES], 'materials': mats}, f, separators=(',', ':'))
        f.write('\n')
    with open(os.path.join(HERE, 'crystals.json'), 'w') as f:
        json.dump({**header, 'convention': 'structure factors F_h (complex, electrons per unit cell, Debye-Waller included), '
                   'the moduli of its parts from f0 + f\' (fhRealPartAbs) and from f\'\' (fhImagPartAbs), '
                   'and F_0 (F0\'\' > 0 is absorption) against photon energy [eV]; d spacing and cell volume in m',
                   'crystals': crystal_tables()}, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
