import { CabError } from '../../../src/cab/index.js';

/** The CabError `fn` throws; fails the test if it throws something else or nothing. */
export function caught(fn: () => unknown): CabError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CabError) return error;
    throw error;
  }
  throw new Error('expected a CabError');
}
