// The app's user-assigned managed identity. User-assigned rather than system-assigned so that its
// role assignments (AcrPull above all) exist before the Function App is created and pulls its image.

@description('Name of the user-assigned identity.')
param name string

@description('Azure region.')
param location string

param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output principalId string = identity.properties.principalId
