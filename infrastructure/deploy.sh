#!/usr/bin/env bash
# Deploys workspace-sync to Azure from a clone of the repository, in one command:
# resource group, Bicep template (infrastructure/main.bicep), image build and push (az acr build),
# Function App restart onto the new image, and the SPA (client/dist) published to the Static Web App.
# Run with --help for the options; --dry-run prints every command without running any.
set -euo pipefail

SWA_CLI_PACKAGE="@azure/static-web-apps-cli@2.0.10"

usage() {
  cat <<'USAGE'
Usage: infrastructure/deploy.sh [options]

Deploys workspace-sync to an Azure resource group: the Bicep template, the container image
(built in the registry by `az acr build`), and the SPA (client/dist) to the Static Web App.

Options:
  --env NAME              parameter file infrastructure/parameters/NAME.bicepparam (default: dev)
  --resource-group NAME   resource group to deploy into, created if missing (default: rg-workspace-sync-ENV)
  --location REGION       region of the resource group when it is created (default: westeurope)
  --subscription ID       subscription to use (default: the Azure CLI's current one)
  --image-tag TAG         tag of the image (default: the commit, git rev-parse --short=12 HEAD)
  --skip-spa              do not build and publish the SPA
  --dry-run               print every command it would run, run none of them
  -h, --help              this text

Environment (the Entra app registrations, see README "Deploying to Azure"):
  AUTH_AUDIENCE    required: the API app's application id and/or api:// URI (comma-separated)
  AUTH_CLIENT_ID   required: the SPA app's application (client) id
  AUTH_TENANT_ID   optional: tenant GUID that issues tokens (default: the deployment's tenant)
  AUTH_API_SCOPE   optional: scopes the SPA requests (default: <api:// audience>/.default)

Needs: Azure CLI (az login done; Owner or Contributor + User Access Administrator on the
resource group, since the template assigns roles), and Node/npm for the SPA.
USAGE
}

die() {
  echo "deploy: $*" >&2
  exit 2
}

environment="dev"
resource_group=""
location="westeurope"
subscription=""
image_tag=""
skip_spa=false
dry_run=false

while [ $# -gt 0 ]; do
  case "$1" in
    --env) [ $# -ge 2 ] || die "--env needs a value"; environment="$2"; shift 2 ;;
    --resource-group) [ $# -ge 2 ] || die "--resource-group needs a value"; resource_group="$2"; shift 2 ;;
    --location) [ $# -ge 2 ] || die "--location needs a value"; location="$2"; shift 2 ;;
    --subscription) [ $# -ge 2 ] || die "--subscription needs a value"; subscription="$2"; shift 2 ;;
    --image-tag) [ $# -ge 2 ] || die "--image-tag needs a value"; image_tag="$2"; shift 2 ;;
    --skip-spa) skip_spa=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

parameters="infrastructure/parameters/${environment}.bicepparam"
if [ ! -f "$parameters" ]; then
  known=""
  for file in infrastructure/parameters/*.bicepparam; do known+=" $(basename "$file" .bicepparam)"; done
  die "no parameter file $parameters (known:$known)"
fi
resource_group="${resource_group:-rg-workspace-sync-${environment}}"
[ -n "${AUTH_AUDIENCE:-}" ] || die "AUTH_AUDIENCE is not set: the API app registration's application id or api:// URI (README, Deploying to Azure)"
[ -n "${AUTH_CLIENT_ID:-}" ] || die "AUTH_CLIENT_ID is not set: the SPA app registration's application (client) id (README, Deploying to Azure)"

if [ -z "$image_tag" ]; then
  # The only command a dry run runs too: it reads the commit to name the image.
  image_tag="$(git rev-parse --short=12 HEAD 2>/dev/null || true)"
  [ -n "$image_tag" ] || die "not a git clone: give --image-tag"
  if [ -n "$(git status --porcelain 2>/dev/null)" ]; then
    image_tag="${image_tag}-dirty-$(date -u +%Y%m%d%H%M%S)"
  fi
fi
[[ "$image_tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "--image-tag: not a valid image tag: $image_tag"
deployment="workspace-sync-${image_tag}"
deployment="${deployment:0:64}"

# --- running, or only printing, commands --------------------------------------------------------

# Printed commands go to the original standard output, also from inside $(capture ...).
exec 3>&1

# A command as it could be pasted into a shell: words quoted only when they need it.
show() {
  local line="+"
  local word
  for word in "$@"; do
    if [[ "$word" =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
      line+=" $word"
    else
      line+=" '${word//\'/\'\\\'\'}'"
    fi
  done
  echo "$line" >&3
}

# Runs a command (printed first); in a dry run, only prints it.
run() {
  show "$@"
  if [ "$dry_run" = false ]; then "$@"; fi
}

# Runs a command and prints its output for the caller to capture; a dry run prints the placeholder.
capture() {
  local placeholder="$1"
  shift
  show "$@"
  if [ "$dry_run" = true ]; then
    printf '%s\n' "$placeholder"
  else
    "$@"
  fi
}

need() {
  if [ "$dry_run" = false ] && ! command -v "$1" >/dev/null 2>&1; then die "$1 is needed: $2"; fi
}

need az "install the Azure CLI and run az login"
if [ "$skip_spa" = false ]; then need npm "Node.js and npm build the SPA (or pass --skip-spa)"; fi
[ "$dry_run" = true ] && echo "# dry run: printing the commands, running none of them"

# The parameter file reads these when az compiles it (readEnvironmentVariable).
export WSYNC_IMAGE_TAG="$image_tag" AUTH_AUDIENCE AUTH_CLIENT_ID
export AUTH_TENANT_ID="${AUTH_TENANT_ID:-}" AUTH_API_SCOPE="${AUTH_API_SCOPE:-}"
echo "# environment for the parameter file: WSYNC_IMAGE_TAG=$image_tag AUTH_AUDIENCE=$AUTH_AUDIENCE AUTH_CLIENT_ID=$AUTH_CLIENT_ID AUTH_TENANT_ID=${AUTH_TENANT_ID:-(deployment tenant)}"

# --- 1. subscription and resource group ---------------------------------------------------------

if [ -n "$subscription" ]; then run az account set --subscription "$subscription"; fi
run az account show --query "{subscription:id, tenant:tenantId, user:user.name}" --output table
run az group create --name "$resource_group" --location "$location" \
  --tags application=workspace-sync environment="$environment" --output none

# --- 2. the template ----------------------------------------------------------------------------
# On the first deployment the Function App is created before its image exists in the new registry;
# it starts once step 3 has pushed the image and step 4 has restarted it.

run az deployment group create --resource-group "$resource_group" --name "$deployment" \
  --parameters "$parameters" --output none

outputs="$(capture "<registryName> <functionAppName> <staticWebAppName> <apiBaseUrl> <webhookUrlPattern> <spaUrl>" \
  az deployment group show --resource-group "$resource_group" --name "$deployment" \
  --query "[properties.outputs.registryName.value, properties.outputs.functionAppName.value, properties.outputs.staticWebAppName.value, properties.outputs.apiBaseUrl.value, properties.outputs.webhookUrlPattern.value, properties.outputs.spaUrl.value]" \
  --output tsv)"
read -r registry function_app static_web_app api_base_url webhook_url_pattern spa_url <<<"$(echo "$outputs" | tr '\t\n' '  ')"

# --- 3. the image, built from the Dockerfile in the registry ------------------------------------

run az acr build --registry "$registry" --image "workspace-sync:${image_tag}" --file Dockerfile .

# --- 4. the Function App onto the new image -----------------------------------------------------

run az functionapp restart --name "$function_app" --resource-group "$resource_group"

# --- 5. the SPA ---------------------------------------------------------------------------------

if [ "$skip_spa" = false ]; then
  run npm ci --no-audit --no-fund
  # The SPA calls the API on its own origin (CORS allows the Static Web App's origin). The build
  # writes client/dist/staticwebapp.config.json with that origin in the CSP's connect-src.
  api_origin="${api_base_url%/api}"
  run env VITE_API_BASE_URL="$api_origin" npm run build --workspace client
  token="$(capture "<deployment token>" az staticwebapp secrets list --name "$static_web_app" \
    --resource-group "$resource_group" --query properties.apiKey --output tsv)"
  # The token goes through the environment, never the command line (nor this script's output).
  show env SWA_CLI_DEPLOYMENT_TOKEN="<hidden>" npx --yes "$SWA_CLI_PACKAGE" deploy client/dist \
    --swa-config-location client/dist --env production
  if [ "$dry_run" = false ]; then
    SWA_CLI_DEPLOYMENT_TOKEN="$token" npx --yes "$SWA_CLI_PACKAGE" deploy client/dist \
      --swa-config-location client/dist --env production
  fi
fi

cat <<SUMMARY
# done$([ "$dry_run" = true ] && echo " (dry run: nothing was deployed)")
API base URL:        $api_base_url
GitHub webhook URL:  $webhook_url_pattern   ({scope} = GLOBAL or an organisation id)
SPA:                 $spa_url   (add it as a redirect URI of the SPA app registration)
SUMMARY
