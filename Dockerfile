# syntax=docker/dockerfile:1
# Countersign: the Probot app in a small image that runs as a non-root user under tini.
#
# Each release publishes this image as ghcr.io/countersign/countersign:<version>
# (.github/workflows/release.yml). scripts/smoke.sh performs the same steps without Docker, for
# machines without a Docker engine; keep the two in step when you change either.
#
#   docker build -t countersign .
#   docker run --rm -p 3000:3000 --env-file .env countersign   # .env as the setup page writes it
#
# Node 24, the Active LTS line (Node 20 is past its end of life). Pin the base image by digest
# in your own registry for reproducible builds, e.g.
#   docker build --build-arg NODE_IMAGE=node:24-slim@sha256:<digest> .
ARG NODE_IMAGE=node:24-slim

# ---- build: all dependencies, TypeScript → lib/, then the package as `npm pack` makes it -----
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs src/, which is copied next.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json app.yml action.yml LICENSE ./
COPY src ./src
COPY schema ./schema
# npm pack runs `prepare` (npm run build) and packs what package.json "files" lists: lib/,
# app.yml, schema/, action.yml (plus package.json and LICENSE).
RUN npm pack --pack-destination /tmp --silent && mv /tmp/countersign-*.tgz /tmp/countersign.tgz

# ---- runtime: the packed package and its production dependencies only ------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node and reaps zombies: node as PID 1 ignores SIGTERM,
# so `docker stop` / a Kubernetes rollout would wait for the kill timeout.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# LOG_FORMAT: the server logs "pretty" outside production unless told otherwise.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LOG_FORMAT=json
COPY --from=build /tmp/countersign.tgz /tmp/countersign.tgz
COPY package-lock.json ./
# The tarball's contents with the repository's lock file; --omit=dev: if anything at run time
# needed a devDependency, the app would fail to start here (and in scripts/smoke.sh), not in
# production. --ignore-scripts: the package is already built.
RUN tar -xzf /tmp/countersign.tgz -C /app --strip-components=1 \
 && rm /tmp/countersign.tgz \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
# Everything above is owned by root and read-only for the app; it runs as the image's
# unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
# GET /ping answers "PONG" once the server is listening. slim has no curl: use node.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then(r => r.text()).then(t => process.exit(t === 'PONG' ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The server itself (lib/server/main.js, the `countersign-server` bin), not `npm start`, so that
# signals reach node directly. On SIGTERM it stops taking deliveries, lets those in flight finish
# (SHUTDOWN_GRACE_SECONDS, default 20), closes Redis and exits 0.
CMD ["node", "lib/server/main.js"]
