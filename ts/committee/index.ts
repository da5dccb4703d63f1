/** The bridge committee as a library service (see docs/bridge.md, "Roles"). */
export { CommitteeService, graphInputOf, type GraphRecord } from "./committee.js";
