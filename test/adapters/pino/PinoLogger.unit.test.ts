import { describe, expect, it } from 'vitest';
import { captureLogger } from '../../support/captureLogger';

describe('PinoLogger', () => {
  it('redacts secrets wherever they sit in the fields, and keeps the rest', () => {
    const { logger, lines } = captureLogger('info');
    logger.child({ deliveryId: 'd-1' }).info(
      {
        token: 'ghp_SECRET1',
        connection: { secret: 'SECRET2', repository: 'acme/scripts' },
        headers: {
          authorization: 'Bearer SECRET3',
          'x-hub-signature-256': 'sha256=SECRET4',
          accept: 'application/json',
        },
        config: { connectionString: 'AccountKey=SECRET5' },
      },
      'handled',
    );
    const [line] = lines();
    expect(line).not.toMatch(/SECRET/);
    const record = JSON.parse(line!) as Record<string, unknown>;
    expect(record).toMatchObject({
      deliveryId: 'd-1',
      token: '[redacted]',
      connection: { secret: '[redacted]', repository: 'acme/scripts' },
      headers: { authorization: '[redacted]', 'x-hub-signature-256': '[redacted]', accept: 'application/json' },
      msg: 'handled',
      service: 'workspace-sync',
    });
  });
});
