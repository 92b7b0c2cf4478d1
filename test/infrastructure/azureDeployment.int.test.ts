import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubWebhookFunction } from '../../src/functions/githubWebhook';
import { healthFunction } from '../../src/functions/health';
import { checkFunctionsHostConfig } from '../../src/host/appContainer';
import { ConfigError, configSchema, loadConfig } from '../../src/host/config';
import { Lifecycle } from '../../src/host/Lifecycle';
import { queueModule } from '../../src/host/modules/queueModule';
import { captureLogger } from '../support/captureLogger';
import { type ArmValue, DeployTimeValue, evaluate, evaluateString, show } from './armExpressions';
import {
  copyInfrastructure,
  DEPLOY_ENVIRONMENT,
  type DeploymentSnapshot,
  type PredictedResource,
  requireBicep,
  SNAPSHOT_SCOPE,
  snapshot,
} from './bicepCli';
import { envOf, readStages } from './dockerfileInstructions';
import { isoDurationMs, timeSpanMs } from './durations';
import { readProjectFile, readProjectJson } from './infraFiles';

/**
 * infrastructure/main.bicep, expanded by `bicep snapshot` with each parameter file into the
 * resources ARM would create, checked against the code: the settings the configuration requires
 * under the Functions host (asked of src/host/config.ts and the composition root, not listed
 * here), the queue as host.json, the emulator's Config.json and the code expect it, the managed
 * identity's roles, the workspace mount, transport security and where shared keys remain.
 * Nothing is deployed: no subscription is contacted.
 */

/**
 * A setting with a host name ARM assigns only at deployment (the Static Web App's, in
 * CORS_ALLOWED_ORIGINS) is checked with a host of the same shape standing in for it.
 */
function asDeployed(value: string): string {
  return value.replace(/<reference [^>]*\.defaultHostname>/g, 'sample-host-0a1b2c3d4.azurestaticapps.net');
}

const TIMEOUT = 300_000;
const ENVIRONMENTS = ['dev', 'prod'] as const;
type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Built-in role definition ids (identical in every subscription) and their names. */
const BUILT_IN_ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '69566ab7-960f-475b-8e7c-b3118f30c6bd': 'Storage File Data Privileged Contributor',
  '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0': 'Azure Service Bus Data Receiver',
  '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39': 'Azure Service Bus Data Sender',
  'b86a8fe4-44ce-4948-aee5-eccb2c155cd7': 'Key Vault Secrets Officer',
  '7f951dda-4ed3-4680-a7ca-43fe172d538d': 'AcrPull',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
};

/** What the app's identity should hold, and on what: [role, resource type, which resource]. */
type Grant = readonly [
  role: string,
  resourceType: string,
  resource: 'data storage' | 'workspace storage' | 'sync queue' | 'only',
];
const INTENDED_GRANTS: readonly Grant[] = [
  ['Storage Blob Data Owner', 'Microsoft.Storage/storageAccounts', 'data storage'], // Functions host storage
  ['Storage Table Data Contributor', 'Microsoft.Storage/storageAccounts', 'data storage'], // metadata tables
  ['Storage File Data Privileged Contributor', 'Microsoft.Storage/storageAccounts', 'workspace storage'], // Files REST
  ['Azure Service Bus Data Receiver', 'Microsoft.ServiceBus/namespaces/queues', 'sync queue'],
  ['Azure Service Bus Data Sender', 'Microsoft.ServiceBus/namespaces/queues', 'sync queue'],
  ['Key Vault Secrets Officer', 'Microsoft.KeyVault/vaults', 'only'],
  ['AcrPull', 'Microsoft.ContainerRegistry/registries', 'only'],
  ['Monitoring Metrics Publisher', 'Microsoft.Insights/components', 'only'],
];

/**
 * Settings the Functions host itself reads (Functions app settings reference), besides the
 * `AzureWebJobsStorage__*` and `<connection>__*` identity-based connection settings.
 */
