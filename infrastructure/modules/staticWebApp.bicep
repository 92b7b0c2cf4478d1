// Static Web App serving the SPA (client/dist), published by infrastructure/deploy.sh with the
// site's deployment token (no repository link: the build happens where deploy.sh runs).

param name string

@description('Static Web Apps are offered in a few regions only.')
param location string

param tags object

@allowed([
  'Free'
  'Standard'
])
param skuName string

resource site 'Microsoft.Web/staticSites@2024-11-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuName
  }
  properties: {
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

output defaultHostname string = site.properties.defaultHostname
