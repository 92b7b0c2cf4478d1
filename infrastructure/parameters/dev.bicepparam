// Development: smallest sizes. The Entra settings come from the environment (deploy.sh sets them).
using '../main.bicep'

param environmentName = 'dev'
param staticWebAppLocation = 'westeurope'
param imageTag = readEnvironmentVariable('WSYNC_IMAGE_TAG', 'latest')
param authTenantId = readEnvironmentVariable('AUTH_TENANT_ID', '')
param authAudience = readEnvironmentVariable('AUTH_AUDIENCE', '')
param authClientId = readEnvironmentVariable('AUTH_CLIENT_ID', '')
param authApiScope = readEnvironmentVariable('AUTH_API_SCOPE', '')
param functionPlanSku = 'EP1'
param alwaysReadyInstances = 1
param maximumInstances = 2
param storageSku = 'Standard_LRS'
param workspaceShareQuotaGiB = 10
param staticWebAppSku = 'Free'
param extraCorsOrigins = [
  // The SPA's dev server (npm run dev in client/).
  'http://localhost:5173'
]
param logRetentionInDays = 30
// true: less memory per sync for more CPU (README, Configuration).
param optimizeForMemory = false
