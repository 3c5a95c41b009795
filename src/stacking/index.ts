/**
 * `microcred/stacking`: does a learner's set of micro-credentials count towards a parent course? Each credential is
 * verified, its credit read (credits, credit system, level, subject), and the set checked against the parent course's
 * rules; the result can be issued as a CLR 2.0 transcript (`buildClrCredential`, then `issueCredential`).
 */
export { checkStacking } from './check.js';
export type { StackingInput, CheckStackingOptions, TrustCheck } from './check.js';
export { validateStackingRules, assertStackingRules } from './rules.js';
export type { RulesValidation } from './rules.js';
export { readCreditFacts } from './read.js';
export { buildClrCredential } from './clr.js';
export type { ClrBuildOptions } from './clr.js';
export { sentence as stackingSentence } from './sentences.js';
export type { StackingMessage, MessageCode as StackingMessageCode, MessageParams as StackingMessageParams } from './sentences.js';
export type * from './types.js';
