import { clientBench } from './clientBench';
import { coldStartBench } from './coldStartBench';
import { editBench } from './editBench';
import { incrementalBench } from './incrementalBench';
import { memoryBench } from './memoryBench';
import { nodeFlagsBench } from './nodeFlagsBench';
import { syncBench } from './syncBench';
import { webhookBench } from './webhookBench';
import { zipBench } from './zipBench';

const BENCHES: Record<string, () => Promise<void>> = {
  sync: syncBench,
  incremental: incrementalBench,
  memory: memoryBench,
  webhook: webhookBench,
  edit: editBench,
  zip: zipBench,
  client: clientBench,
  'cold-start': coldStartBench,
  'node-flags': nodeFlagsBench,
};

/** `npm run bench [-- sync|incremental|memory|webhook|edit|zip|client|cold-start|node-flags]`: every benchmark (or the named ones), each beside a reference. */
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
