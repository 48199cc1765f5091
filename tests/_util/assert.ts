/**
 * A local stand-in for `@std/assert` (JSR is unreachable from the build machines): the same names
 * and behaviour for the assertions the tests use. `deno.json` maps `@std/assert` here; it lives
 * with the tests because nothing the node ships may assert this way.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";

/** Thrown when an assertion fails. */
export class AssertionError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  return Deno.inspect(value, { depth: 10, iterableLimit: 200, strAbbreviateSize: 400 });
}

function suffix(msg?: string): string {
  return msg ? `: ${msg}` : "";
}

/** Fail unless `expr` is truthy. */
export function assert(expr: unknown, msg = ""): asserts expr {
  if (!expr) throw new AssertionError(`Expected expression to be truthy${suffix(msg)}`);
}

/** Fail unless `expr` is falsy. */
export function assertFalse(expr: unknown, msg = ""): void {
  if (expr) throw new AssertionError(`Expected expression to be falsy${suffix(msg)}`);
}

/** Fail unless `actual` and `expected` are deeply equal (typed arrays, maps and sets included). */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  throw new AssertionError(
    `Values are not equal${suffix(msg)}\n    actual: ${show(actual)}\n  expected: ${
      show(expected)
    }`,
  );
}

/** Fail when `actual` and `expected` are deeply equal. */
export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  if (!isDeepStrictEqual(actual, expected)) return;
  throw new AssertionError(
    `Expected actual: ${show(actual)} not to be: ${show(expected)}${suffix(msg)}`,
  );
}

/** Fail unless `actual === expected` (Object.is). */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  msg?: string,
): asserts actual is T {
  if (Object.is(actual, expected)) return;
  throw new AssertionError(
    `Values are not strictly equal${suffix(msg)}\n    actual: ${show(actual)}\n  expected: ${
      show(expected)
    }`,
  );
}

/** Fail when `actual` is null or undefined. */
export function assertExists<T>(actual: T, msg?: string): asserts actual is NonNullable<T> {
  if (actual === undefined || actual === null) {
    throw new AssertionError(
      `Expected actual: "${actual}" to not be null or undefined${suffix(msg)}`,
    );
  }
}

/** Fail unless `actual` matches `expected`. */
export function assertMatch(actual: string, expected: RegExp, msg?: string): void {
  if (expected.test(actual)) return;
  throw new AssertionError(`Expected actual: "${actual}" to match: "${expected}"${suffix(msg)}`);
}

/** Fail unless `actual` contains `expected`. */
export function assertStringIncludes(actual: string, expected: string, msg?: string): void {
  if (actual.includes(expected)) return;
  throw new AssertionError(`Expected actual: "${actual}" to contain: "${expected}"${suffix(msg)}`);
}

/** Fail unless `actual` includes every item of `expected` (deep equality). */
export function assertArrayIncludes<T>(
  actual: ArrayLike<T>,
  expected: ArrayLike<T>,
  msg?: string,
): void {
  const list = Array.from(actual);
  const missing = Array.from(expected).filter((e) => !list.some((a) => isDeepStrictEqual(a, e)));
  if (missing.length === 0) return;
  throw new AssertionError(`Expected ${show(list)} to include ${show(missing)}${suffix(msg)}`);
}

/** Fail unless `actual` is an instance of `type`. */
// deno-lint-ignore no-explicit-any
export function assertInstanceOf<T extends abstract new (...args: any[]) => any>(
  actual: unknown,
  type: T,
  msg?: string,
): asserts actual is InstanceType<T> {
  if (actual instanceof type) return;
  throw new AssertionError(`Expected object to be an instance of "${type.name}"${suffix(msg)}`);
}

/** Fail unless `actual > expected`. */
export function assertGreater<T>(actual: T, expected: T, msg?: string): void {
  if (actual > expected) return;
  throw new AssertionError(`Expect ${show(actual)} > ${show(expected)}${suffix(msg)}`);
}

/** Fail unless `actual >= expected`. */
export function assertGreaterOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (actual >= expected) return;
  throw new AssertionError(`Expect ${show(actual)} >= ${show(expected)}${suffix(msg)}`);
}

/** Fail unless `actual < expected`. */
export function assertLess<T>(actual: T, expected: T, msg?: string): void {
  if (actual < expected) return;
  throw new AssertionError(`Expect ${show(actual)} < ${show(expected)}${suffix(msg)}`);
}

/** Fail unless `actual <= expected`. */
export function assertLessOrEqual<T>(actual: T, expected: T, msg?: string): void {
  if (actual <= expected) return;
  throw new AssertionError(`Expect ${show(actual)} <= ${show(expected)}${suffix(msg)}`);
}

/** Fail unless `actual` is within `tolerance` of `expected`. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  msg?: string,
) {
  if (Math.abs(actual - expected) <= tolerance) return;
  throw new AssertionError(
    `Expected actual: "${actual}" to be close to "${expected}" (±${tolerance})${suffix(msg)}`,
  );
}

/** Always fail. */
export function fail(msg?: string): never {
  throw new AssertionError(`Failed assertion${suffix(msg)}`);
}

/** Mark code that must never run. */
export function unreachable(msg?: string): never {
  throw new AssertionError(msg ?? "unreachable");
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

function checkError<E extends Error>(
  error: unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new AssertionError(
      `Expected error to be instance of "${ErrorClass.name}", but was ${show(error)}${suffix(msg)}`,
    );
  }
  if (msgIncludes !== undefined) {
    const text = error instanceof Error ? error.message : String(error);
    if (!text.includes(msgIncludes)) {
      throw new AssertionError(
        `Expected error message to include ${JSON.stringify(msgIncludes)}, but got ${
          JSON.stringify(text)
        }${suffix(msg)}`,
      );
    }
  }
  return error as E;
}

/** Fail unless `fn` throws (optionally an instance of `ErrorClass` whose message includes text). */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, ErrorClass, msgIncludes, msg);
  }
  throw new AssertionError(`Expected function to throw${suffix(msg)}`);
}

/** Fail unless `fn` rejects (optionally with an instance of `ErrorClass` whose message includes text). */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  msgIncludes?: string,
  msg?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, ErrorClass, msgIncludes, msg);
  }
  throw new AssertionError(`Expected function to reject${suffix(msg)}`);
}