const FUNCTIONS_HOST_SETTINGS = new Set([
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'WEBSITES_ENABLE_APP_SERVICE_STORAGE',
  // The options the host starts the Node worker with (test/infrastructure/nodeArguments.unit.test.ts).
  'languageWorkers__node__arguments',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  // DefaultAzureCredential (@azure/identity): which user-assigned identity to use.
  'AZURE_CLIENT_ID',
]);

const SCRIPT_ROOT = '/home/site/wwwroot';
const hostJson = readProjectJson('host.json') as {
  functionTimeout?: string;
  extensions?: { http?: { routePrefix?: string }; serviceBus?: { maxAutoLockRenewalDuration?: string } };
};
const routePrefix = hostJson.extensions?.http?.routePrefix ?? 'api';
const emulatorQueues = (
  readProjectJson('servicebus-emulator/Config.json') as {
    UserConfig: { Namespaces: { Queues: { Name: string; Properties: Record<string, unknown> }[] }[] };
  }
).UserConfig.Namespaces[0]!.Queues;
const imageEnv = envOf(readStages(readProjectFile('Dockerfile')).at(-1)!);
const schemaDefaults = configSchema.parse({});

let copy: ReturnType<typeof copyInfrastructure>;
const snapshots = new Map<EnvironmentName, DeploymentSnapshot>();

beforeAll(() => {
  requireBicep();
  copy = copyInfrastructure();
  for (const environment of ENVIRONMENTS)
    snapshots.set(environment, snapshot(copy.folder, `parameters/${environment}.bicepparam`));
}, TIMEOUT);

afterAll(() => copy?.remove());

/** A resource group's predicted resources, with their ARM expressions evaluated where they can be. */
class Deployment {
  readonly resources: readonly (PredictedResource & { readonly properties: Record<string, ArmValue> })[];
  readonly outputs: Record<string, ArmValue>;

  constructor(readonly snapshot: DeploymentSnapshot) {
    this.resources = snapshot.predictedResources.map((resource) => ({
      ...resource,
      properties: evaluate(resource.properties ?? {}) as Record<string, ArmValue>,
    }));
    this.outputs = evaluate(snapshot.outputs) as Record<string, ArmValue>;
  }

  all(type: string) {
    return this.resources.filter((resource) => resource.type === type);
  }

  one(type: string, name?: string) {
    const matches = this.all(type).filter((resource) => name === undefined || resource.name === name);
    if (matches.length !== 1)
      throw new Error(`expected one ${type}${name ? ` named ${name}` : ''}, found ${matches.length}`);
    return matches[0]!;
  }

  byId(id: string) {
    const found = this.resources.find((resource) => resource.id.toLowerCase() === id.toLowerCase());
    if (!found) throw new Error(`no predicted resource ${id}`);
    return found;
  }

  get site() {
    return this.one('Microsoft.Web/sites');
  }

  get siteConfig(): Record<string, ArmValue> {
    return this.site.properties.siteConfig as Record<string, ArmValue>;
  }

  /** The app settings ARM writes (the site's `appsettings` config resource). */
  get appSettings(): Record<string, ArmValue> {
    return this.one('Microsoft.Web/sites/config', `${this.site.name}/appsettings`).properties;
  }

  /** The app settings as the snapshot has them, ARM expressions unevaluated. */
  get rawAppSettings(): Record<string, unknown> {
    const site = this.site.name;
    return (
      this.snapshot.predictedResources.find((resource) => resource.name === `${site}/appsettings`)?.properties ?? {}
    );
  }

  /** What the worker's environment holds in the container: the image's ENV, then the app settings. */
  get containerEnv(): Record<string, string> {
    const settings = Object.fromEntries(
      Object.entries(this.appSettings).map(([name, value]) => [name, asDeployed(show(value))]),
    );
    return { ...imageEnv, ...settings };
  }

  get mount(): Record<string, ArmValue> {
    const mounts = Object.values(this.siteConfig.azureStorageAccounts as Record<string, Record<string, ArmValue>>);
    if (mounts.length !== 1) throw new Error(`expected one storage mount, found ${mounts.length}`);
    return mounts[0]!;
  }

