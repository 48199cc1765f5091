/**
 * Go's address handling where services must agree with Go on every string: `SplitHostPort`,
 * `JoinHostPort`, `ParseIP`, `IP.String`, and Skywire's `IsPublicIP`; listen and dial addresses
 * on top of them ({@linkcode parseListenAddress}, {@linkcode parseHostPort}); plus the check
 * that a service URL has the scheme a client needs ({@linkcode httpUrlProblem}), and network
 * failures worded with their cause and address ({@linkcode fetchFailureText},
 * {@linkcode listenError}).
 *
 * @module
 */
export { canonicalIP, formatIP, isIPv4Mapped, parseIP, splitHostPort } from "./go_net.ts";
export { joinHostPort, parseHostPort, parseListenAddress, urlHost } from "./host_port.ts";
export { isPublicIP } from "./public_ip.ts";
export { httpUrlProblem } from "./http_url.ts";
export { fetchFailureText, listenError } from "./net_errors.ts";
