/**
 * The studies that can be cut into shards (each has its module in this folder: what its result
 * depends on, what a shard stores, how the shards merge into the single-machine result).
 */
export const STUDIES = ['da', 'ma', 'capacity', 'track', 'errors', 'spectrum'] as const;
export type StudyName = (typeof STUDIES)[number];
