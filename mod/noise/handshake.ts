import {
  CipherError,
  ecdh,
  type KeyPair,
  keyPairFromSecKey,
  PubKey,
  SecKey,
} from "../cipher/mod.ts";
import type { Aead } from "./aead.ts";
import { getAead } from "./get_aead.ts";
import { DH_LEN, PUBLIC_KEY_SIZE, TAG_SIZE } from "./constants.ts";
import { NoiseDecryptError, NoiseHandshakeError } from "./errors.ts";
import { ReceiveCipher, SendCipher } from "./cipher_state.ts";
import { SymmetricState } from "./_symmetric_state.ts";
import type { StaticDhCache } from "./static_dh_cache.ts";

/** The two handshake patterns dmsg uses: XK for sessions, KK for streams. */
export type HandshakePattern = "XK" | "KK";

type Token = "e" | "s" | "ee" | "es" | "se" | "ss";

interface PatternSpec {
  initiatorPreStatic: boolean;
  responderPreStatic: boolean;
  messages: Token[][];
}

// Noise spec §7.5: XK  <- s ... -> e, es  <- e, ee  -> s, se
//                  KK  -> s <- s ... -> e, es, ss  <- e, ee, se
const PATTERNS: Record<HandshakePattern, PatternSpec> = {
  XK: {
    initiatorPreStatic: false,
    responderPreStatic: true,
    messages: [["e", "es"], ["e", "ee"], ["s", "se"]],
  },
  KK: {
    initiatorPreStatic: true,
    responderPreStatic: true,
    messages: [["e", "es", "ss"], ["e", "ee", "se"]],
  },
};

/** Noise's largest message (spec §3). */
const MAX_MESSAGE_LENGTH = 65535;

const EMPTY = new Uint8Array(0);

/** Options for a {@linkcode Handshake}. */
export interface HandshakeOptions {
  /** `"XK"` (dmsg sessions) or `"KK"` (dmsg streams). */
  pattern: HandshakePattern;
  /** Whether we send the first message. */
  initiator: boolean;
  /** Our static key pair. */
  localKeyPair: KeyPair;
  /** The peer's static key: required for KK and for the XK initiator, absent for the XK responder. */
  remoteStatic?: PubKey;
  /** Fix our ephemeral key pair instead of generating one (tests reproduce Go transcripts). */
  ephemeralKeyPair?: KeyPair;
  /** AEAD backend; defaults to `getAead("auto")`. */
  aead?: Aead;
  /**
   * Where to keep `ss` (KK's static-static DH) between handshakes with the same peer; the
   * owner of the static key pair owns the cache. Without it every handshake computes `ss`.
   */
  staticDh?: StaticDhCache;
}

/**
 * The result of a finished handshake, oriented for this side: the cipher for what we send, the
 * cipher for what we receive, and who the peer is. Hand it to exactly one consumer
 * (`NoiseStream` or `SessionObjectCipher`): each cipher keeps its own nonce state.
 */
export interface TransportKeys {
  /** Encrypts what we send. */
  send: SendCipher;
  /** Decrypts what we receive. */
  receive: ReceiveCipher;
  /** The peer's static public key (learned from message 3 by an XK responder). */
  remoteStatic: PubKey;
  /** The final handshake hash (Noise channel binding). */
  handshakeHash: Uint8Array;
}

/** Skywire's Noise DH: Skywire ECDH (32 bytes) plus a trailing zero, as Go's `DHLen()` is 33. */
function dh(keyPair: KeyPair, remote: PubKey): Uint8Array {
  const out = new Uint8Array(DH_LEN);
  try {
    out.set(ecdh(remote, keyPair.sk));
  } catch (cause) {
    throw new NoiseHandshakeError("noise: DH with the peer's key failed", { cause });
  }
  return out;
}

function parsePublicKey(bytes: Uint8Array, what: string): PubKey {
  let key: PubKey;
  try {
    key = PubKey.fromBytes(bytes);
  } catch (cause) {
    if (!(cause instanceof CipherError)) throw cause;
    throw new NoiseHandshakeError(`noise: invalid ${what} public key`, { cause });
  }
  if (key.isNull()) throw new NoiseHandshakeError(`noise: null ${what} public key`);
  return key;
}

/**
 * A Noise handshake state machine for `Noise_XK_Secp256k1_ChaChaPoly_SHA256` and
 * `Noise_KK_Secp256k1_ChaChaPoly_SHA256` with an empty prologue, as dmsg speaks them.
 *
 * Drive it with {@linkcode Handshake.writeMessage} and {@linkcode Handshake.readMessage} in
 * turn; when {@linkcode Handshake.finished}, take {@linkcode Handshake.transportKeys}. It does
 * no I/O: `performHandshake` runs it over a stream, and dmsg carries KK messages inside stream
 * request/response objects. A rejected message leaves the state exactly as it was.
 */
