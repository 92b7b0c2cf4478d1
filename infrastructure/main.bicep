// workspace-sync on Azure: one resource group holding everything the service needs.
// Deploy with infrastructure/deploy.sh (see README, "Deploying to Azure").
targetScope = 'resourceGroup'

@description('Short environment name used in resource names (dev, prod, ...).')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Region of every resource but the Static Web App.')
param location string = resourceGroup().location

@description('Static Web Apps run in a few regions only.')
@allowed([
  'centralus'
  'eastus2'
  'eastasia'
  'westeurope'
  'westus2'
])
param staticWebAppLocation string

@description('Tag of the image built from the Dockerfile and pushed to the registry (deploy.sh uses the commit).')
@minLength(1)
param imageTag string

@description('Repository of the image in the registry.')
param imageRepository string = 'workspace-sync'

@description('Entra tenant (GUID) that issues the API\'s tokens; empty = the deployment\'s tenant.')
param authTenantId string = ''

@description('AUTH_AUDIENCE: the API app registration\'s application id and/or api:// URI, comma-separated.')
@minLength(1)
param authAudience string

@description('AUTH_CLIENT_ID: the SPA app registration\'s application (client) id, handed to the browser.')
@minLength(1)
param authClientId string

@description('AUTH_API_SCOPE: scopes the SPA requests for the API; empty = <api:// audience>/.default.')
param authApiScope string = ''

@description('Elastic Premium size.')
@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param functionPlanSku string = 'EP1'

@minValue(1)
@maxValue(20)
param alwaysReadyInstances int = 1

@minValue(1)
@maxValue(100)
param maximumInstances int = 3

@description('Replication of both storage accounts.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSku string = 'Standard_LRS'

@minValue(1)
@maxValue(102400)
param workspaceShareQuotaGiB int = 100

@allowed([
  'Free'
  'Standard'
])
param staticWebAppSku string = 'Free'

@description('Other browser origins allowed to call the API (the Static Web App\'s own origin is always allowed).')
param extraCorsOrigins string[] = []

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Run the Node worker with V8\'s --optimize-for-size: a full sync peaks at about 130 MB (10,000 files) and 160 MB (50,000) instead of about 165 and 210-230 MB, for 30-110 % more main-thread CPU (README, Configuration).')
param optimizeForMemory bool = false

param tags object = {}

// --- What the code and its other deployment files agree on (checked by test/infrastructure) ------

// src/host/config.ts defaults: the queue's name and the setting the trigger's connection is read from.
var syncQueueName = 'workspace-sync'
var serviceBusConnectionSetting = 'ServiceBusConnection'
// Where the Dockerfile and the code expect the workspace (WORKSPACE_ROOT).
var workspaceMountPath = '/workspace'
// The sync queue. Duplicate detection keys on the webhook delivery id; the code's default window
// (QUEUE_DUPLICATE_WINDOW_SECONDS) is 10 minutes. Lock, deliveries and time to live match the
// emulator's queue (servicebus-emulator/Config.json), so compose and Azure behave alike; the host
// renews the lock while a sync runs (host.json maxAutoLockRenewalDuration).
var queue = {
  duplicateDetectionWindowSeconds: 600
  lockDurationSeconds: 60
  maxDeliveryCount: 10
  messageTimeToLiveSeconds: 3600
}

// --- Names -----------------------------------------------------------------------------------------

var suffix = uniqueString(subscription().id, resourceGroup().id, environmentName)
var allTags = union(tags, {
  application: 'workspace-sync'
  environment: environmentName
})
var names = {
  identity: 'id-wsync-${environmentName}'
  logAnalytics: 'log-wsync-${environmentName}'
  appInsights: 'appi-wsync-${environmentName}'
  dataStorage: take('stwsd${toLower(environmentName)}${suffix}', 24)
  workspaceStorage: take('stwsw${toLower(environmentName)}${suffix}', 24)
  workspaceShare: 'workspace'
  serviceBus: 'sb-wsync-${environmentName}-${suffix}'
  keyVault: take('kv-wsync-${environmentName}-${suffix}', 24)
  registry: 'crwsync${toLower(environmentName)}${suffix}'
  plan: 'plan-wsync-${environmentName}'
  functionApp: 'func-wsync-${environmentName}-${suffix}'
  staticWebApp: 'stapp-wsync-${environmentName}'
}

// --- Resources -------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: allTags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: location
    tags: allTags
    retentionInDays: logRetentionInDays
  }
}

module dataStorage 'modules/dataStorage.bicep' = {
  name: 'data-storage'
  params: {
    name: names.dataStorage
    location: location
    tags: allTags
    skuName: storageSku
  }
}

module workspaceStorage 'modules/workspaceStorage.bicep' = {
  name: 'workspace-storage'
  params: {
    name: names.workspaceStorage
    location: location
    tags: allTags
    skuName: storageSku
    shareName: names.workspaceShare
    shareQuotaGiB: workspaceShareQuotaGiB
    shareSoftDeleteDays: 14
  }
}

