package main

import (
	"encoding/json"

	"github.com/skycoin/dmsg/pkg/disc"
	"github.com/skycoin/skywire-utilities/pkg/cipher"
)

// signEntry is disc.Entry.Sign with the deterministic signer: clear the signature, json.Marshal,
// sign the bytes, store the hex.
func signEntry(e *disc.Entry, kp keyPair) {
	e.Signature = ""
	b, err := json.Marshal(e)
	must(err)
	sig := signPayloadDeterministic(b, kp.SK)
	e.Signature = sig.Hex()
}

func entryVector(e *disc.Entry, kp keyPair) map[string]interface{} {
	signable, err := json.Marshal(e)
	must(err)
	signEntry(e, kp)
	signed, err := json.Marshal(e)
	must(err)
	var back disc.Entry
	must(json.Unmarshal(signed, &back))
	return map[string]interface{}{
		"signable":    string(signable),
		"signed":      string(signed),
		"go_verify":   errText(back.VerifySignature()),
		"go_validate": errText(back.Validate(false)),
	}
}

func discoverySection() map[string]interface{} {
	client := func(servers []cipher.PubKey, clientType string) *disc.Entry {
		e := disc.NewClientEntry(initiator.PK, 0, servers)
		e.Timestamp = fixedTimestamp
		e.ClientType = clientType
		return e
	}
	server := func(serverType string) *disc.Entry {
		e := disc.NewServerEntry(responder.PK, 3, "127.0.0.1:8081", 2048)
		e.Timestamp = fixedTimestamp
		e.Server.ServerType = serverType
		return e
	}
	return map[string]interface{}{
		"note": "Go json.Marshal of dmsg disc.Entry (dmsg v1.3.18-0.20240311074627-0ba753f65a88); " +
			"signed = signable with \"signature\" added (SignPayload over the signable bytes). " +
			"The 2024 struct adds client_type (omitempty) and server.serverType (omitempty).",
		"client_no_servers":    entryVector(client(nil, ""), initiator),
		"client_empty_servers": entryVector(client([]cipher.PubKey{}, ""), initiator),
		"client":               entryVector(client([]cipher.PubKey{responder.PK}, ""), initiator),
		"client_with_type":     entryVector(client([]cipher.PubKey{responder.PK}, "visor"), initiator),
		"server":               entryVector(server(""), responder),
		"server_with_type":     entryVector(server("official"), responder),
	}
}
