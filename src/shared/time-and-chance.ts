/** Time and randomness, passed in rather than taken from the globals, so tests pin both. */
export interface TimeAndChance {
  now: () => number;
  randomBytes: (size: number) => Buffer;
}
