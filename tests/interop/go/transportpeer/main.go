// Command transportpeer is one Go skywire (2024) transport endpoint for the TypeScript interop
// tests: the stcpr network handshake, the Noise KK wrap and the settlement handshake exactly as
// a Go visor runs them (pkg/transport, pkg/transport/network), then routing packets.
//
// Usage:
//
//	transportpeer respond SK          listen on 127.0.0.1:0, accept one transport
//	transportpeer initiate SK PK ADDR dial PK at ADDR, make one transport
//
// It prints one line per event on stdout: LISTEN <addr> <pk>, SETTLED <signed entry JSON>,
// PACKET <type> <route id> <payload hex>, EOF, ERROR <text>. After settling it writes one Data
// packet (route id 7, payload "from go"), then prints every packet it reads until the end.
package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/skycoin/dmsg/pkg/dmsg"
	"github.com/skycoin/dmsg/pkg/noise"
	"github.com/skycoin/skywire-utilities/pkg/cipher"
	"github.com/skycoin/skywire-utilities/pkg/logging"

	"github.com/skycoin/skywire/pkg/routing"
	"github.com/skycoin/skywire/pkg/transport"
	"github.com/skycoin/skywire/pkg/transport/network"
	"github.com/skycoin/skywire/pkg/transport/network/handshake"
)

var out = bufio.NewWriter(os.Stdout)

func say(format string, args ...interface{}) {
	fmt.Fprintf(out, format+"\n", args...)
	out.Flush() //nolint:errcheck
}

func fail(err error) {
	say("ERROR %s", err)
	os.Exit(1)
}

// encrypted is a Noise-wrapped connection with the addresses the handshake gave, the shape
// pkg/transport's settlement wants (network.Transport).
type encrypted struct {
	net.Conn
	raw          net.Conn
	lAddr, rAddr dmsg.Addr
}

func (c *encrypted) LocalPK() cipher.PubKey  { return c.lAddr.PK }
func (c *encrypted) RemotePK() cipher.PubKey { return c.rAddr.PK }
func (c *encrypted) LocalPort() uint16       { return c.lAddr.Port }
func (c *encrypted) RemotePort() uint16      { return c.rAddr.Port }
func (c *encrypted) LocalRawAddr() net.Addr  { return c.raw.LocalAddr() }
func (c *encrypted) RemoteRawAddr() net.Addr { return c.raw.RemoteAddr() }
func (c *encrypted) Network() network.Type   { return network.STCPR }

// recordingDC prints what the responder registers (Go's DiscoveryClient interface).
type recordingDC struct{}

func (recordingDC) RegisterTransports(_ context.Context, entries ...*transport.SignedEntry) error {
	for _, e := range entries {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		say("SETTLED %s", b)
	}
	return nil
}
func (recordingDC) GetTransportByID(context.Context, uuid.UUID) (*transport.Entry, error) {
	return nil, errors.New("not implemented")
}
func (recordingDC) GetTransportsByEdge(context.Context, cipher.PubKey) ([]*transport.Entry, error) {
	return nil, errors.New("not implemented")
}
func (recordingDC) DeleteTransport(context.Context, uuid.UUID) error { return nil }

func wrap(raw net.Conn, hs handshake.Handshake, lPK cipher.PubKey, lSK cipher.SecKey, initiator bool) *encrypted {
	tp, err := network.DoHandshake(raw, hs, network.STCPR, logging.MustGetLogger("transportpeer"))
	if err != nil {
		fail(err)
	}
	conn, err := network.EncryptConn(noise.Config{LocalPK: lPK, LocalSK: lSK, RemotePK: tp.RemotePK(), Initiator: initiator}, raw)
	if err != nil {
		fail(err)
	}
	return &encrypted{Conn: conn, raw: raw, lAddr: dmsg.Addr{PK: lPK, Port: tp.LocalPort()}, rAddr: dmsg.Addr{PK: tp.RemotePK(), Port: tp.RemotePort()}}
}

func exchange(tp *encrypted) {
	p, err := routing.MakeDataPacket(7, []byte("from go"))
	if err != nil {
		fail(err)
	}
	if _, err := tp.Write(p); err != nil {
		fail(err)
	}
	for {
		h := make([]byte, routing.PacketHeaderSize)
		if _, err := io.ReadFull(tp, h); err != nil {
			say("EOF")
			return
		}
		payload := make([]byte, routing.Packet(h).Size())
		if _, err := io.ReadFull(tp, payload); err != nil {
			say("EOF")
			return
		}
		say("PACKET %d %d %s", routing.Packet(h).Type(), routing.Packet(h).RouteID(), hex.EncodeToString(payload))
	}
}

func keys(skHex string) (cipher.PubKey, cipher.SecKey) {
	var sk cipher.SecKey
	if err := sk.UnmarshalText([]byte(skHex)); err != nil {
		fail(err)
	}
	pk, err := sk.PubKey()
	if err != nil {
		fail(err)
	}
	return pk, sk
}

func main() {
	logging.SetOutputTo(os.Stderr)
	if len(os.Args) < 3 {
		fail(errors.New("usage: transportpeer respond SK | initiate SK PK ADDR"))
	}
	pk, sk := keys(os.Args[2])
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	log := logging.MustGetLogger("transportpeer")
	switch os.Args[1] {
	case "respond":
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fail(err)
		}
		say("LISTEN %s %s", lis.Addr(), pk)
		raw, err := lis.Accept()
		if err != nil {
			fail(err)
		}
		check := handshake.MakeF2PortChecker(func(port uint16) error {
			if port != 45 {
				return errors.New("not listening on given port")
			}
			return nil
		})
		tp := wrap(raw, handshake.ResponderHandshake(check), pk, sk, false)
		if err := transport.MakeSettlementHS(false, log).Do(ctx, recordingDC{}, tp, sk); err != nil {
			fail(err)
		}
		exchange(tp)
	case "initiate":
		var rpk cipher.PubKey
		if err := rpk.UnmarshalText([]byte(os.Args[3])); err != nil {
			fail(err)
		}
		raw, err := net.Dial("tcp", os.Args[4])
		if err != nil {
			fail(err)
		}
		hs := handshake.InitiatorHandshake(sk, dmsg.Addr{PK: pk, Port: 49153}, dmsg.Addr{PK: rpk, Port: 45})
		tp := wrap(raw, hs, pk, sk, true)
		if err := transport.MakeSettlementHS(true, log).Do(ctx, recordingDC{}, tp, sk); err != nil {
			fail(err)
		}
		say("SETTLED initiator")
		exchange(tp)
		tp.Close() //nolint:errcheck
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[1]))
	}
}
