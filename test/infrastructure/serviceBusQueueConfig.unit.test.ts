import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/host/config';
import { isoDurationMs, timeSpanMs } from './durations';
import { environmentOf, loadCompose, readProjectJson } from './infraFiles';

/**
 * The sync queue as the Service Bus emulator creates it (servicebus-emulator/Config.json), checked
 * against the emulator's documented limits and against what the code, host.json,
 * local.settings.json.example and docker-compose.yml expect of it.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// The emulator's documented limits (Microsoft Learn "Overview of the Azure Service Bus emulator",
// usage quotas, and the emulator installer's Config.json schema).
const EMULATOR = {
  namespace: 'sbemulatorns',
  maxEntities: 50, // queues + topics in the namespace
  lockDurationMs: { min: 5 * SECOND, max: 5 * MINUTE },
  duplicateDetectionWindowMs: { min: 5 * SECOND, max: 5 * MINUTE },
  messageTimeToLiveMs: { min: 5 * MINUTE, max: 1 * HOUR },
  maxDeliveryCount: { min: 1, max: 10 },
} as const;

const DURATION = { type: 'string', pattern: '^P' } as const;
const ENTITY_NAME = {
  type: 'string',
  pattern: '^[A-Za-z0-9]$|^[A-Za-z0-9][\\w.\\-/]*[A-Za-z0-9]$',
  maxLength: 260,
} as const;

/** The Config.json shape the emulator reads; unknown keys are refused so that a misspelt property cannot pass silently. */
const emulatorConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['UserConfig'],
  properties: {
    UserConfig: {
      type: 'object',
      additionalProperties: false,
      required: ['Namespaces', 'Logging'],
      properties: {
        Namespaces: {
          type: 'array',
          minItems: 1,
          maxItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['Name', 'Queues', 'Topics'],
            properties: {
              Name: { const: EMULATOR.namespace },
              Queues: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['Name'],
                  properties: {
                    Name: ENTITY_NAME,
                    Properties: {
                      type: 'object',
                      additionalProperties: false,
                      properties: {
                        DeadLetteringOnMessageExpiration: { type: 'boolean' },
                        DefaultMessageTimeToLive: DURATION,
                        DuplicateDetectionHistoryTimeWindow: DURATION,
                        ForwardDeadLetteredMessagesTo: { type: 'string' },
                        ForwardTo: { type: 'string' },
                        LockDuration: DURATION,
                        MaxDeliveryCount: {
                          type: 'integer',
                          minimum: EMULATOR.maxDeliveryCount.min,
                          maximum: EMULATOR.maxDeliveryCount.max,
                        },
                        RequiresDuplicateDetection: { type: 'boolean' },
                        RequiresSession: { type: 'boolean' },
                      },
                    },
                  },
                },
              },
              Topics: { type: 'array' },
            },
          },
        },
        Logging: {
          type: 'object',
          required: ['Type'],
          properties: { Type: { enum: ['File', 'Console', 'File,Console', 'Console,File'] } },
        },
      },
    },
  },
} as const;

interface QueueProperties {
  DeadLetteringOnMessageExpiration?: boolean;
  DefaultMessageTimeToLive?: string;
  DuplicateDetectionHistoryTimeWindow?: string;
  ForwardDeadLetteredMessagesTo?: string;
  ForwardTo?: string;
  LockDuration?: string;
  MaxDeliveryCount?: number;
  RequiresDuplicateDetection?: boolean;
  RequiresSession?: boolean;
}

interface EmulatorConfig {
  UserConfig: {
    Namespaces: {
      Name: string;
      Queues: { Name: string; Properties?: QueueProperties }[];
      Topics: { Name: string }[];
    }[];
  };
}

interface LocalSettings {
  Values: Record<string, string>;
}

interface HostJson {
  functionTimeout?: string;
  extensions?: { serviceBus?: { maxAutoLockRenewalDuration?: string; autoCompleteMessages?: boolean } };
}

const emulatorConfig = readProjectJson('servicebus-emulator/Config.json');
const namespace = (emulatorConfig as EmulatorConfig).UserConfig?.Namespaces?.[0];
const defaults = configSchema.parse({});
const syncQueue = namespace?.Queues.find((queue) => queue.Name === defaults.SYNC_QUEUE_NAME);
const syncQueueProperties: QueueProperties = syncQueue?.Properties ?? {};
const hostJson = readProjectJson('host.json') as HostJson;
const localSettings = readProjectJson('local.settings.json.example') as LocalSettings;
const composeEnv = environmentOf(loadCompose().services.functions ?? {});

function within(value: number, range: { readonly min: number; readonly max: number }): boolean {
  return value >= range.min && value <= range.max;
}

function connectionFields(text: string | undefined): Record<string, string> {
  return Object.fromEntries(
    (text ?? '')
      .split(';')
      .filter((part) => part.includes('='))
      .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
  );
}

