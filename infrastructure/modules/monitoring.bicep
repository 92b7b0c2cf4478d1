// Log Analytics and a workspace-based Application Insights that accepts Entra-authenticated telemetry only.

param logAnalyticsName string
param appInsightsName string
param location string
param tags object

@description('Days Log Analytics keeps data.')
@minValue(30)
@maxValue(730)
param retentionInDays int

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    // Telemetry must carry an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING): the
    // instrumentation key in the connection string alone cannot write.
    DisableLocalAuth: true
  }
}
