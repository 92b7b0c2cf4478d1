// The Function App: the Dockerfile's image on a Linux Elastic Premium plan, the workspace share
// mounted over SMB, every connection made with the user-assigned identity.

param planName string
param appName string
param location string
param tags object

@allowed([
  'EP1'
  'EP2'
  'EP3'
])
param planSku string

@description('Instances kept warm at all times: a push webhook must be answered within 10 s.')
@minValue(1)
@maxValue(20)
param alwaysReadyInstances int

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(100)
param maximumInstances int

@description('Add V8\'s --optimize-for-size to the Node worker\'s options: less memory, more CPU.')
param optimizeForMemory bool

param identityName string
param registryName string
param imageRepository string
param imageTag string
param dataStorageName string
param workspaceStorageName string
param workspaceShareName string

@description('Where the workspace share is mounted in the container: WORKSPACE_ROOT.')
param workspaceMountPath string

param serviceBusNamespaceName string

@description('Prefix of the Service Bus connection settings: the SERVICEBUS_CONNECTION_SETTING the syncWorker trigger names.')
param serviceBusConnectionSetting string

param appInsightsName string
param logAnalyticsName string

@description('The service\'s own settings (src/host/config.ts), by name; empty values are left out.')
param serviceSettings object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource workspaceStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: workspaceStorageName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

var storageSuffix = environment().suffixes.storage
var identitySettings = {
  // DefaultAzureCredential in the SDKs: Tables, Service Bus and Key Vault.
  AZURE_CLIENT_ID: identity.properties.clientId
  // The host's own storage, identity-based (no AzureWebJobsStorage connection string).
  AzureWebJobsStorage__blobServiceUri: 'https://${dataStorageName}.blob.${storageSuffix}'
  AzureWebJobsStorage__queueServiceUri: 'https://${dataStorageName}.queue.${storageSuffix}'
  AzureWebJobsStorage__tableServiceUri: 'https://${dataStorageName}.table.${storageSuffix}'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  // The Service Bus trigger's identity-based connection (the extension reads <prefix>__*).
  '${serviceBusConnectionSetting}__fullyQualifiedNamespace': replace(split(serviceBus.properties.serviceBusEndpoint, '/')[2], ':443', '')
  '${serviceBusConnectionSetting}__credential': 'managedidentity'
  '${serviceBusConnectionSetting}__clientId': identity.properties.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.properties.clientId}'
}
// The Node worker's options, as the Dockerfile sets them: an 8 MB young generation keeps a full
// sync's peak RSS lower.
var workerNodeArguments = '--max-semi-space-size=8'
var hostSettings = {
  FUNCTIONS_EXTENSION_VERSION: '~4'
  FUNCTIONS_WORKER_RUNTIME: 'node'
  // The image carries the code: no /home content share.
  WEBSITES_ENABLE_APP_SERVICE_STORAGE: 'false'
  WORKSPACE_ROOT: workspaceMountPath
  // App settings override the image's environment: the Node worker's options are set here again.
  languageWorkers__node__arguments: optimizeForMemory
    ? '${workerNodeArguments} --optimize-for-size'
    : workerNodeArguments
}
var settings = union(serviceSettings, hostSettings, identitySettings)

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'elastic'
  sku: {
    name: planSku
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true // Linux
    maximumElasticWorkerCount: maximumInstances
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux,container'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      linuxFxVersion: 'DOCKER|${registryName}${environment().suffixes.acrLoginServer}/${imageRepository}:${imageTag}'
      acrUseManagedIdentityCreds: true
      acrUserManagedIdentityID: identity.properties.clientId
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      minimumElasticInstanceCount: alwaysReadyInstances
      functionAppScaleLimit: maximumInstances
      healthCheckPath: '/api/health'
      azureStorageAccounts: {
        workspace: {
          type: 'AzureFiles'
          protocol: 'Smb'
          accountName: workspaceStorage.name
          shareName: workspaceShareName
          mountPath: workspaceMountPath
          // SMB mounts need the key (see workspaceStorage.bicep); it stays inside ARM.
          accessKey: workspaceStorage.listKeys().keys[0].value
        }
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: settings
}

// No FTP or SCM basic-auth publishing: images come from the registry, deployments through ARM.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource functionLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'function-logs-to-log-analytics'
  scope: site
  properties: {
    workspaceId: logAnalytics.id
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
  }
}

output defaultHostName string = site.properties.defaultHostName