  get workspaceAccount() {
    return this.one('Microsoft.Storage/storageAccounts', show(this.mount.accountName ?? ''));
  }

  /** The identity-only account: the one the Functions host's storage settings point at. */
  get dataAccount() {
    const blob = show(this.appSettings.AzureWebJobsStorage__blobServiceUri ?? '');
    return this.one('Microsoft.Storage/storageAccounts', new URL(blob).hostname.split('.')[0]);
  }

  get identity() {
    return this.one('Microsoft.ManagedIdentity/userAssignedIdentities');
  }
}

/** Asks the code what it still lacks: loadConfig, the Functions-host check and the queue wiring. */
function functionsHostProblems(env: Record<string, string>): string[] {
  const problems: string[] = [];
  const collect = (check: () => void) => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  };
  let config: ReturnType<typeof loadConfig> | undefined;
  collect(() => {
    config = loadConfig(env, SCRIPT_ROOT);
  });
  if (!config) return problems;
  const loaded = config;
  collect(() => checkFunctionsHostConfig(loaded, env));
  const lifecycle = new Lifecycle();
  collect(() => new Container().load(queueModule(loaded, env, captureLogger().logger, lifecycle)));
  void lifecycle.stopAll();
  return problems;
}

function isDeployTime(
  value: ArmValue | undefined,
  fn: DeployTimeValue['fn'],
  resource: { id: string },
  path: string,
): boolean {
  return (
    value instanceof DeployTimeValue &&
    value.fn === fn &&
    value.resourceId.toLowerCase() === resource.id.toLowerCase() &&
    value.path.join('.') === path
  );
}

