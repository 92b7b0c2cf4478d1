import { SystemClock } from '../../src/adapters/system/SystemClock';
import { ManualClock } from '../doubles/ManualClock';
import { describeClockContract } from './contracts/Clock.contract';

describeClockContract('system', () => ({
  clock: new SystemClock(),
  pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms + 2)),
}));

describeClockContract('manual', () => {
  const clock = new ManualClock();
  return {
    clock,
    pass: async (ms) => {
      clock.advance(ms);
      await Promise.resolve();
    },
  };
});
