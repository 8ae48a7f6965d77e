import { KmsError } from './errors.js';

const SECONDS_PER_UNIT = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
const INTERVAL_PATTERN = /^([1-9][0-9]{0,9})([dhms])$/;

export const DAY_IN_SECONDS = 86_400;
export const MAX_ROTATION_INTERVAL_SECONDS = 730 * DAY_IN_SECONDS;
export const DEFAULT_MIN_ROTATION_INTERVAL_SECONDS = 7 * DAY_IN_SECONDS;

/** Reads a duration such as `30d`, `12h`, `90m` or `604800s` into seconds; undefined if malformed. */
export function parseDurationSeconds(value: string): number | undefined {
  const match = INTERVAL_PATTERN.exec(value);
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * SECONDS_PER_UNIT[unit as keyof typeof SECONDS_PER_UNIT];
}

/** Refuses a rotation interval outside the allowed range (7 to 730 days by default). */
export function assertRotationIntervalAllowed(seconds: number, minSeconds: number): void {
  if (!Number.isInteger(seconds) || seconds < minSeconds || seconds > MAX_ROTATION_INTERVAL_SECONDS) {
    throw new KmsError('InvalidInput', 'rotationInterval');
  }
}