describe.each(ENVIRONMENTS)('parameters/%s.bicepparam', (environment) => {
  const deployment = () => new Deployment(snapshots.get(environment)!);

  it('is expanded by bicep snapshot without diagnostics', () => {
    expect(snapshots.get(environment)!.diagnostics).toEqual([]);
    expect(deployment().resources.length).toBeGreaterThan(20);
  });

  describe('app settings under the Functions host', () => {
    it('name only settings the service reads, settings the Functions host reads, or identity-based connection settings', () => {
      const { appSettings } = deployment();
      const connectionPrefix = `${show(appSettings.SERVICEBUS_CONNECTION_SETTING ?? schemaDefaults.SERVICEBUS_CONNECTION_SETTING)}__`;
      const unknown = Object.keys(appSettings).filter(
        (name) =>
          !(name in configSchema.shape) &&
          !FUNCTIONS_HOST_SETTINGS.has(name) &&
          !name.startsWith('AzureWebJobsStorage__') &&
          !name.startsWith(connectionPrefix),
      );
      expect(unknown).toEqual([]);
    });

    it('give every setting of the configuration schema a value it accepts, known before deployment but for host names ARM assigns', () => {
      for (const [name, value] of Object.entries(deployment().appSettings)) {
        if (!(name in configSchema.shape)) continue;
        expect(typeof value, `${name} = ${show(value)}`).toBe('string');
        const check = configSchema.shape[name as keyof typeof configSchema.shape].safeParse(
          value === '' ? undefined : asDeployed(value as string),
        );
        expect(check.success, `${name} = ${show(value)}: ${check.error?.message ?? ''}`).toBe(true);
      }
    });

    it('set every setting the configuration requires under the Functions host, with the identity only: no connection string, no key', () => {
      const { containerEnv } = deployment();
      expect(functionsHostProblems(containerEnv)).toEqual([]);
      const serviceBusSetting =
        containerEnv.SERVICEBUS_CONNECTION_SETTING ?? schemaDefaults.SERVICEBUS_CONNECTION_SETTING;
      for (const name of ['TABLES_CONNECTION_STRING', serviceBusSetting])
        expect(containerEnv[name], name).toBeUndefined();
    });

    it('point the metadata tables at the identity-only data account, over HTTPS', () => {
      const deployed = deployment();
      const config = loadConfig(deployed.containerEnv, SCRIPT_ROOT);
      expect(config.METADATA_STORE).toBe('azure-tables');
      expect(config.TABLES_ENDPOINT).toBe(`https://${deployed.dataAccount.name}.table.core.windows.net`);
      expect(config.TABLES_ENDPOINT).toBe(deployed.appSettings.AzureWebJobsStorage__tableServiceUri);
    });

    it('connect the syncWorker trigger with the identity, under the prefix SERVICEBUS_CONNECTION_SETTING names, to the deployed namespace', () => {
      const deployed = deployment();
      const { appSettings, identity } = deployed;
      const namespace = deployed.one('Microsoft.ServiceBus/namespaces');
      const prefix = show(appSettings.SERVICEBUS_CONNECTION_SETTING!);
      expect(prefix).toBe(schemaDefaults.SERVICEBUS_CONNECTION_SETTING);
      const fqdn = appSettings[`${prefix}__fullyQualifiedNamespace`];
      expect(
        fqdn instanceof DeployTimeValue && fqdn.resourceId === namespace.id && fqdn.path[0] === 'serviceBusEndpoint',
        show(fqdn ?? null),
      ).toBe(true);
      // The namespace's serviceBusEndpoint reads https://<name>.servicebus.windows.net:443/; the setting wants the host alone.
      const expression = String(deployed.rawAppSettings[`${prefix}__fullyQualifiedNamespace`]);
      const withEndpoint = expression.replace(
        /reference\('[^']*', '[^']*'\)\.serviceBusEndpoint/,
        `'https://${namespace.name}.servicebus.windows.net:443/'`,
      );
      expect(withEndpoint).not.toBe(expression);
      expect(evaluateString(withEndpoint)).toBe(`${namespace.name}.servicebus.windows.net`);
      expect(appSettings[`${prefix}__credential`]).toBe('managedidentity');
      expect(
        isDeployTime(appSettings[`${prefix}__clientId`], 'reference', identity, 'clientId'),
        show(appSettings[`${prefix}__clientId`] ?? null),
      ).toBe(true);
    });

    it('give the Functions host its storage through the identity: blob, queue and table URIs of the data account', () => {
      const { appSettings, dataAccount, identity } = deployment();
      expect(appSettings.AzureWebJobsStorage).toBeUndefined();
      for (const service of ['blob', 'queue', 'table']) {
        expect(appSettings[`AzureWebJobsStorage__${service}ServiceUri`]).toBe(
          `https://${dataAccount.name}.${service}.core.windows.net`,
        );
      }
      expect(appSettings.AzureWebJobsStorage__credential).toBe('managedidentity');
      expect(isDeployTime(appSettings.AzureWebJobsStorage__clientId, 'reference', identity, 'clientId')).toBe(true);
      expect(isDeployTime(appSettings.AZURE_CLIENT_ID, 'reference', identity, 'clientId')).toBe(true);
    });

    it('point the service at what the template deploys, with Entra auth from the environment deploy.sh sets', () => {
      const deployed = deployment();
      const config = loadConfig(deployed.containerEnv, SCRIPT_ROOT);
      const vault = deployed.one('Microsoft.KeyVault/vaults');
      expect(config.COMMAND_QUEUE).toBe('service-bus');
      expect(config.METADATA_STORE).toBe('azure-tables');
      expect(config.SECRET_STORE).toBe('key-vault');
      expect(config.KEY_VAULT_URL).toBe(`https://${vault.name}.vault.azure.net`);
      expect(config.BACKUP_STORE).toBe('workspace');
      expect(config.publicBaseUrl).toBe(`https://${deployed.site.name}.azurewebsites.net`);
      expect(config.AUTH_MODE).toBe('entra');
      expect(config.AUTH_TENANT_ID).toBe(SNAPSHOT_SCOPE.tenantId);
      expect(config.auth?.audiences).toEqual([DEPLOY_ENVIRONMENT.AUTH_AUDIENCE]);
      expect(config.AUTH_CLIENT_ID).toBe(DEPLOY_ENVIRONMENT.AUTH_CLIENT_ID);
      expect(deployed.appSettings.FUNCTIONS_WORKER_RUNTIME).toBe('node');
      expect(deployed.appSettings.FUNCTIONS_EXTENSION_VERSION).toBe('~4');
    });

    it("start the Node worker with the image's options (optimizeForMemory is off)", () => {
      expect(deployment().appSettings.languageWorkers__node__arguments).toBe(imageEnv.languageWorkers__node__arguments);
    });

    it('send telemetry to the deployed Application Insights, authenticated with the identity (local auth is off)', () => {
      const deployed = deployment();
      const { appSettings, identity } = deployed;
      const component = deployed.one('Microsoft.Insights/components');
      expect(
        isDeployTime(appSettings.APPLICATIONINSIGHTS_CONNECTION_STRING, 'reference', component, 'ConnectionString'),
      ).toBe(true);
      expect(show(appSettings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING!)).toBe(
        `Authorization=AAD;ClientId=${new DeployTimeValue('reference', identity.id, ['clientId']).toString()}`,
      );
      expect(component.properties.DisableLocalAuth).toBe(true);
    });
  });

  describe('the workspace share', () => {
    it('is mounted where the code reads the workspace: WORKSPACE_ROOT, as loadConfig resolves it and as the Dockerfile sets it', () => {
      const deployed = deployment();
      const { mount } = deployed;
      const config = loadConfig(deployed.containerEnv, SCRIPT_ROOT);
      expect(mount.mountPath).toBe(config.workspaceRoot);
      expect(mount.mountPath).toBe(deployed.appSettings.WORKSPACE_ROOT);
      expect(mount.mountPath).toBe(imageEnv.WORKSPACE_ROOT);
    });

    it('is an SMB mount of the deployed share, with the account key read by ARM at deployment (never a literal)', () => {
      const deployed = deployment();
      const { mount, workspaceAccount } = deployed;
      expect(mount.type).toBe('AzureFiles');
      expect(mount.protocol).toBe('Smb');
      deployed.one(
        'Microsoft.Storage/storageAccounts/fileServices/shares',
        `${workspaceAccount.name}/default/${show(mount.shareName!)}`,
      );
      expect(
        isDeployTime(mount.accessKey, 'listKeys', workspaceAccount, 'keys.0.value'),
        show(mount.accessKey ?? null),
      ).toBe(true);
    });
  });

  describe('the sync queue', () => {
    const queue = () => {
      const deployed = deployment();
      const config = loadConfig(deployed.containerEnv, SCRIPT_ROOT);
      const namespace = deployed.one('Microsoft.ServiceBus/namespaces');
      return {
        config,
        namespace,
        queue: deployed.one('Microsoft.ServiceBus/namespaces/queues', `${namespace.name}/${config.SYNC_QUEUE_NAME}`)
          .properties,
      };
    };
    const emulator = () =>
      emulatorQueues.find((candidate) => candidate.Name === schemaDefaults.SYNC_QUEUE_NAME)!.Properties;

    it('is the one queue, named as the code, the trigger binding and the emulator name it', () => {
      const { config } = queue();
      expect(deployment().all('Microsoft.ServiceBus/namespaces/queues')).toHaveLength(1);
      expect(config.SYNC_QUEUE_NAME).toBe(schemaDefaults.SYNC_QUEUE_NAME);
      expect(emulatorQueues.map((candidate) => candidate.Name)).toContain(config.SYNC_QUEUE_NAME);
    });

    it('detects duplicate message ids for QUEUE_DUPLICATE_WINDOW_SECONDS, at least 10 minutes and no shorter than the emulator', () => {
      const { config, queue: properties } = queue();
      expect(properties.requiresDuplicateDetection).toBe(true);
      const windowMs = isoDurationMs(show(properties.duplicateDetectionHistoryTimeWindow!));
      expect(windowMs).toBe(config.QUEUE_DUPLICATE_WINDOW_SECONDS * 1000);
      expect(windowMs).toBe(schemaDefaults.QUEUE_DUPLICATE_WINDOW_SECONDS * 1000);
      expect(windowMs).toBeGreaterThanOrEqual(10 * 60_000);
      expect(windowMs).toBeGreaterThanOrEqual(isoDurationMs(String(emulator().DuplicateDetectionHistoryTimeWindow)));
    });

    it('locks, delivers, expires and dead-letters as the emulator queue does, with no sessions', () => {
      const { config, queue: properties } = queue();
      const local = emulator();
      expect(isoDurationMs(show(properties.lockDuration!))).toBe(isoDurationMs(String(local.LockDuration)));
      expect(isoDurationMs(show(properties.defaultMessageTimeToLive!))).toBe(
        isoDurationMs(String(local.DefaultMessageTimeToLive)),
      );
      expect(properties.maxDeliveryCount).toBe(local.MaxDeliveryCount);
      expect(properties.maxDeliveryCount).toBe(config.QUEUE_MAX_DELIVERY_COUNT);
      expect(properties.deadLetteringOnMessageExpiration).toBe(true);
      expect(properties.requiresSession).toBe(local.RequiresSession);
      expect(properties.requiresSession).toBe(false);
    });

    it('keeps its lock within Service Bus limits and renewed by the host for the longest function run (host.json)', () => {
      const lockMs = isoDurationMs(show(queue().queue.lockDuration!));
      expect(lockMs).toBeLessThanOrEqual(5 * 60_000);
      const renewalMs = timeSpanMs(hostJson.extensions?.serviceBus?.maxAutoLockRenewalDuration ?? '');
      expect(renewalMs).toBeGreaterThan(lockMs);
      expect(renewalMs).toBeGreaterThanOrEqual(timeSpanMs(hostJson.functionTimeout ?? ''));
    });

    it('lives in a namespace that accepts Entra ID only, over TLS 1.2', () => {
      const { namespace } = queue();
      expect(namespace.properties.disableLocalAuth).toBe(true);
      expect(namespace.properties.minimumTlsVersion).toBe('1.2');
      expect(namespace.sku?.name).toBe('Standard'); // Basic has no duplicate detection
    });
  });

  describe("the app's identity", () => {
    it('holds only built-in roles from the table, as a service principal', () => {
      const deployed = deployment();
      const { identity } = deployed;
      const assignments = deployed.all('Microsoft.Authorization/roleAssignments');
      expect(assignments.length).toBeGreaterThan(0);
      for (const assignment of assignments) {
        const roleId = show(assignment.properties.roleDefinitionId!);
        const prefix = `/subscriptions/${SNAPSHOT_SCOPE.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/`;
        expect(roleId.startsWith(prefix), roleId).toBe(true);
        expect(BUILT_IN_ROLES[roleId.slice(prefix.length)], `${roleId} is in the table`).toBeDefined();
        expect(isDeployTime(assignment.properties.principalId, 'reference', identity, 'principalId')).toBe(true);
        expect(assignment.properties.principalType).toBe('ServicePrincipal');
      }
    });

    it('holds exactly the intended roles, each on the narrowest resource that works', () => {
      const deployed = deployment();
      const queueResource = deployed.one('Microsoft.ServiceBus/namespaces/queues');
      const expectedName = (target: Grant[2]) =>
        ({
          'data storage': deployed.dataAccount.name,
          'workspace storage': deployed.workspaceAccount.name,
          'sync queue': queueResource.name,
        })[target as string];
      const granted = deployed.all('Microsoft.Authorization/roleAssignments').map((assignment) => {
        const roleId = show(assignment.properties.roleDefinitionId!).split('/').at(-1)!;
        const scope = deployed.byId(
          assignment.id.slice(0, assignment.id.indexOf('/providers/Microsoft.Authorization/roleAssignments/')),
        );
        return `${BUILT_IN_ROLES[roleId]} on ${scope.type} ${scope.name}`;
      });
      const intended = INTENDED_GRANTS.map(([role, type, target]) => {
        const name = target === 'only' ? deployed.one(type).name : expectedName(target);
        return `${role} on ${type} ${name}`;
      });
      expect(granted.sort()).toEqual(intended.sort());
    });

    it('is the user-assigned identity the Function App runs as and pulls its image with', () => {
      const { site, siteConfig, identity } = deployment();
      expect(site.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { [identity.id]: {} } });
      expect(siteConfig.acrUseManagedIdentityCreds).toBe(true);
      expect(isDeployTime(siteConfig.acrUserManagedIdentityID, 'reference', identity, 'clientId')).toBe(true);
    });
  });

  describe('transport security and keys', () => {
    it('storage: TLS 1.2, HTTPS only, no public blob access, no cross-tenant replication', () => {
      for (const account of deployment().all('Microsoft.Storage/storageAccounts')) {
        expect(account.properties, account.name).toMatchObject({
          minimumTlsVersion: 'TLS1_2',
          supportsHttpsTrafficOnly: true,
          allowBlobPublicAccess: false,
          allowCrossTenantReplication: false,
        });
      }
    });

    it('storage: shared keys are off wherever the identity is used; only the account behind the SMB mount keeps them, for nothing else', () => {
      const deployed = deployment();
      const accounts = deployed.all('Microsoft.Storage/storageAccounts');
      expect(accounts).toHaveLength(2);
      expect(deployed.dataAccount.properties.allowSharedKeyAccess).toBe(false);
      expect(deployed.dataAccount.properties.defaultToOAuthAuthentication).toBe(true);
      // The SMB mount needs the key (App Service offers no identity-based mount).
      expect(deployed.workspaceAccount.properties.allowSharedKeyAccess).toBe(true);
      // ... so that account serves the mount alone: no app setting names it, it holds one share and no other service.
      const named = Object.entries(deployed.appSettings).filter(([, value]) =>
        show(value).includes(deployed.workspaceAccount.name),
      );
      expect(named).toEqual([]);
      const children = deployed.resources.filter(
        (resource) =>
          resource.type.startsWith('Microsoft.Storage/storageAccounts/') &&
          resource.name.startsWith(`${deployed.workspaceAccount.name}/`),
      );
      expect(children.map((child) => child.type).sort()).toEqual([
        'Microsoft.Storage/storageAccounts/fileServices',
        'Microsoft.Storage/storageAccounts/fileServices/shares',
      ]);
    });

    it('the Function App: HTTPS only, TLS 1.2 for the site and SCM, no FTP, no basic-auth publishing', () => {
      const deployed = deployment();
      expect(deployed.site.properties.httpsOnly).toBe(true);
      expect(deployed.siteConfig).toMatchObject({
        minTlsVersion: '1.2',
        scmMinTlsVersion: '1.2',
        ftpsState: 'Disabled',
      });
      const policies = deployed.all('Microsoft.Web/sites/basicPublishingCredentialsPolicies');
      expect(policies.map((policy) => policy.name.split('/').at(-1)).sort()).toEqual(['ftp', 'scm']);
      for (const policy of policies) expect(policy.properties.allow).toBe(false);
    });

    it('Key Vault: Azure RBAC, soft delete and purge protection; registry without admin user; logs and telemetry without local auth', () => {
      const deployed = deployment();
      expect(deployed.one('Microsoft.KeyVault/vaults').properties).toMatchObject({
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        enablePurgeProtection: true,
      });
      expect(deployed.one('Microsoft.ContainerRegistry/registries').properties.adminUserEnabled).toBe(false);
      expect(deployed.one('Microsoft.OperationalInsights/workspaces').properties).toMatchObject({
        features: { disableLocalAuth: true },
      });
      expect(deployed.one('Microsoft.Insights/components').properties.DisableLocalAuth).toBe(true);
    });
  });

  describe('the Function App', () => {
    it('runs the image built from the Dockerfile, from the deployed registry, at the tag deploy.sh gives', () => {
      const deployed = deployment();
      const registry = deployed.one('Microsoft.ContainerRegistry/registries');
      expect(deployed.siteConfig.linuxFxVersion).toBe(
        `DOCKER|${registry.name}.azurecr.io/workspace-sync:${DEPLOY_ENVIRONMENT.WSYNC_IMAGE_TAG}`,
      );
      expect(deployed.site.kind).toBe('functionapp,linux,container');
      expect(deployed.appSettings.WEBSITES_ENABLE_APP_SERVICE_STORAGE).toBe('false');
    });

    it('runs on a Linux Elastic Premium plan with an always-ready instance (webhooks answered without a cold start)', () => {
      const deployed = deployment();
      const plan = deployed.one('Microsoft.Web/serverfarms');
      expect(deployed.site.properties.serverFarmId).toBe(plan.id);
      expect(plan.sku?.tier).toBe('ElasticPremium');
      expect(plan.properties.reserved).toBe(true);
      expect(deployed.siteConfig.minimumElasticInstanceCount).toBeGreaterThanOrEqual(1);
    });

    it('is health-checked on the liveness route', () => {
      expect(deployment().siteConfig.healthCheckPath).toBe(`/${routePrefix}/${healthFunction.route}`);
    });

    it('lets the SPA (the Static Web App) call the API through the service CORS policy (CORS_ALLOWED_ORIGINS), with no platform CORS and no wildcard', () => {
      const deployed = deployment();
      const staticSite = deployed.one('Microsoft.Web/staticSites');
      // Platform CORS, when it lists any origin, answers preflights itself in the code's place.
      expect(deployed.siteConfig.cors).toBeUndefined();
      const origins = show(deployed.appSettings.CORS_ALLOWED_ORIGINS as ArmValue).split(',');
      expect(origins).toContain(
        `https://${new DeployTimeValue('reference', staticSite.id, ['defaultHostname']).toString()}`,
      );
      expect(origins).not.toContain('*');
    });
  });

  describe('outputs', () => {
    it('give the API base URL and the webhook URL pattern of the deployed app, with the routes the code registers', () => {
      const deployed = deployment();
      const host = new DeployTimeValue('reference', deployed.site.id, ['defaultHostName']).toString();
      expect(deployed.outputs.apiBaseUrl).toBe(`https://${host}/${routePrefix}`);
      expect(deployed.outputs.webhookUrlPattern).toBe(`https://${host}/${routePrefix}/${githubWebhookFunction.route}`);
      expect(githubWebhookFunction.route).toContain('{scope}');
    });

    it('name the registry, the Function App and the Static Web App that deploy.sh builds into, restarts and publishes to', () => {
      const deployed = deployment();
      expect(deployed.outputs.registryName).toBe(deployed.one('Microsoft.ContainerRegistry/registries').name);
      expect(deployed.outputs.functionAppName).toBe(deployed.site.name);
      expect(deployed.outputs.staticWebAppName).toBe(deployed.one('Microsoft.Web/staticSites').name);
    });
  });
});

describe('optimizeForMemory', () => {
  it(
    "adds V8's --optimize-for-size to the Node worker's options, and changes nothing else",
    () => {
      const prod = readFileSync(join(copy.folder, 'parameters/prod.bicepparam'), 'utf8');
      const memory = prod.replace(/^param optimizeForMemory = false$/m, 'param optimizeForMemory = true');
      expect(memory).not.toBe(prod);
      writeFileSync(join(copy.folder, 'parameters/memory.bicepparam'), memory);
      const changed = new Deployment(snapshot(copy.folder, 'parameters/memory.bicepparam'));
      const { languageWorkers__node__arguments: args, ...others } = changed.appSettings;
      expect(args).toBe(`${imageEnv.languageWorkers__node__arguments} --optimize-for-size`);
      const { languageWorkers__node__arguments: _, ...prodOthers } = new Deployment(snapshots.get('prod')!).appSettings;
      expect(others).toStrictEqual(prodOthers);
    },
    TIMEOUT,
  );
});
