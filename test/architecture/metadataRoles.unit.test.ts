import { describe, expect, it } from 'vitest';
import { ruleCruiser } from './cruiseRules';

const cruise = ruleCruiser();

const ports = {
  'src/ports/ConnectionRepo.ts': 'export interface ConnectionRepo { listConnections(): Promise<string[]> }\n',
  'src/ports/MetadataRepo.ts':
    "import type { ConnectionRepo } from './ConnectionRepo';\nexport interface MetadataRepo extends ConnectionRepo {}\n",
};
const useCase = (port: string) =>
  `import type { ${port} } from '../ports/${port}';\nexport const count = async (metadata: ${port}) => (await metadata.listConnections()).length;\n`;

describe('use cases and the metadata store', () => {
  it('lets a use case depend on the metadata role it uses', () => {
    expect(cruise({ ...ports, 'src/domain/CountConnections.ts': useCase('ConnectionRepo') })).toMatch(
      /no dependency violations found/,
    );
  });

  it('refuses a use case that depends on the whole MetadataRepo', () => {
    const output = cruise({ ...ports, 'src/domain/CountConnections.ts': useCase('MetadataRepo') });
    expect(output).toMatch(/domain-depends-on-metadata-roles/);
    expect(output).toMatch(/src\/domain\/CountConnections\.ts → src\/ports\/MetadataRepo\.ts/);
  });
});
