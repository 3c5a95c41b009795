import type { FrameworkLevel, LevelFramework } from './types.js';

/** Allowed levels per UK framework. */
export const FRAMEWORK_LEVELS: Readonly<Record<LevelFramework, readonly FrameworkLevel[]>> = {
  // FHEQ proper is 4–8; level 3 is accepted for foundation years described against the
  // Higher Education Credit Framework for England.
  FHEQ: [3, 4, 5, 6, 7, 8],
  SCQF: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  RQF: ['entry1', 'entry2', 'entry3', 1, 2, 3, 4, 5, 6, 7, 8],
  CQFW: ['entry1', 'entry2', 'entry3', 1, 2, 3, 4, 5, 6, 7, 8],
};

/**
 * EQF level for a UK framework level, from the UK comparison "Qualifications Can Cross Boundaries"
 * as summarised in DIGEST §12: RQF/CQFW/FHEQ 3 → 4, 4 and 5 → 5, 6 → 6, 7 → 7, 8 → 8;
 * SCQF 7–8 → 5, 9–10 → 6, 11 → 7, 12 → 8. Levels the digest does not reference (RQF/CQFW entry–2,
 * SCQF 1–6) are not derived: a record may state the EQF level itself for those.
 */
const EQF_BY_LEVEL: Readonly<Record<LevelFramework, Readonly<Record<string, number>>>> = {
  FHEQ: { 3: 4, 4: 5, 5: 5, 6: 6, 7: 7, 8: 8 },
  RQF: { 3: 4, 4: 5, 5: 5, 6: 6, 7: 7, 8: 8 },
  CQFW: { 3: 4, 4: 5, 5: 5, 6: 6, 7: 7, 8: 8 },
  SCQF: { 7: 5, 8: 5, 9: 6, 10: 6, 11: 7, 12: 8 },
};

/**
 * The EQF level the UK referencing gives, or `undefined` when it gives none.
 *
 * @example
 * ```ts
 * eqfFor('SCQF', 11); // 7
 * eqfFor('RQF', 'entry1'); // undefined
 * ```
 */
export function eqfFor(framework: LevelFramework, level: FrameworkLevel): number | undefined {
  return EQF_BY_LEVEL[framework][String(level)];
}

/**
 * The level as people write it.
 *
 * @example
 * ```ts
 * levelLabel('FHEQ', 7); // 'FHEQ level 7'
 * levelLabel('RQF', 'entry3'); // 'RQF Entry 3'
 * ```
 */
export function levelLabel(framework: LevelFramework, level: FrameworkLevel): string {
  return typeof level === 'string' ? `${framework} Entry ${level.slice(5)}` : `${framework} level ${level}`;
}
