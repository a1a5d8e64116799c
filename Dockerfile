# syntax=docker/dockerfile:1
# Countersign: the Probot app in a small image that runs as a non-root user.
#
# scripts/smoke.sh performs these same steps without Docker (this workplace has no Docker
# engine); keep the two in step when you change either.
#
#   docker build -t countersign .
#   docker run --rm -p 3000:3000 --env-file .env countersign
#
# Pin the base image by digest in your own registry for reproducible builds, e.g.
#   docker build --build-arg NODE_IMAGE=node:20-slim@sha256:<digest> .
ARG NODE_IMAGE=node:20-slim

# ---- build: all dependencies, TypeScript → lib/ -----------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies only ----------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node and reaps zombies: node as PID 1 ignores SIGTERM,
# so `docker stop` / a Kubernetes rollout would wait for the kill timeout.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# LOG_FORMAT: `probot run` logs "pretty" unless told otherwise, even in production.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LOG_FORMAT=json
COPY package.json package-lock.json ./
# --omit=dev: if anything at run time needed a devDependency, the app would fail to start
# here (and in scripts/smoke.sh), not in production.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/lib ./lib
COPY app.yml ./
# Everything above is owned by root and read-only for the app; it runs as the image's
# unprivileged `node` user (uid 1000).
USER node
EXPOSE 3000
# Probot answers GET /ping with "PONG" once the server is listening. slim has no curl: use node.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ping').then(r => r.text()).then(t => process.exit(t === 'PONG' ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# probot's own bin (node_modules/probot/package.json: "bin": {"probot": "./bin/probot.js"}),
# started directly rather than through `npm start`, so that signals reach node and npm does
# not sit between them.
CMD ["node", "node_modules/probot/bin/probot.js", "run", "./lib/index.js"]