export class Handshake {
  /** The pattern in use. */
  readonly pattern: HandshakePattern;
  /** Whether we sent (or will send) the first message. */
  readonly initiator: boolean;
  readonly #spec: PatternSpec;
  readonly #aead: Aead;
  readonly #static: KeyPair;
  readonly #staticDh: StaticDhCache | undefined;
  #presetEphemeral: KeyPair | undefined;
  #ephemeral: KeyPair | undefined;
  #remoteStatic: PubKey | undefined;
  #remoteEphemeral: PubKey | undefined;
  #state: SymmetricState;
  #index = 0;
  #transportKeys: TransportKeys | undefined;

  /** Set up the handshake; throws `NoiseHandshakeError` if the remote static key is missing or unexpected. */
  constructor(options: HandshakeOptions) {
    this.pattern = options.pattern;
    this.initiator = options.initiator;
    this.#spec = PATTERNS[options.pattern];
    if (!this.#spec) throw new NoiseHandshakeError(`noise: unknown pattern ${options.pattern}`);
    this.#aead = options.aead ?? getAead();
    this.#staticDh = options.staticDh;
    this.#static = options.localKeyPair;
    this.#presetEphemeral = options.ephemeralKeyPair;
    const needsRemote = options.initiator
      ? this.#spec.responderPreStatic
      : this.#spec.initiatorPreStatic;
    if (needsRemote !== (options.remoteStatic !== undefined)) {
      throw new NoiseHandshakeError(
        needsRemote
          ? `noise: ${options.pattern} ${this.#role} needs the peer's static key`
          : `noise: ${options.pattern} ${this.#role} learns the peer's static key; do not give one`,
      );
    }
    if (options.remoteStatic?.isNull()) {
      throw new NoiseHandshakeError("noise: null remote static key");
    }
    this.#remoteStatic = options.remoteStatic;

    this.#state = new SymmetricState(
      this.#aead,
      `Noise_${options.pattern}_Secp256k1_ChaChaPoly_SHA256`,
    );
    this.#state.mixHash(EMPTY); // the empty prologue
    const initiatorStatic = this.initiator ? this.#static.pk : this.#remoteStatic;
    const responderStatic = this.initiator ? this.#remoteStatic : this.#static.pk;
    if (this.#spec.initiatorPreStatic) this.#state.mixHash(initiatorStatic!.view);
    if (this.#spec.responderPreStatic) this.#state.mixHash(responderStatic!.view);
  }

  get #role(): string {
    return this.initiator ? "initiator" : "responder";
  }

  /** Number of handshake messages written or read so far. */
  get messageIndex(): number {
    return this.#index;
  }

  /** Whether every message of the pattern has been written or read. */
  get finished(): boolean {
    return this.#index === this.#spec.messages.length;
  }

  /** Whether the next step is ours to write (false when it is a read, or when finished). */
  get shouldWrite(): boolean {
    return !this.finished && (this.#index % 2 === 0) === this.initiator;
  }

  /** The peer's static key, once known. */
  get remoteStatic(): PubKey | undefined {
    return this.#remoteStatic;
  }

  /** Our ephemeral public key, once generated (message 1 for the initiator, 2 for the responder). */
  get localEphemeral(): PubKey | undefined {
    return this.#ephemeral?.pk;
  }

  /** Write our next message carrying `payload` (empty by default, as every 2023 peer sends). */
  writeMessage(payload: Uint8Array = EMPTY): Uint8Array {
    if (!this.shouldWrite) {
      throw new NoiseHandshakeError(
        `noise: ${this.#role} cannot write message ${this.#index + 1} now`,
      );
    }
    const tokens = this.#spec.messages[this.#index];
    if (this.#minimumLength(tokens) + payload.length > MAX_MESSAGE_LENGTH) {
      throw new NoiseHandshakeError(
        `noise: handshake payload of ${payload.length} bytes is too long`,
      );
    }
    const parts: Uint8Array[] = [];
    const state = this.#state;
    for (const token of tokens) {
      if (token === "e") {
        const ephemeral = this.#presetEphemeral ?? keyPairFromSecKey(SecKey.generate());
        this.#presetEphemeral = undefined;
        this.#ephemeral = ephemeral;
        parts.push(ephemeral.pk.view);
        state.mixHash(ephemeral.pk.view);
      } else if (token === "s") {
        parts.push(state.encryptAndHash(this.#static.pk.view));
      } else {
        state.mixKey(
          this.#dhToken(token, this.#ephemeral, this.#remoteEphemeral, this.#remoteStatic),
        );
      }
    }
    parts.push(state.encryptAndHash(payload));
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    this.#index++;
    const message = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      message.set(part, offset);
      offset += part.length;
    }
    return message;
  }

  /**
   * Read the peer's next message and return its payload (2026 peers may send a post-quantum
   * offer in XK message 1; a classical node ignores it). Throws `NoiseHandshakeError` for a
   * message that is short, long, out of turn, carries an invalid key or fails to decrypt; the
   * handshake state is then unchanged.
   */
  readMessage(message: Uint8Array): Uint8Array {
    if (this.finished || this.shouldWrite) {
      throw new NoiseHandshakeError(
        `noise: ${this.#role} cannot read message ${this.#index + 1} now`,
      );
    }
    if (message.length > MAX_MESSAGE_LENGTH) {
      throw new NoiseHandshakeError(
        `noise: handshake message of ${message.length} bytes is too long`,
      );
    }
    const tokens = this.#spec.messages[this.#index];
    const minimum = this.#minimumLength(tokens);
    if (message.length < minimum) {
      throw new NoiseHandshakeError(
        `noise: handshake message ${
          this.#index + 1
        } has ${message.length} bytes, want at least ${minimum}`,
      );
    }
    // Work on a copy of the state and commit only when the whole message checks out.
    const state = this.#state.clone();
    let remoteEphemeral = this.#remoteEphemeral;
    let remoteStatic = this.#remoteStatic;
    let offset = 0;
    try {
      for (const token of tokens) {
        if (token === "e") {
          const bytes = message.subarray(offset, offset + PUBLIC_KEY_SIZE);
          offset += PUBLIC_KEY_SIZE;
          remoteEphemeral = parsePublicKey(bytes, "ephemeral");
          state.mixHash(bytes);
        } else if (token === "s") {
          const size = PUBLIC_KEY_SIZE + (state.hasKey ? TAG_SIZE : 0);
          const bytes = state.decryptAndHash(message.subarray(offset, offset + size));
          offset += size;
          remoteStatic = parsePublicKey(bytes, "static");
        } else {
          state.mixKey(this.#dhToken(token, this.#ephemeral, remoteEphemeral, remoteStatic));
        }
      }
      const payload = state.decryptAndHash(message.subarray(offset));
      this.#state = state;
      this.#remoteEphemeral = remoteEphemeral;
      this.#remoteStatic = remoteStatic;
      this.#index++;
      return payload;
    } catch (cause) {
      if (cause instanceof NoiseDecryptError) {
        throw new NoiseHandshakeError(
          `noise: handshake message ${this.#index + 1} failed to authenticate`,
          { cause },
        );
      }
      throw cause;
    }
  }

  /**
   * The transport ciphers, once {@linkcode Handshake.finished}. dmsg does not use Noise's
   * convention (cs1 for initiator→responder): the side that *wrote the last handshake message*
   * sends with cs2 and receives with cs1, the other side sends with cs1 and receives with cs2.
   * So the XK initiator sends with cs2, and the KK initiator with cs1.
   *
   * Every call returns the same ciphers: a second set would reuse nonces.
   */
  transportKeys(): TransportKeys {
    if (this.#transportKeys) return this.#transportKeys;
    if (!this.finished) throw new NoiseHandshakeError("noise: handshake is not finished");
    const [cs1, cs2] = this.#state.split();
    const lastWriterIsInitiator = this.#spec.messages.length % 2 === 1;
    const wroteLast = lastWriterIsInitiator === this.initiator;
    return this.#transportKeys = {
      send: new SendCipher(wroteLast ? cs2 : cs1, this.#aead),
      receive: new ReceiveCipher(wroteLast ? cs1 : cs2, this.#aead),
      remoteStatic: this.#remoteStatic!,
      handshakeHash: this.#state.handshakeHash,
    };
  }

  #minimumLength(tokens: Token[]): number {
    // Every XK/KK message mixes a key before its payload, so the payload always has a tag.
    let length = TAG_SIZE;
    let hasKey = this.#state.hasKey;
    for (const token of tokens) {
      if (token === "e") length += PUBLIC_KEY_SIZE;
      else if (token === "s") length += PUBLIC_KEY_SIZE + (hasKey ? TAG_SIZE : 0);
      else hasKey = true;
    }
    return length;
  }

  #dhToken(
    token: Token,
    ephemeral: KeyPair | undefined,
    remoteEphemeral: PubKey | undefined,
    remoteStatic: PubKey | undefined,
  ): Uint8Array {
    // es: initiator's e with responder's s; se: initiator's s with responder's e (spec §5.3).
    const useEphemeral = token === "ee" || (token === "es") === this.initiator;
    const useRemoteEphemeral = token === "ee" || (token === "se") === this.initiator;
    const local = token === "ss" ? this.#static : useEphemeral ? ephemeral : this.#static;
    const remote = token === "ss"
      ? remoteStatic
      : useRemoteEphemeral
      ? remoteEphemeral
      : remoteStatic;
    // Both are always set by the pattern order; the check guards against a misuse.
    if (!local || !remote) throw new NoiseHandshakeError(`noise: missing key for ${token}`);
    if (token === "ss" && this.#staticDh) {
      return this.#staticDh.get(local, remote, () => dh(local, remote));
    }
    return dh(local, remote);
  }
}
