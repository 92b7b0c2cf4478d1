// Key Vault for GitHub tokens and webhook secrets (SECRET_STORE=key-vault): Azure RBAC, soft
// delete and purge protection (a deleted secret can be recovered, never purged early).

param name string
param location string
param tags object

@description('Log Analytics workspace that receives the vault\'s audit events.')
param logAnalyticsName string

@description('Days a deleted vault or secret can be recovered (fixed once the vault exists).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsName
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalytics.id
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}
