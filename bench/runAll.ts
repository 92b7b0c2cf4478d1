import { syncBench } from './syncBench';
import { webhookBench } from './webhookBench';

const BENCHES: Record<string, () => Promise<void>> = { sync: syncBench, webhook: webhookBench };

/** `npm run bench [-- sync|webhook]`: every benchmark (or the named ones), each beside a reference. */
async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (chosen.length === 0 || chosen.includes(name)) await bench();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
