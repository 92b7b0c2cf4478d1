# workspace-sync as an Azure Functions (v4, Node 22) container.
# Build: docker build -t workspace-sync .   Run: see docker-compose.yml.

# --- build: compile TypeScript, then keep only production dependencies -------------------------
FROM docker.io/library/node:22-bookworm-slim AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
# --workspaces=false: the SPA's workspace (client/, outside the build context) is not part of the image.
# Dev dependencies (TypeScript, and Azurite and the `node` package that tests use) are pruned after the build.
RUN npm ci --workspaces=false --no-audit --no-fund
COPY tsconfig.json host.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --workspaces=false

# --- runtime: the Functions host loads package.json "main" (dist/src/host/functionsApp.js) -------
FROM mcr.microsoft.com/azure-functions/node:4-node22
# languageWorkers__node__arguments: the Node options the host starts its Node worker with (the
# documented setting; NODE_OPTIONS would reach every node run in the container). An 8 MB young
# generation keeps a full sync's peak RSS lower (README, Configuration); the app settings repeat it.
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    languageWorkers__node__arguments=--max-semi-space-size=8 \
    WORKSPACE_ROOT=/workspace
WORKDIR /home/site/wwwroot
COPY --from=build /src/package.json /src/host.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# The Azure Files share (a named volume under compose) is mounted here; the folder exists for plain `docker run`.
RUN mkdir -p /workspace
# The Functions host serves HTTP triggers on port 80 (routes under /api).
EXPOSE 80
