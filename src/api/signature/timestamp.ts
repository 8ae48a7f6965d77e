/**
 * How far a request's own timestamp may lie from the server clock, either way. Alibaba's POP
 * gateway is believed to use 15 minutes; the replay guard must remember nonces for as long.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

// yyyy-MM-ddTHH:mm:ssZ, UTC, as every SDK sends it. The `.SSS` variant is accepted as well: a few
// hand-written clients send it, and it names the same instant to within a second.
const UTC_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;

/**
 * Milliseconds since the epoch for an Alibaba request timestamp (`Timestamp` in signature 1.0,
 * `x-acs-date` in ACS3), or `undefined` when the text is not a real UTC instant of that form.
 * `Date.parse` is not used: it accepts many other forms and local times.
 */
export function parseRequestTimestamp(text: string): number | undefined {
  const match = UTC_TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second, millis] = match.slice(1).map((part) => Number(part ?? '0'));
  if (year === undefined || month === undefined || day === undefined) return undefined;
  if (hour === undefined || minute === undefined || second === undefined || millis === undefined) return undefined;
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 2026-02-30 over to March 2 and 24:00 over to the next day; a timestamp whose
  // fields do not survive the round trip named no real instant.
  const roundTrip = new Date(epochMs);
  const fieldsSurvive =
    roundTrip.getUTCFullYear() === year &&
    roundTrip.getUTCMonth() === month - 1 &&
    roundTrip.getUTCDate() === day &&
    roundTrip.getUTCHours() === hour &&
    roundTrip.getUTCMinutes() === minute &&
    roundTrip.getUTCSeconds() === second;
  return fieldsSurvive ? epochMs : undefined;
}