describe('servicebus-emulator/Config.json against the emulator’s documented limits', () => {
  it('has the shape the emulator reads, with the one namespace it allows (sbemulatorns)', () => {
    const validateShape = new Ajv({ allErrors: true, strict: true }).compile(emulatorConfigSchema);
    const valid = validateShape(emulatorConfig);
    expect(validateShape.errors ?? [], 'schema errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it(`declares at most ${EMULATOR.maxEntities} queues and topics, with unique names`, () => {
    const names = [...(namespace?.Queues ?? []), ...(namespace?.Topics ?? [])].map((entity) =>
      entity.Name.toLowerCase(),
    );
    expect(names.length).toBeLessThanOrEqual(EMULATOR.maxEntities);
    expect(new Set(names).size).toBe(names.length);
  });

  it('uses ISO 8601 durations that parse and lie within the emulator’s ranges', () => {
    for (const queue of namespace?.Queues ?? []) {
      const properties = queue.Properties ?? {};
      const checks: [string | undefined, { readonly min: number; readonly max: number }, string][] = [
        [properties.LockDuration, EMULATOR.lockDurationMs, 'LockDuration'],
        [
          properties.DuplicateDetectionHistoryTimeWindow,
          EMULATOR.duplicateDetectionWindowMs,
          'DuplicateDetectionHistoryTimeWindow',
        ],
        [properties.DefaultMessageTimeToLive, EMULATOR.messageTimeToLiveMs, 'DefaultMessageTimeToLive'],
      ];
      for (const [text, range, name] of checks) {
        if (text === undefined) continue;
        expect(within(isoDurationMs(text), range), `${queue.Name}.${name} = ${text}`).toBe(true);
      }
    }
  });

  it('forwards nowhere except to queues it declares', () => {
    const declared = new Set((namespace?.Queues ?? []).map((queue) => queue.Name));
    for (const queue of namespace?.Queues ?? []) {
      for (const target of [queue.Properties?.ForwardTo, queue.Properties?.ForwardDeadLetteredMessagesTo]) {
        if (target) expect(declared.has(target), `${queue.Name} forwards to ${target}`).toBe(true);
      }
    }
  });
});

describe('the sync queue, as the code and the other deployment files expect it', () => {
  it('is named after the SYNC_QUEUE_NAME default, which local settings and compose also use', () => {
    expect(syncQueue, `a queue named ${defaults.SYNC_QUEUE_NAME} in Config.json`).toBeDefined();
    expect(localSettings.Values.SYNC_QUEUE_NAME).toBe(defaults.SYNC_QUEUE_NAME);
    expect(composeEnv.SYNC_QUEUE_NAME).toBe(defaults.SYNC_QUEUE_NAME);
  });

  it('is reached through the connection setting SERVICEBUS_CONNECTION_SETTING names, in local settings and compose', () => {
    const settingName = defaults.SERVICEBUS_CONNECTION_SETTING;
    for (const [file, values] of [
      ['local.settings.json.example', localSettings.Values],
      ['docker-compose.yml', composeEnv],
    ] as const) {
      expect(values.SERVICEBUS_CONNECTION_SETTING ?? settingName, `${file} SERVICEBUS_CONNECTION_SETTING`).toBe(
        settingName,
      );
      const fields = connectionFields(values[settingName]);
      expect(fields.Endpoint, `${file} ${settingName} Endpoint`).toMatch(/^sb:\/\/[^/;:]+$/);
      expect(fields.UseDevelopmentEmulator, `${file} ${settingName} targets the emulator`).toBe('true');
    }
  });

  it('locks for one minute, dead-letters after 10 deliveries or on expiry, and needs no sessions', () => {
    expect(syncQueueProperties).toMatchObject({
      LockDuration: 'PT1M',
      MaxDeliveryCount: 10,
      DeadLetteringOnMessageExpiration: true,
      RequiresSession: false, // the syncWorker trigger is registered without sessions
    });
  });

  it('detects duplicate message ids (webhook delivery ids) over the longest window the emulator allows', () => {
    expect(syncQueueProperties.RequiresDuplicateDetection).toBe(true);
    expect(isoDurationMs(syncQueueProperties.DuplicateDetectionHistoryTimeWindow ?? '')).toBe(
      EMULATOR.duplicateDetectionWindowMs.max,
    );
  });

  it('matches the queue settings the compose file hands the service', () => {
    expect(Number(composeEnv.QUEUE_MAX_DELIVERY_COUNT)).toBe(syncQueueProperties.MaxDeliveryCount);
    expect(Number(composeEnv.QUEUE_DUPLICATE_WINDOW_SECONDS) * SECOND).toBe(
      isoDurationMs(syncQueueProperties.DuplicateDetectionHistoryTimeWindow ?? ''),
    );
  });

  it('keeps its lock renewed by the Functions host for as long as a sync may run (host.json)', () => {
    const renewal = hostJson.extensions?.serviceBus?.maxAutoLockRenewalDuration;
    expect(renewal, 'extensions.serviceBus.maxAutoLockRenewalDuration').toBeTypeOf('string');
    const renewalMs = timeSpanMs(renewal ?? '');
    expect(renewalMs).toBeGreaterThan(isoDurationMs(syncQueueProperties.LockDuration ?? ''));
    expect(renewalMs).toBeGreaterThanOrEqual(timeSpanMs(hostJson.functionTimeout ?? ''));
    // The handler throws to retry; the host completes on success and abandons on throw.
    expect(hostJson.extensions?.serviceBus?.autoCompleteMessages).toBe(true);
  });
});

describe('duration notations', () => {
  it.each([
    ['PT1M', MINUTE],
    ['PT5M', 5 * MINUTE],
    ['PT20S', 20 * SECOND],
    ['PT1H', HOUR],
    ['P1DT2H', 26 * HOUR],
  ])('ISO 8601 %s is %d ms', (text, ms) => {
    expect(isoDurationMs(text)).toBe(ms);
  });

  it.each(['', 'P', 'PT', '1M', 'PT1X', 'P1M', '00:01:00'])('ISO 8601 refuses %j', (text) => {
    expect(() => isoDurationMs(text)).toThrow();
  });

  it.each([
    ['00:10:00', 10 * MINUTE],
    ['1.02:00:30', 26 * HOUR + 30 * SECOND],
  ])('TimeSpan %s is %d ms', (text, ms) => {
    expect(timeSpanMs(text)).toBe(ms);
  });

  it.each(['10:00', '00:60:00', 'PT10M', ''])('TimeSpan refuses %j', (text) => {
    expect(() => timeSpanMs(text)).toThrow();
  });
});