module serviceBus 'modules/serviceBus.bicep' = {
  name: 'service-bus'
  params: {
    namespaceName: names.serviceBus
    location: location
    tags: allTags
    queueName: syncQueueName
    duplicateDetectionWindowSeconds: queue.duplicateDetectionWindowSeconds
    lockDurationSeconds: queue.lockDurationSeconds
    maxDeliveryCount: queue.maxDeliveryCount
    messageTimeToLiveSeconds: queue.messageTimeToLiveSeconds
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'key-vault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    logAnalyticsName: names.logAnalytics
    softDeleteRetentionInDays: 90
  }
  dependsOn: [
    monitoring
  ]
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  params: {
    name: names.registry
    location: location
    tags: allTags
  }
}

module staticWebApp 'modules/staticWebApp.bicep' = {
  name: 'static-web-app'
  params: {
    name: names.staticWebApp
    location: staticWebAppLocation
    tags: allTags
    skuName: staticWebAppSku
  }
}

module roleAssignments 'modules/roleAssignments.bicep' = {
  name: 'role-assignments'
  params: {
    identityName: names.identity
    dataStorageName: names.dataStorage
    workspaceStorageName: names.workspaceStorage
    serviceBusNamespaceName: names.serviceBus
    queueName: syncQueueName
    keyVaultName: names.keyVault
    registryName: names.registry
    appInsightsName: names.appInsights
  }
  dependsOn: [
    identity
    dataStorage
    workspaceStorage
    serviceBus
    keyVault
    registry
    monitoring
  ]
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'function-app'
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: allTags
    planSku: functionPlanSku
    alwaysReadyInstances: alwaysReadyInstances
    maximumInstances: maximumInstances
    optimizeForMemory: optimizeForMemory
    identityName: names.identity
    registryName: names.registry
    imageRepository: imageRepository
    imageTag: imageTag
    dataStorageName: names.dataStorage
    workspaceStorageName: names.workspaceStorage
    workspaceShareName: names.workspaceShare
    workspaceMountPath: workspaceMountPath
    serviceBusNamespaceName: names.serviceBus
    serviceBusConnectionSetting: serviceBusConnectionSetting
    appInsightsName: names.appInsights
    logAnalyticsName: names.logAnalytics
    // The service's configuration under the Functions host (README, "Configuration").
    serviceSettings: {
      COMMAND_QUEUE: 'service-bus'
      SYNC_QUEUE_NAME: syncQueueName
      SERVICEBUS_CONNECTION_SETTING: serviceBusConnectionSetting
      QUEUE_MAX_DELIVERY_COUNT: string(queue.maxDeliveryCount)
      QUEUE_DUPLICATE_WINDOW_SECONDS: string(queue.duplicateDetectionWindowSeconds)
      METADATA_STORE: 'azure-tables'
      // Tables through the identity (Storage Table Data Contributor), never an account key.
      TABLES_ENDPOINT: 'https://${names.dataStorage}.table.${environment().suffixes.storage}'
      FILE_STORE: 'local'
      SECRET_STORE: 'key-vault'
      KEY_VAULT_URL: 'https://${names.keyVault}${environment().suffixes.keyvaultDns}'
      BACKUP_STORE: 'workspace'
      PUBLIC_BASE_URL: 'https://${names.functionApp}.azurewebsites.net'
      AUTH_MODE: 'entra'
      AUTH_TENANT_ID: empty(authTenantId) ? tenant().tenantId : authTenantId
      AUTH_AUDIENCE: authAudience
      AUTH_CLIENT_ID: authClientId
      AUTH_API_SCOPE: authApiScope
      // The one CORS policy is the service's own (README, "Browsers and cross-site requests"): the
      // platform CORS list stays empty, or App Service would answer preflights in the code's place.
      CORS_ALLOWED_ORIGINS: join(union([
        'https://${staticWebApp.outputs.defaultHostname}'
      ], extraCorsOrigins), ',')
    }
  }
  // Every role the app needs exists before it starts (AcrPull for its first image pull above all).
  dependsOn: [
    roleAssignments
  ]
}

// --- Outputs ---------------------------------------------------------------------------------------

@description('Base URL of the HTTP API (the Functions host serves routes under /api).')
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'

@description('Payload URL to give GitHub for a scope\'s push webhook: replace {scope} with GLOBAL or the organisation id.')
output webhookUrlPattern string = 'https://${functionApp.outputs.defaultHostName}/api/github/webhook/{scope}'

@description('Where the SPA is served.')
output spaUrl string = 'https://${staticWebApp.outputs.defaultHostname}'

// Names deploy.sh needs for the image build, the restart and the SPA upload.
output registryName string = names.registry
output functionAppName string = names.functionApp
output staticWebAppName string = names.staticWebApp
