/**
 * The updater's commands, for `services/cli` to compose: `skywire update`, `skywire install`
 * (the node's systemd unit and environment file) and `skywire release` (maintainers' signing
 * tools for the manifests the updater trusts).
 *
 * @module
 */
export { installCommand } from "./install_command.ts";
export { releaseCommand } from "./release_command.ts";
export { updateCommand } from "./update_command.ts";
