/** Exit-code carrying errors (SPEC §2): 2 = bad usage / bad input, 1 = NO-GO or failed check. */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = 2;
}

export class CheckFailed extends Error {
  override name = 'CheckFailed';
  readonly exitCode = 1;
}
