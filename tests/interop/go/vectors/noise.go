package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"reflect"
	"sync"
	"time"
	"unsafe"

	skynoise "github.com/skycoin/noise"
	"github.com/skycoin/skywire-utilities/pkg/cipher"

	dmsgnoise "github.com/skycoin/dmsg/pkg/noise"
)

// fixedEphemeralDH is dmsg's Secp256k1 DH function with GenerateKeypair returning a fixed key.
// dmsg's own GenerateKeypair ignores the random reader it is given, so the only way to fix the
// ephemeral key is to swap the DH function in the handshake state.
type fixedEphemeralDH struct {
	dmsgnoise.Secp256k1
	eph keyPair
}

func (d fixedEphemeralDH) GenerateKeypair(io.Reader) (skynoise.DHKey, error) {
	return skynoise.DHKey{Private: append([]byte(nil), d.eph.SK[:]...), Public: append([]byte(nil), d.eph.PK[:]...)}, nil
}

type noiseSide struct {
	static    keyPair
	remote    cipher.PubKey // null when the pattern does not give it in advance (XK responder)
	eph       keyPair
	initiator bool
}

func handshakeConfig(pattern skynoise.HandshakePattern, side noiseSide) skynoise.Config {
	nc := skynoise.Config{
		CipherSuite:   skynoise.NewCipherSuite(fixedEphemeralDH{eph: side.eph}, skynoise.CipherChaChaPoly, skynoise.HashSHA256),
		Random:        rand.Reader,
		Pattern:       pattern,
		Initiator:     side.initiator,
		StaticKeypair: skynoise.DHKey{Public: side.static.PK[:], Private: side.static.SK[:]},
	}
	if !side.remote.Null() {
		nc.PeerStatic = side.remote[:]
	}
	return nc
}

// newDmsgNoise builds dmsg's *noise.Noise exactly as dmsg does (noise.New), then replaces its
// unexported handshake state with one configured the same way except for the fixed ephemeral.
// Everything after that (message order, CipherState assignment, nonces, framing) is dmsg's code.
func newDmsgNoise(pattern skynoise.HandshakePattern, side noiseSide) *dmsgnoise.Noise {
	ns, err := dmsgnoise.New(pattern, dmsgnoise.Config{
		LocalPK: side.static.PK, LocalSK: side.static.SK, RemotePK: side.remote, Initiator: side.initiator,
	})
	must(err)
	hs, err := skynoise.NewHandshakeState(handshakeConfig(pattern, side))
	must(err)
	f := reflect.ValueOf(ns).Elem().FieldByName("hs")
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(hs))
	return ns
}

// recordingConn keeps a copy of every Write, so each recorded chunk is one frame as dmsg wrote it.
type recordingConn struct {
	net.Conn
	mu     sync.Mutex
	writes [][]byte
}

func (c *recordingConn) Write(p []byte) (int, error) {
	if len(p) > 0 {
		c.mu.Lock()
		c.writes = append(c.writes, append([]byte(nil), p...))
		c.mu.Unlock()
	}
	return c.Conn.Write(p)
}

func (c *recordingConn) take() [][]byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writes
	c.writes = nil
	return w
}

func tcpPair() (net.Conn, net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		must(err)
		ch <- c
	}()
	a, err := net.Dial("tcp", l.Addr().String())
	must(err)
	return a, <-ch
}

func pattern(name string) skynoise.HandshakePattern {
	if name == "XK" {
		return skynoise.HandshakeXK
	}
	return skynoise.HandshakeKK
}

func sides(name string) (noiseSide, noiseSide) {
	ini := noiseSide{static: initiator, remote: responder.PK, eph: initiatorEphemeral, initiator: true}
	res := noiseSide{static: responder, eph: responderEphemeral}
	if name == "KK" {
		res.remote = initiator.PK
	}
	return ini, res
}

