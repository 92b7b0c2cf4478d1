// The storage account reached with the managed identity only: the Functions host's own storage
// (AzureWebJobsStorage: keys, timer locks) and the metadata tables. Shared keys are off.

param name string
param location string
param tags object

@description('Replication, e.g. Standard_LRS or Standard_ZRS.')
param skuName string

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // The Function App is not in a virtual network; identity, not the network, guards the data.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}
