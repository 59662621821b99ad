/**
 * Answers that come now or later (ports/broker.ts `Answer<T>`): one engine for every mode, without a promise
 * turn where nothing waits. A step whose port answered synchronously continues synchronously; one that got
 * a promise continues when it settles — the same steps in the same order either way.
 */
import type { Answer } from '../ports/broker.ts';

export type { Answer } from '../ports/broker.ts';

/** A promise (or any thenable) rather than a value in hand. */
export function isPromise<T>(x: Answer<T>): x is Promise<T> {
  return typeof (x as { then?: unknown } | null | undefined)?.then === 'function';
}

/** `f` of the answer: at once when it is in hand, else when it settles. */
export function andThen<T, U>(x: Answer<T>, f: (v: T) => Answer<U>): Answer<U> {
  return isPromise(x) ? x.then(f) : f(x);
}
