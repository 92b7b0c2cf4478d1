// The workspace: an Azure Files share mounted into the Function App over SMB.
//
// Trade-off, on purpose: App Service mounts an Azure Files share with the storage account key
// (identity-based SMB mounts are not offered for App Service / Functions), so this account must
// allow shared-key access. It therefore holds nothing but the workspace share, the key never
// leaves Azure Resource Manager (the template reads it with listKeys() into the site's mount
// configuration; no output or app setting carries it), and everything else lives in the
// identity-only data account.

param name string
param location string
param tags object

@description('Replication, e.g. Standard_LRS or Standard_ZRS.')
param skuName string

@description('Name of the file share that holds the workspace.')
param shareName string

@description('Share size limit in GiB.')
@minValue(1)
@maxValue(102400)
param shareQuotaGiB int

@description('Days a deleted share can be restored.')
@minValue(1)
@maxValue(365)
param shareSoftDeleteDays int

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
    // Required by the SMB mount (see above); the only account in the deployment with shared keys.
    allowSharedKeyAccess: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    // Also forces SMB 3 with encryption for the mount.
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource fileServices 'Microsoft.Storage/storageAccounts/fileServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    shareDeleteRetentionPolicy: {
      enabled: true
      days: shareSoftDeleteDays
    }
  }
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2024-01-01' = {
  parent: fileServices
  name: shareName
  properties: {
    enabledProtocols: 'SMB'
    accessTier: 'TransactionOptimized'
    shareQuota: shareQuotaGiB
  }
}
