// Service Bus namespace and the sync queue. Duplicate detection, its window, sessions and
// partitioning cannot be changed once the queue exists: get them right here.

param namespaceName string
param location string
param tags object

@description('Name of the queue the syncWorker function is bound to (SYNC_QUEUE_NAME).')
param queueName string

@description('Duplicate detection window in seconds (QUEUE_DUPLICATE_WINDOW_SECONDS): webhook delivery ids seen within it are dropped.')
@minValue(600)
@maxValue(604800)
param duplicateDetectionWindowSeconds int

@description('Peek-lock duration in seconds; the Functions host renews it while a sync runs (host.json).')
@minValue(5)
@maxValue(300)
param lockDurationSeconds int

@description('Deliveries before Service Bus dead-letters a message (MaxDeliveryCountExceeded).')
@minValue(1)
@maxValue(2000)
param maxDeliveryCount int

@description('Time to live of a sync command in seconds; expired commands are dead-lettered.')
@minValue(60)
param messageTimeToLiveSeconds int

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Standard is the smallest tier with duplicate detection (Basic has none).
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    // Entra ID only: no SAS keys, so no connection string can reach this namespace.
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: queueName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT${duplicateDetectionWindowSeconds}S'
    lockDuration: 'PT${lockDurationSeconds}S'
    maxDeliveryCount: maxDeliveryCount
    defaultMessageTimeToLive: 'PT${messageTimeToLiveSeconds}S'
    deadLetteringOnMessageExpiration: true
    // The syncWorker trigger is registered without sessions.
    requiresSession: false
    enablePartitioning: false
    enableBatchedOperations: true
    maxSizeInMegabytes: 1024
  }
}
