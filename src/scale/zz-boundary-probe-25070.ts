import type { Services } from "../handlers/services.js";
export type Probe = Services;
