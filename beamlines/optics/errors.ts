/**
 * A user mistake in the photon optics: an unknown material, an energy a station cannot deliver, a
 * mirror above its critical angle, a crystal reflection that cannot reach an energy. One clear
 * message naming the beamline, station and element where known (the CLI prints it, exit 2).
 */
export class OpticsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpticsError';
  }
}
