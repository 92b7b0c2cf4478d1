# workspace-sync as an Azure Functions (v4, Node 20) container.
# Build: docker build -t workspace-sync .   Run: see docker-compose.yml.

# --- build: compile TypeScript, then keep only production dependencies -------------------------
FROM docker.io/library/node:20-bookworm-slim AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json host.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: the Functions host loads package.json "main" (dist/src/functions/*.js) ------------
FROM mcr.microsoft.com/azure-functions/node:4-node20
ENV AzureWebJobsScriptRoot=/home/site/wwwroot \
    AzureFunctionsJobHost__Logging__Console__IsEnabled=true \
    WORKSPACE_ROOT=/workspace
WORKDIR /home/site/wwwroot
COPY --from=build /src/package.json /src/host.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# The Azure Files share (a named volume under compose) is mounted here; the folder exists for plain `docker run`.
RUN mkdir -p /workspace
# The Functions host serves HTTP triggers on port 80 (routes under /api).
EXPOSE 80
