import { generateKeyPair, type KeyPair, type PubKey } from "../../../../mod/cipher/mod.ts";
import {
  dialSession,
  type DmsgServer,
  type DmsgSession,
  signStreamRequest,
  StreamEndpoint,
} from "../../../../mod/dmsg/mod.ts";
import type { StreamRequest } from "../../../../mod/dmsg/gob_types.ts";

/** A bare session to a server, driven by hand (no client entity, no discovery entry). */
export interface RawSession extends AsyncDisposable {
  keys: KeyPair;
  session: DmsgSession;
  endpoint: StreamEndpoint;
}

/** Dial `server` with `keys` (fresh by default). */
export async function rawSession(
  server: DmsgServer,
  keys = generateKeyPair(),
): Promise<RawSession> {
  const session = await dialSession({
    address: server.address,
    serverPk: server.pk,
    keyPair: keys,
  });
  const endpoint = new StreamEndpoint({ keyPair: keys });
  return {
    keys,
    session,
    endpoint,
    async [Symbol.asyncDispose]() {
      endpoint.close();
      await session.close();
    },
  };
}

/** A request from `src` (signed by `signer`, default the source's key) to `dst`. */
export function craftRequest(
  src: KeyPair,
  dst: PubKey,
  change: Partial<StreamRequest> = {},
  signer = src,
): Uint8Array {
  return signStreamRequest({
    Timestamp: BigInt(Date.now()) * 1_000_000n,
    SrcAddr: { PK: src.pk, Port: 49200 },
    DstAddr: { PK: dst, Port: 7 },
    NoiseMsg: new Uint8Array(49),
    ...change,
  }, signer.sk);
}

/** Send one signed object on a new stream; resolve the answer (null: closed without one). */
export async function sendRequest(raw: RawSession, signed: Uint8Array): Promise<Uint8Array | null> {
  const stream = await raw.session.open();
  try {
    await raw.session.writeObject(stream, signed);
    return await raw.session.readObject(stream);
  } finally {
    stream.close();
  }
}
