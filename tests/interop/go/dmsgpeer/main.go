// Command dmsgpeer is one Go dmsg client (github.com/skycoin/dmsg/pkg/dmsg, the 2023 tree the
// Go dmsg-server the benchmarks run is built from) for tests/bench/dmsg_bench.ts: whole-stack
// stream-open latency and throughput between Go clients in their own processes, the Go side of
// the comparison with our client → our server → our client.
//
// Usage:
//
//	dmsgpeer listen DISC PORT           accept streams on PORT (see the stream protocol below)
//	dmsgpeer dial DISC PK PORT OPENS MIB open OPENS streams to PK:PORT, then move MIB MiB over one
//
// DISC is the dmsg discovery URL; each peer makes a fresh key pair and picks its server from
// the discovery like any Go client. Output on stdout, one JSON object a line:
//
//	{"event":"ready","pk":"<hex>"}                   session up, entry published
//	{"event":"opens","ms":[<open latency>...]}       dial: Dial call to stream ready, each open
//	{"event":"throughput","bytes":N,"seconds":S}     dial: first byte written to the sink's ack
//	{"event":"error","error":"<text>"}               then exit 1
//
// The dialer waits for one line on stdin before each phase (opens, throughput) and before it
// exits, so that the caller can read every process's CPU time at the phase boundaries. The
// listener runs until killed.
//
// Stream protocol (the same as our peer's in tests/bench/_dmsg_peer.ts): the dialer sends an
// 8-byte big-endian count N and N bytes; the listener reads them and answers one byte. An
// open-only stream is closed by the dialer without sending anything.
//
// Built outside the repo, inside a copy of the vendored dmsg 9c8b80bd tree (no network):
// copy this file to <tree>/cmd/dmsgpeer/ and run `GOFLAGS=-mod=vendor GOPROXY=off go build
// -o dmsgpeer ./cmd/dmsgpeer` there; the bench finds it in SKYWIRE_GO_DMSGPEER_BIN or as
// $SKYWIRE_GO_REF_BIN/dmsgpeer.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/skycoin/skywire-utilities/pkg/cipher"
	"github.com/skycoin/skywire-utilities/pkg/logging"

	"github.com/skycoin/dmsg/pkg/disc"
	"github.com/skycoin/dmsg/pkg/dmsg"
)

const chunk = 64 * 1024

func say(fields map[string]interface{}) {
	line, _ := json.Marshal(fields) //nolint:errcheck
	fmt.Println(string(line))
}

func fail(err error) {
	say(map[string]interface{}{"event": "error", "error": err.Error()})
	os.Exit(1)
}

// start makes a client with a fresh key pair and waits until the discovery lists it with a
// delegated server (dmsg.Client.Ready), as dmsgget does.
func start(discURL string) *dmsg.Client {
	pk, sk := cipher.GenerateKeyPair()
	log := logging.MustGetLogger("dmsgpeer")
	client := dmsg.NewClient(pk, sk, disc.NewHTTP(discURL, &http.Client{}, log), dmsg.DefaultConfig())
	go client.Serve(context.Background())
	select {
	case <-client.Ready():
	case <-time.After(30 * time.Second):
		fail(errors.New("client not ready after 30 s"))
	}
	say(map[string]interface{}{"event": "ready", "pk": pk.Hex()})
	return client
}

func listen(client *dmsg.Client, port uint16) {
	lis, err := client.Listen(port)
	if err != nil {
		fail(err)
	}
	for {
		stream, err := lis.AcceptStream()
		if err != nil {
			fail(err)
		}
		go sink(stream)
	}
}

// sink reads the count and that many bytes, then acks with one byte; an open-only stream
// ends at the count (EOF) and is just closed.
func sink(stream *dmsg.Stream) {
	defer stream.Close() //nolint:errcheck
	var header [8]byte
	if _, err := io.ReadFull(stream, header[:]); err != nil {
		return
	}
	n := int64(binary.BigEndian.Uint64(header[:]))
	if got, err := io.CopyBuffer(io.Discard, io.LimitReader(stream, n), make([]byte, chunk)); err != nil || got != n {
		return
	}
	stream.Write([]byte{1}) //nolint:errcheck
}

func dial(client *dmsg.Client, pk cipher.PubKey, port uint16, opens, mib int) {
	stdin := bufio.NewReader(os.Stdin)
	waitLine := func() {
		if _, err := stdin.ReadString('\n'); err != nil {
			fail(err)
		}
	}
	addr := dmsg.Addr{PK: pk, Port: port}
	waitLine()
	ms := make([]float64, 0, opens)
	for i := 0; i < opens; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		began := time.Now()
		stream, err := client.DialStream(ctx, addr)
		elapsed := time.Since(began)
		cancel()
		if err != nil {
			fail(fmt.Errorf("open %d: %w", i, err))
		}
		ms = append(ms, float64(elapsed.Microseconds())/1000)
		stream.Close() //nolint:errcheck
	}
	say(map[string]interface{}{"event": "opens", "ms": ms})
	if mib == 0 {
		return
	}
	waitLine()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := client.DialStream(ctx, addr)
	if err != nil {
		fail(err)
	}
	defer stream.Close() //nolint:errcheck
	bytes := int64(mib) * 1024 * 1024
	block := make([]byte, chunk)
	for i := range block {
		block[i] = 0x5a
	}
	began := time.Now()
	var header [8]byte
	binary.BigEndian.PutUint64(header[:], uint64(bytes))
	if _, err := stream.Write(header[:]); err != nil {
		fail(err)
	}
	for sent := int64(0); sent < bytes; sent += chunk {
		if _, err := stream.Write(block); err != nil {
			fail(err)
		}
	}
	if _, err := io.ReadFull(stream, header[:1]); err != nil {
		fail(fmt.Errorf("no ack: %w", err))
	}
	say(map[string]interface{}{"event": "throughput", "bytes": bytes, "seconds": time.Since(began).Seconds()})
	// Stay until the caller has read our CPU time: it closes stdin (or kills us) when done.
	stdin.ReadString('\n') //nolint:errcheck
}

func number(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		fail(fmt.Errorf("not a count: %q", s))
	}
	return n
}

func main() {
	logging.SetLevel(logrus.ErrorLevel)
	args := os.Args[1:]
	switch {
	case len(args) == 3 && args[0] == "listen":
		listen(start(args[1]), uint16(number(args[2])))
	case len(args) == 6 && args[0] == "dial":
		var pk cipher.PubKey
		if err := pk.Set(args[2]); err != nil {
			fail(fmt.Errorf("bad public key %q: %w", args[2], err))
		}
		dial(start(args[1]), pk, uint16(number(args[3])), number(args[4]), number(args[5]))
	default:
		fmt.Fprintln(os.Stderr, "usage: dmsgpeer listen DISC PORT | dmsgpeer dial DISC PK PORT OPENS MIB")
		os.Exit(2)
	}
}
