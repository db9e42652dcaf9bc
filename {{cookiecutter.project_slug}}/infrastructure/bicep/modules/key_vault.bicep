{%- set secure = cookiecutter.secure_workspace -%}
// Key vault with Azure RBAC authorisation (no access policies).
param location string
param name string
param purgeProtection bool = true
param tags object

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  // checkov:skip=CKV_AZURE_110:Purge protection is the keyVaultPurgeProtection parameter (on by default and in prod); checkov cannot evaluate the conditional
  // checkov:skip=CKV_AZURE_42:Soft delete is on; purge protection is the keyVaultPurgeProtection parameter (see CKV_AZURE_110)
{%- if not secure %}
  // checkov:skip=CKV_AZURE_189:Public network access is on by choice (secure_workspace=false); data access needs Entra ID and RBAC
  // checkov:skip=CKV_AZURE_109:The firewall allows public traffic by choice (secure_workspace=false)
{%- endif %}
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // ARM rejects enablePurgeProtection=false; leaving it out keeps purge protection off.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: '{{ "Disabled" if secure else "Enabled" }}'
    networkAcls: {
      defaultAction: '{{ "Deny" if secure else "Allow" }}'
      bypass: 'AzureServices'
    }
  }
}

output id string = keyVault.id
