{%- set secure = cookiecutter.secure_workspace -%}
// Container registry for the workspace's images; admin user off, pulls use Entra ID identities.
param location string
param name string
param tags object

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  // checkov:skip=CKV_AZURE_233:Zone redundancy is not offered in every region; turn it on where the region has availability zones
  // checkov:skip=CKV_AZURE_165:One region only; geo-replication doubles the registry cost
  // checkov:skip=CKV_AZURE_166:Quarantine blocks every image until a scanner releases it, which stalls Azure ML image builds
  // checkov:skip=CKV_AZURE_164:Docker Content Trust is being retired by ACR; sign images with Notation if you need signatures
{%- if not secure %}
  // checkov:skip=CKV_AZURE_139:Public network access is on by choice (secure_workspace=false); pulls need Entra ID (admin user off)
{%- endif %}
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: false
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    dataEndpointEnabled: true
    policies: {
      retentionPolicy: {
        status: 'enabled'
        days: 7
      }
    }
  }
}

output id string = registry.id
