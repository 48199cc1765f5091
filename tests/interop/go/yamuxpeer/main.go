// Command yamuxpeer is the Go side of tests/interop/yamux_interop_test.ts: one yamux session
// (github.com/hashicorp/yamux, the library dmsg uses) over TCP, as server (-listen) or client
// (-connect). It serves commands on streams the other side opens; see handle below.
//
// Output on stdout, one line each: "LISTEN <addr>" (server mode, once listening),
// "SESSION" (session up) and "CLOSED" (session ended). Logs go to stderr.
package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

func main() {
	listen := flag.String("listen", "", "serve one yamux server session on this TCP address")
	connect := flag.String("connect", "", "dial this TCP address and run a yamux client session")
	lifetime := flag.Duration("lifetime", 2*time.Minute, "exit with status 2 after this long")
	flag.Parse()
	time.AfterFunc(*lifetime, func() {
		log.Print("lifetime exceeded")
		os.Exit(2)
	})

	conn, err := dial(*listen, *connect)
	if err != nil {
		log.Fatal(err)
	}
	// dmsg's yamux settings (skywire-wire.md §3.1).
	cfg := yamux.DefaultConfig()
	cfg.AcceptBacklog = 512
	cfg.MaxStreamWindowSize = 256 * 1024
	cfg.StreamOpenTimeout = 20 * time.Second
	cfg.StreamCloseTimeout = 30 * time.Second
	var sess *yamux.Session
	if *listen != "" {
		sess, err = yamux.Server(conn, cfg)
	} else {
		sess, err = yamux.Client(conn, cfg)
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SESSION")
	for {
		st, err := sess.AcceptStream()
		if err != nil {
			break
		}
		go handle(sess, st)
	}
	<-sess.CloseChan()
	fmt.Println("CLOSED")
}

func dial(listen, connect string) (net.Conn, error) {
	if connect != "" {
		return net.Dial("tcp", connect)
	}
	l, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	fmt.Println("LISTEN", l.Addr().String())
	return l.Accept()
}

// handle reads one command line and serves it:
//
//	echo          copy the stream back until EOF, then close
//	sha           read to EOF, answer the hex SHA-256 of what was read, close
//	open N SIZE   open N streams, write SIZE random bytes on each, close (FIN) and expect the
//	              hex SHA-256 of them back; answer "ok" or "fail <why>" here
//	ping          ping the session, answer "ok <nanoseconds>"
//	goaway        send GoAway, answer "ok"
//	probe         wait for a line, then try to open a stream: "refused" after a remote GoAway
//	close         close the session
func handle(sess *yamux.Session, st *yamux.Stream) {
	defer st.Close()
	r := bufio.NewReader(st)
	line, err := r.ReadString('\n')
	if err != nil {
		log.Printf("stream %d: no command: %v", st.StreamID(), err)
		return
	}
	args := strings.Fields(line)
	if len(args) == 0 {
		return
	}
	switch args[0] {
	case "echo":
		_, err = io.Copy(st, r)
	case "sha":
		h := sha256.New()
		if _, err = io.Copy(h, r); err == nil {
			_, err = io.WriteString(st, hex.EncodeToString(h.Sum(nil))+"\n")
		}
	case "open":
		_, err = io.WriteString(st, openStreams(sess, args)+"\n")
	case "ping":
		rtt, perr := sess.Ping()
		if perr != nil {
			_, err = io.WriteString(st, "fail "+perr.Error()+"\n")
		} else {
			_, err = fmt.Fprintf(st, "ok %d\n", rtt.Nanoseconds())
		}
	case "goaway":
		if err = sess.GoAway(); err == nil {
			_, err = io.WriteString(st, "ok\n")
		}
	case "probe":
		if _, err = r.ReadString('\n'); err == nil {
			_, err = io.WriteString(st, probe(sess)+"\n")
		}
	case "close":
		err = sess.Close()
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		log.Printf("stream %d: %s: %v", st.StreamID(), args[0], err)
	}
}

func openStreams(sess *yamux.Session, args []string) string {
	if len(args) != 3 {
		return "fail usage: open N SIZE"
	}
	n, err1 := strconv.Atoi(args[1])
	size, err2 := strconv.Atoi(args[2])
	if err1 != nil || err2 != nil || n < 1 || size < 0 {
		return "fail bad numbers"
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- sendAndVerify(sess, size)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return "fail " + err.Error()
		}
	}
	return "ok"
}

func sendAndVerify(sess *yamux.Session, size int) error {
	st, err := sess.OpenStream()
	if err != nil {
		return err
	}
	defer st.Close()
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		return err
	}
	if _, err := st.Write(data); err != nil {
		return err
	}
	if err := st.Close(); err != nil { // FIN: the other side reads EOF and answers
		return err
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	got, err := readAfterClose(st, len(want))
	if err != nil {
		return err
	}
	if string(got) != want {
		return fmt.Errorf("stream %d: checksum %q, want %q", st.StreamID(), got, want)
	}
	return nil
}

// readAfterClose reads n bytes from a stream we already closed. yamux v0.1.1 returns io.EOF from
// Read after a local Close while nothing is buffered (v0.1.2 fixed it), so EOF here only means
// "not yet": retry until the bytes arrive or a deadline passes.
func readAfterClose(st *yamux.Stream, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	buf := make([]byte, n)
	deadline := time.Now().Add(20 * time.Second)
	for len(out) < n {
		k, err := st.Read(buf[:n-len(out)])
		out = append(out, buf[:k]...)
		if err != nil && !errors.Is(err, io.EOF) {
			return out, err
		}
		if k == 0 {
			if time.Now().After(deadline) {
				return out, fmt.Errorf("stream %d: no answer after close", st.StreamID())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	return out, nil
}

func probe(sess *yamux.Session) string {
	st, err := sess.OpenStream()
	switch {
	case errors.Is(err, yamux.ErrRemoteGoAway):
		return "refused"
	case err != nil:
		return "error " + err.Error()
	default:
		st.Close()
		return "opened"
	}
}
