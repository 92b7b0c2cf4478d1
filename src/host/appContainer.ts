import type { Container } from 'inversify';
import { buildContainer } from './buildContainer';
import { loadConfig } from './config';
import { loadConnectionSeeds } from './connectionSeeds';
import { TYPES } from './identifiers';
import { seedConnections } from './seedConnections';

let shared: Promise<Container> | undefined;

/** The process-wide container the Functions host's handlers resolve from, built on first use. */
export function getAppContainer(): Promise<Container> {
  shared ??= (async () => {
    const config = loadConfig();
    const { container } = await buildContainer(config);
    await seedConnections(container.get(TYPES.MetadataRepo), await loadConnectionSeeds(config));
    return container;
  })();
  return shared;
}
