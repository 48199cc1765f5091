/** A config file that cannot be used; the message names the field (never a secret value). */
export class ConfigError extends Error {
  /** Create the error. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
