#!/usr/bin/env node
// The app's process: `npm start`, the Docker image's CMD, `countersign-server`. Reads .env and the
// environment, serves the setup page (no credentials yet) or the app, and on SIGTERM or SIGINT
// shuts down gracefully: no new deliveries, the ones in flight finish (at most
// SHUTDOWN_GRACE_SECONDS), logs flushed, Redis closed, exit 0. A second signal exits at once.
import { main } from "./run.js";

main();
