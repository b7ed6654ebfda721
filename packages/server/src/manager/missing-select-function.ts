/**
 * A `select:` mode whose function no instance has (a typo: `select:min:get_lod`). The seed's
 * rule stays (an instance without the function is skipped; nobody answering means a random
 * choice), but it is made visible: the hub logs a warning naming the service and the function,
 * and a caller that passed `strict: true` gets a `METHOD_NOT_FOUND` error instead.
 */
import { MycelError } from '@mycel/protocol';
import type { Logger } from 'pino';

/**
 * hypha-rpc callees answer a missing function with a plain message (`Invalid method: ...` from
 * the JS client, `Method not found` from Python), Mycel's with a code.
 */
const MISSING = /invalid method|method .*not found|not found.*method/i;

/** Whether a probe failed because the instance has no such function. */
export function isMissingFunction(error: unknown): boolean {
  if (error instanceof MycelError && error.code === 'METHOD_NOT_FOUND') return true;
  return MISSING.test(error instanceof Error ? error.message : String(error));
}

/** Counts the probes of one selection round that found no function. */
export class MissingFunctionCount {
  #missing = 0;
  #probed = 0;

  /** Wraps a probe so that its failure is counted. */
  watch<T>(probe: Promise<T>): Promise<T> {
    this.#probed++;
    return probe.catch((error: unknown) => {
      if (isMissingFunction(error)) this.#missing++;
      throw error;
    });
  }

  /**
   * After the round: when every instance was probed and none has `fn`, warns (and throws with
   * `isStrict`).
   */
  check(service: string, fn: string, mode: string, instances: number, isStrict: boolean, logger: Logger): void {
    if (instances === 0 || this.#probed < instances || this.#missing < instances) return;
    if (isStrict) {
      throw new MycelError(
        'METHOD_NOT_FOUND',
        `no instance of "${service}" has a function "${fn}" (mode "${mode}"): check its name, or leave out strict to choose at random`,
      );
    }
    logger.warn({ service, fn, mode, instances }, 'no instance has the select function: chose at random');
  }
}
