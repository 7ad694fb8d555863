import { checkFraction, Fraction } from '../../src/checks';

/** `k` as the checked fraction the library's internal functions take. */
export function fraction(k: number): Fraction {
  checkFraction(k);
  return k;
}
