// What each cloud offers, as one table the loader checks network files against (see types.ts).
import type { CloudName } from "../schema";
import { ALICLOUD_CATALOG } from "./alicloud";
import { AWS_CATALOG } from "./aws";
import { GCP_CATALOG } from "./gcp";
import type { CloudCatalog } from "./types";

export type { CloudCatalog, MachineType } from "./types";

export const CATALOG: Readonly<Record<CloudName, CloudCatalog>> = { aws: AWS_CATALOG, gcp: GCP_CATALOG, alicloud: ALICLOUD_CATALOG };
