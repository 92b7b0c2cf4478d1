/**
 * Duration notations found in the deployment files, turned into milliseconds so that limits can be
 * compared: ISO 8601 (`PT1M`, as the Service Bus emulator's Config.json uses) and .NET TimeSpan
 * (`00:10:00`, as host.json uses). Anything else throws, so a typo cannot pass as "no limit".
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Days, hours, minutes, seconds only: years and months have no fixed length, so no limit check can use them.
const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function isoDurationMs(text: string): number {
  const match = ISO_DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T'))
    throw new Error(`not an ISO 8601 duration (days to seconds): ${JSON.stringify(text)}`);
  const [, days, hours, minutes, seconds] = match;
  return (
    Number(days ?? 0) * DAY + Number(hours ?? 0) * HOUR + Number(minutes ?? 0) * MINUTE + Number(seconds ?? 0) * SECOND
  );
}

// [d.]hh:mm:ss[.fffffff]
const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d{1,7})?)$/;

export function timeSpanMs(text: string): number {
  const match = TIME_SPAN.exec(text);
  if (!match) throw new Error(`not a .NET TimeSpan (d.hh:mm:ss): ${JSON.stringify(text)}`);
  const [, days, hours, minutes, seconds] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) >= 60)
    throw new Error(`TimeSpan field out of range: ${JSON.stringify(text)}`);
  return Number(days ?? 0) * DAY + Number(hours) * HOUR + Number(minutes) * MINUTE + Number(seconds) * SECOND;
}