// patternPlaintext is a long plaintext that is not all one byte: byte i is i mod 251.
func patternPlaintext(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

type writeRecord struct {
	Plaintext string   `json:"plaintext"`
	Frames    []string `json:"frames"`
}

// transferAndRecord writes each plaintext through w (a dmsg noise.ReadWriter), reads it back
// through r on the other side, and returns the frames each Write produced on the wire.
func transferAndRecord(w io.Writer, wc *recordingConn, r io.Reader, plaintexts [][]byte) []writeRecord {
	var out []writeRecord
	for _, pt := range plaintexts {
		got := make([]byte, len(pt))
		done := make(chan error, 1)
		go func() {
			_, err := io.ReadFull(r, got)
			done <- err
		}()
		n, err := w.Write(pt)
		must(err)
		if n != len(pt) {
			fail(fmt.Errorf("short write %d", n))
		}
		must(<-done)
		if !bytes.Equal(got, pt) {
			fail(fmt.Errorf("noise round trip mismatch"))
		}
		rec := writeRecord{Plaintext: hx(pt)}
		for _, f := range wc.take() {
			rec.Frames = append(rec.Frames, hx(f))
		}
		out = append(out, rec)
	}
	return out
}

// splitCipherStates runs the same handshake with skycoin/noise directly to obtain Split()'s
// (cs1, cs2), which dmsg's Noise does not expose. Used to name the CipherState each side uses.
func splitCipherStates(name string) (cs1, cs2 *skynoise.CipherState, hash []byte) {
	ini, res := sides(name)
	hi, err := skynoise.NewHandshakeState(handshakeConfig(pattern(name), ini))
	must(err)
	hr, err := skynoise.NewHandshakeState(handshakeConfig(pattern(name), res))
	must(err)
	writer, reader := hi, hr
	for {
		msg, a, b, err := writer.WriteMessage(nil, nil)
		must(err)
		_, _, _, err = reader.ReadMessage(nil, msg)
		must(err)
		if a != nil {
			return a, b, hi.ChannelBinding()
		}
		writer, reader = reader, writer
	}
}

func whichCipherState(frame []byte, pt []byte, cs1, cs2 *skynoise.CipherState) string {
	// frame = len(2) ‖ nonce(8) ‖ ciphertext; the first frame of each side has nonce 1.
	ct := frame[10:]
	if bytes.Equal(cs1.Cipher().Encrypt(nil, 1, nil, pt), ct) {
		return "cs1"
	}
	if bytes.Equal(cs2.Cipher().Encrypt(nil, 1, nil, pt), ct) {
		return "cs2"
	}
	return "neither"
}

func noiseTranscript(name string, signedRequest, signedResponse []byte) map[string]interface{} {
	ini, res := sides(name)
	nsI, nsR := newDmsgNoise(pattern(name), ini), newDmsgNoise(pattern(name), res)
	a, b := tcpPair()
	ca, cb := &recordingConn{Conn: a}, &recordingConn{Conn: b}
	defer ca.Close()
	defer cb.Close()
	rwI, rwR := dmsgnoise.NewReadWriter(ca, nsI), dmsgnoise.NewReadWriter(cb, nsR)

	errs := make(chan error, 2)
	go func() { errs <- rwI.Handshake(5 * time.Second) }()
	go func() { errs <- rwR.Handshake(5 * time.Second) }()
	must(<-errs)
	must(<-errs)
	iMsgs, rMsgs := ca.take(), cb.take()
	var framed []string
	var messages []string
	for i := 0; i < len(iMsgs)+len(rMsgs); i++ {
		var m []byte
		if i%2 == 0 {
			m = iMsgs[i/2]
		} else {
			m = rMsgs[i/2]
		}
		framed = append(framed, hx(m))
		messages = append(messages, hx(m[2:]))
	}

	initiatorPlain := [][]byte{[]byte("hello dmsg"), bytes.Repeat([]byte{0xab}, 4070), patternPlaintext(10000)}
	responderPlain := [][]byte{[]byte("hello back"), patternPlaintext(4071)}
	iWrites := transferAndRecord(rwI, ca, rwR, initiatorPlain)
	rWrites := transferAndRecord(rwR, cb, rwI, responderPlain)

	cs1, cs2, hash := splitCipherStates(name)
	iCS := whichCipherState(unhex(iWrites[0].Frames[0]), initiatorPlain[0], cs1, cs2)
	rCS := whichCipherState(unhex(rWrites[0].Frames[0]), responderPlain[0], cs1, cs2)

	out := map[string]interface{}{
		"pattern":                 "Noise_" + name + "_Secp256k1_ChaChaPoly_SHA256",
		"prologue":                "",
		"initiator_static_pk":     initiator.PK.Hex(),
		"responder_static_pk":     responder.PK.Hex(),
		"initiator_ephemeral_pk":  initiatorEphemeral.PK.Hex(),
		"responder_ephemeral_pk":  responderEphemeral.PK.Hex(),
		"messages":                messages,
		"messages_framed":         framed,
		"message_senders":         senders(len(messages)),
		"handshake_hash":          hx(hash),
		"initiator_encrypts_with": iCS,
		"responder_encrypts_with": rCS,
		"initiator_writes":        iWrites,
		"responder_writes":        rWrites,
	}
	if name == "XK" {
		out["session_objects"] = sessionObjects(signedRequest, signedResponse)
	}
	return out
}

func senders(n int) []string {
	var s []string
	for i := 0; i < n; i++ {
		if i%2 == 0 {
			s = append(s, "initiator")
		} else {
			s = append(s, "responder")
		}
	}
	return s
}

// sessionObjects encrypts signed objects with the keys of a fresh XK session the way a dmsg
// session does (SessionCommon.writeObject: len(2) ‖ EncryptUnsafe(obj)) and decrypts them with
// DecryptWithNonceMap as SessionCommon.readObject does. These are the first objects after the
// handshake, so both carry nonce 1.
func sessionObjects(signedRequest, signedResponse []byte) map[string]interface{} {
	ini, res := sides("XK")
	nsI, nsR := newDmsgNoise(pattern("XK"), ini), newDmsgNoise(pattern("XK"), res)
	writer, reader := nsI, nsR
	for !nsI.HandshakeFinished() || !nsR.HandshakeFinished() {
		msg, err := writer.MakeHandshakeMessage()
		must(err)
		must(reader.ProcessHandshakeMessage(msg))
		writer, reader = reader, writer
	}
	frame := func(enc, dec *dmsgnoise.Noise, obj []byte) string {
		p := enc.EncryptUnsafe(obj)
		f := append([]byte{byte(len(p) >> 8), byte(len(p))}, p...)
		got, err := dec.DecryptWithNonceMap(dmsgnoise.NonceMap{}, f[2:])
		must(err)
		if !bytes.Equal(got, obj) {
			fail(fmt.Errorf("session object round trip mismatch"))
		}
		return hx(f)
	}
	// readObject passes the session's NonceMap to DecryptWithNonceMap, which only looks nonces
	// up and never adds them: the same frame decrypts twice.
	replay := func(dec *dmsgnoise.Noise, frameHex string) string {
		nm := dmsgnoise.NonceMap{}
		f := unhex(frameHex)
		_, err1 := dec.DecryptWithNonceMap(nm, f[2:])
		_, err2 := dec.DecryptWithNonceMap(nm, f[2:])
		return fmt.Sprintf("first: %s; second: %s; nonces in map: %d", errText(err1), errText(err2), len(nm))
	}
	clientFrame := frame(nsI, nsR, signedRequest)
	serverFrame := frame(nsR, nsI, signedResponse)
	return map[string]interface{}{
		"go_replay_of_client_frame": replay(nsR, clientFrame),
		"note":                      "a fresh XK session with the same keys; client = initiator, server = responder",
		"client_object":             hx(signedRequest),
		"client_frame":              clientFrame,
		"server_object":             hx(signedResponse),
		"server_frame":              serverFrame,
		"client_object_source":      "gob.signed_stream_request.bytes",
		"server_object_source":      "gob.signed_stream_response_accepted.bytes",
	}
}

func noiseSection() map[string]interface{} {
	var req, resp gobOut
	runChild(&req, "gob", "signed_stream_request")
	runChild(&resp, "gob", "signed_stream_response_accepted")
	return map[string]interface{}{
		"how": "dmsg pkg/noise (noise.New + NewReadWriter.Handshake over a TCP pair on 127.0.0.1, " +
			"then ReadWriter.Write/Read); the only change is the ephemeral key: dmsg's Secp256k1 " +
			"GenerateKeypair ignores its random reader, so the handshake state inside dmsg's Noise " +
			"is replaced (via reflect) by skycoin/noise.NewHandshakeState with the same config and a " +
			"DH function that returns the fixed ephemeral. cs1/cs2 names come from running the same " +
			"handshake with skycoin/noise directly and comparing the first frame of each side.",
		"frame_layout": "len(2, BE) ‖ nonce(8, BE) ‖ ChaCha20-Poly1305(ciphertext ‖ tag16); AEAD nonce = " +
			"00000000 ‖ LE64(n), AD empty; the first frame of each direction has n = 1; a Write of " +
			"more than 4070 bytes is split into frames of at most 4070 plaintext bytes",
		"xk": noiseTranscript("XK", unhex(req.Bytes), unhex(resp.Bytes)),
		"kk": noiseTranscript("KK", nil, nil),
	}
}
