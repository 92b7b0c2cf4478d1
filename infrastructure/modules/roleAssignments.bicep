// Least-privilege data-plane roles for the app's managed identity, each on the narrowest scope
// that works: the queue rather than the namespace, the vault, the registry, one storage account.

param identityName string
param dataStorageName string
param workspaceStorageName string
param serviceBusNamespaceName string
param queueName string
param keyVaultName string
param registryName string
param appInsightsName string

// Built-in role definition ids (the same in every subscription).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageFileDataPrivilegedContributor: '69566ab7-960f-475b-8e7c-b3118f30c6bd'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: dataStorageName
}

resource workspaceStorage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: workspaceStorageName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName

  resource queue 'queues' existing = {
    name: queueName
  }
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: registryName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The Functions host's storage with an identity: function keys, timer and singleton locks in blobs.
resource hostStorageBlobs 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, identity.id, roles.storageBlobDataOwner)
  scope: dataStorage
  properties: {
    description: 'Functions host storage (AzureWebJobsStorage): Storage Blob Data Owner'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Metadata tables (connections, runs, manifests, leases, deliveries), created by the app at start.
resource metadataTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage.id, identity.id, roles.storageTableDataContributor)
  scope: dataStorage
  properties: {
    description: 'Metadata tables: Storage Table Data Contributor'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The SMB mount itself uses the account key; this role is what the Files REST API needs with an
// identity (FILE_STORE=azure-files, for hosts that cannot mount the share).
resource workspaceFiles 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspaceStorage.id, identity.id, roles.storageFileDataPrivilegedContributor)
  scope: workspaceStorage
  properties: {
    description: 'Workspace share over the Files REST API: Storage File Data Privileged Contributor'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageFileDataPrivilegedContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The syncWorker trigger and the dead-letter routes receive; the webhook, retries and replays send.
resource queueReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::queue.id, identity.id, roles.serviceBusDataReceiver)
  scope: serviceBus::queue
  properties: {
    description: 'Sync queue and its dead-letter queue: Azure Service Bus Data Receiver'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::queue.id, identity.id, roles.serviceBusDataSender)
  scope: serviceBus::queue
  properties: {
    description: 'Sync queue: Azure Service Bus Data Sender'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Connecting a scope stores its token and webhook secret; disconnecting deletes them, and a
// reconnect recovers a soft-deleted name: get, set, delete and recover on secrets.
resource vaultSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    description: 'Connection secrets: Key Vault Secrets Officer'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource imagePull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identity.id, roles.acrPull)
  scope: registry
  properties: {
    description: 'Function App image: AcrPull'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Application Insights has local (key) authentication off: telemetry is sent with this identity.
resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    description: 'Telemetry to Application Insights: Monitoring Metrics Publisher'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}
