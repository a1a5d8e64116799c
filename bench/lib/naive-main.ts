// The naive baseline's process: the app's server (src/server/run.ts) with the services of
// bench/lib/naive-app.ts. Built by `npm run bench:app` into bench/.out/naive/ (bench/tsconfig.naive.json),
// so it runs compiled JavaScript as lib/server/main.js does, and started by bench/lib/app-process.ts.
import { main } from "../../src/server/run.js";
import { createNaiveServices } from "./naive-app.js";

main((env) => ({ services: createNaiveServices(env) }));
