/**
 * Go's address handling where services must agree with Go on every string: `SplitHostPort`,
 * `ParseIP`, `IP.String`, and Skywire's `IsPublicIP`.
 *
 * @module
 */
export { canonicalIP, formatIP, isIPv4Mapped, parseIP, splitHostPort } from "./go_net.ts";
export { isPublicIP } from "./public_ip.ts";
