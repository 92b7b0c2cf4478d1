// Production: zone-redundant storage, more headroom. The Entra settings come from the environment
// (deploy.sh sets them).
using '../main.bicep'

param environmentName = 'prod'
param staticWebAppLocation = 'westeurope'
param imageTag = readEnvironmentVariable('WSYNC_IMAGE_TAG', 'latest')
param authTenantId = readEnvironmentVariable('AUTH_TENANT_ID', '')
param authAudience = readEnvironmentVariable('AUTH_AUDIENCE', '')
param authClientId = readEnvironmentVariable('AUTH_CLIENT_ID', '')
param authApiScope = readEnvironmentVariable('AUTH_API_SCOPE', '')
param functionPlanSku = 'EP1'
param alwaysReadyInstances = 1
param maximumInstances = 5
param storageSku = 'Standard_ZRS'
param workspaceShareQuotaGiB = 100
param staticWebAppSku = 'Standard'
param extraCorsOrigins = []
param logRetentionInDays = 90
// true: less memory per sync for more CPU (README, Configuration).
param optimizeForMemory = false
