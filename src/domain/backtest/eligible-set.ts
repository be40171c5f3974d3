/** The eligible symbols of a decision day, without their rank order laid out (its own file: both the book and the ranker use it). */

/**
 * Every eligible symbol of a decision day without their rank order laid out: what a book that buys all of
 * them (the equal-weight benchmark, §9) needs from the ranking.
 */
export interface EligibleSet {
  /** The eligible symbol indices, in no particular order (not to be modified). */
  readonly symbols: readonly number[];
  /**
   * The rank order (§5) as a comparator: negative when `a` ranks before `b`; a strict total order (never 0
   * for two different symbols), so any sort by it gives the ranking.
   */
  readonly order: (a: number, b: number) => number;
}
