// Command vectors prints Skywire wire-format test vectors as JSON, produced by the Go reference
// packages (github.com/skycoin/skywire at 0e7420a5c and the dmsg, noise and cipher modules it
// pins) from fixed inputs. The TypeScript tests in skywire-deno compare their bytes with these.
//
// Usage:
//
//	vectors                 print the whole document to stdout
//	vectors gob NAME        (internal) print one gob vector, encoded in a fresh process
//	vectors rpc-server      (internal) serve net/rpc on 127.0.0.1:0 and print what it wrote
//	vectors rpc-client ADDR (internal) call the server and print what it wrote
//
// Gob type ids are allocated process-wide by Go, in the order types are first used. The gob and
// net/rpc vectors are therefore each produced in a fresh child process, so their ids are the
// ones a freshly started Go program sends (starting at 65) and do not depend on the order of
// this program.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/skycoin/skywire-utilities/pkg/logging"
)

func main() {
	logging.SetOutputTo(os.Stderr) // stdout carries the JSON
	if len(os.Args) > 1 {
		var out interface{}
		switch os.Args[1] {
		case "gob":
			out = gobVector(os.Args[2])
		case "rpc-server":
			out = runRPCServer()
		case "rpc-client":
			out = runRPCClient(os.Args[2])
		default:
			fail(fmt.Errorf("unknown mode %q", os.Args[1]))
		}
		writeJSON(out)
		return
	}

	doc := map[string]interface{}{
		"source":            source(),
		"keys":              keysSection(),
		"signatures":        signaturesSection(),
		"ecdh":              ecdhSection(),
		"transport_ids":     transportIDsSection(),
		"noise":             noiseSection(),
		"gob":               gobSection(),
		"rpc":               rpcSection(),
		"routing":           routingSection(),
		"discovery_entries": discoverySection(),
		"transport":         transportSection(),
	}
	writeJSON(doc)
}

// source records what produced the document. Only "date" and "go_version" may differ between
// two runs of the same program against the same modules.
func source() map[string]interface{} {
	mods := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		mods[info.Main.Path] = info.Main.Version
		if info.Main.Path == "github.com/skycoin/skywire" {
			// Built inside a vendored copy of the reference tree, which is then the main module.
			mods[info.Main.Path] = "v1.3.21-0.20240327165602-0e7420a5cb01 (vendored tree of 0e7420a5c as main module)"
		}
		for _, d := range info.Deps {
			switch d.Path {
			case "github.com/skycoin/skywire", "github.com/skycoin/dmsg", "github.com/skycoin/noise",
				"github.com/skycoin/skycoin", "github.com/skycoin/skywire-utilities", "github.com/google/uuid":
				mods[d.Path] = d.Version
			}
		}
	}
	return map[string]interface{}{
		"program":    "tests/interop/go/vectors (skywire-deno's own Go program, imports the reference packages)",
		"modules":    mods,
		"go_version": runtime.Version(),
		"date":       time.Now().UTC().Format(time.RFC3339),
		"how": "go build of tests/interop/go/vectors against github.com/skycoin/skywire@0e7420a5c " +
			"(v1.3.21-0.20240327165602-0e7420a5cb01) and the dependency versions its go.mod pins; " +
			"run with no arguments; stdout is this file",
		"deterministic_signatures": "every signature except signatures.go_random_nonce was made by " +
			"skycoin's secp256k1-go2 Signature.Sign with the RFC 6979 (HMAC-SHA256) nonce instead " +
			"of a random one, so the file is reproducible; Go verified each one with " +
			"cipher.VerifyPubKeySignedPayload",
		"nondeterministic_paths": []string{"source.date", "source.go_version", "signatures.go_random_nonce"},
	}
}

func writeJSON(v interface{}) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		fail(err)
	}
	if _, err := os.Stdout.Write(buf.Bytes()); err != nil {
		fail(err)
	}
}

// runChild runs this program again with args and decodes its JSON output into out.
func runChild(out interface{}, args ...string) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		fail(fmt.Errorf("child %v: %w", args, err))
	}
	if err := json.Unmarshal(b, out); err != nil {
		fail(fmt.Errorf("child %v output: %w", args, err))
	}
}

func hx(b []byte) string { return hex.EncodeToString(b) }

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		fail(err)
	}
	return b
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// catch runs f and reports a panic as text (some skycoin functions panic on bad input).
func catch(f func() error) (res string) {
	defer func() {
		if r := recover(); r != nil {
			res = "panic: " + strings.TrimSpace(fmt.Sprint(r))
		}
	}()
	return errText(f())
}

func must(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "vectors:", err)
	os.Exit(1)
}
