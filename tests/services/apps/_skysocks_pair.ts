import { type AppNet, dmsgAppNet } from "../../../mod/appnet/mod.ts";
import type { DmsgClient } from "../../../mod/dmsg/mod.ts";
import { SkysocksServer, type SkysocksServerOptions } from "../../../services/apps/skysocks/mod.ts";
import {
  SkysocksClient,
  type SkysocksClientOptions,
} from "../../../services/apps/skysocks_client/mod.ts";
import { type TestNetwork, testNetwork } from "../../mod/dmsg/_harness.ts";
import { BlackHoleNet } from "./_net.ts";

/** Two visors' worth of dmsg clients through a real dmsg server, with skysocks on one of them. */
export interface SkysocksPair extends AsyncDisposable {
  /** The dmsg network (discovery, server, clients). */
  network: TestNetwork;
  /** The exit's dmsg client (runs skysocks). */
  exit: DmsgClient;
  /** The user's dmsg client (runs skysocks-client). */
  user: DmsgClient;
  /** The network the client dials over (its connections can be black-holed). */
  clientNet: BlackHoleNet;
  /** The exit's network. */
  serverNet: AppNet;
  /** The running server (replace it with {@linkcode restartServer}). */
  server: SkysocksServer;
  /** The running client. */
  client: SkysocksClient;
  /** `127.0.0.1:PORT` of the client's SOCKS port. */
  socks: string;
  /** Close the server and start a new one with the same options. */
  restartServer(): Promise<void>;
}

/** Start the pair; the client listens on 127.0.0.1:0 unless `client.addr` says otherwise. */
export async function skysocksPair(
  options: {
    server?: Partial<SkysocksServerOptions>;
    client?: Partial<SkysocksClientOptions>;
  } = {},
): Promise<SkysocksPair> {
  const network = await testNetwork();
  try {
    await network.server();
    const exit = await network.client();
    const user = await network.client();
    await Promise.all([exit.ready(), user.ready()]);
    const serverNet = dmsgAppNet(exit);
    const clientNet = new BlackHoleNet(dmsgAppNet(user));
    const startServer = () => SkysocksServer.start({ net: serverNet, ...options.server });
    const server = startServer();
    const client = SkysocksClient.start({
      net: clientNet,
      serverPk: exit.pk,
      addr: "127.0.0.1:0",
      ...options.client,
    });
    const pair: SkysocksPair = {
      network,
      exit,
      user,
      clientNet,
      serverNet,
      server,
      client,
      socks: `127.0.0.1:${client.addr.port}`,
      async restartServer() {
        await this.server.close();
        this.server = startServer();
      },
      async [Symbol.asyncDispose]() {
        await this.client.close();
        await this.server.close();
        await network[Symbol.asyncDispose]();
      },
    };
    return pair;
  } catch (error) {
    await network[Symbol.asyncDispose]();
    throw error;
  }
}
