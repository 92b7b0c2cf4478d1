/** Key Vault's rule for object names: 1 to 127 letters, digits and dashes (compared without case). */
const KEY_VAULT_SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export function isKeyVaultSecretName(text: string): boolean {
  return KEY_VAULT_SECRET_NAME.test(text);
}
