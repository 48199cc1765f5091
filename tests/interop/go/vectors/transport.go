package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/skycoin/dmsg/pkg/dmsg"
	"github.com/skycoin/skywire-utilities/pkg/cipher"

	"github.com/skycoin/skywire/pkg/transport"
	"github.com/skycoin/skywire/pkg/transport/network"
	"github.com/skycoin/skywire/pkg/transport/network/handshake"
)

// encodeLine is what json.NewEncoder(w).Encode(v) writes: the JSON and a newline.
func encodeLine(v interface{}) string {
	var b bytes.Buffer
	must(json.NewEncoder(&b).Encode(v))
	return b.String()
}

func handshakeNonce() [handshake.NonceSize]byte {
	var n [handshake.NonceSize]byte
	for i := range n {
		n[i] = byte(i*17 + 3)
	}
	return n
}

// signedFrame2 is Frame2.Sign with the deterministic signature: Sig zero, encode, sign.
func signedFrame2() handshake.Frame2 {
	f2 := handshake.Frame2{
		SrcAddr: dmsg.Addr{PK: initiator.PK, Port: 49153},
		DstAddr: dmsg.Addr{PK: responder.PK, Port: 45},
		Nonce:   handshakeNonce(),
	}
	f2.Sig = signPayloadDeterministic([]byte(encodeLine(f2)), initiator.SK)
	must(f2.Verify(handshakeNonce()))
	return f2
}

// decodeAndVerifyFrame2 is what a Go responder does with a Frame2 line.
func decodeAndVerifyFrame2(text string) string {
	var f2 handshake.Frame2
	if err := json.NewDecoder(strings.NewReader(text)).Decode(&f2); err != nil {
		return "decode: " + err.Error()
	}
	return errText(f2.Verify(handshakeNonce()))
}

func frame2Cases(signed string) []interface{} {
	sigHex := signed[strings.Index(signed, `"Sig":"`)+7 : strings.LastIndex(signed, `"`)]
	nonceJSON := signed[strings.Index(signed, `"Nonce":`)+8 : strings.Index(signed, `,"Sig"`)]
	cases := []struct{ name, text string }{
		{"canonical", signed},
		{"lowercase_keys", strings.NewReplacer(`"SrcAddr"`, `"srcaddr"`, `"DstAddr"`, `"DSTADDR"`,
			`"Nonce"`, `"nonce"`, `"Sig"`, `"sig"`, `"public_key"`, `"Public_Key"`).Replace(signed)},
		{"unknown_field", strings.Replace(signed, `{"SrcAddr"`, `{"Extra":[1,{"a":2.5}],"SrcAddr"`, 1)},
		{"sig_first", `{"Sig":"` + sigHex + `",` + strings.Replace(signed[1:], `,"Sig":"`+sigHex+`"`, "", 1)},
		{"uppercase_hex", strings.Replace(signed, initiator.PK.Hex(), strings.ToUpper(initiator.PK.Hex()), 1)},
		{"uppercase_sig", strings.Replace(signed, sigHex, strings.ToUpper(sigHex), 1)},
		{"spaces", strings.NewReplacer(`,`, `, `, `:`, ` : `, `{`, "{\n ").Replace(signed)},
		{"port_string", strings.Replace(signed, `"port":45`, `"port":"45"`, 1)},
		{"port_float", strings.Replace(signed, `"port":45`, `"port":45.0`, 1)},
		{"port_exponent", strings.Replace(signed, `"port":45`, `"port":4.5e1`, 1)},
		{"port_negative", strings.Replace(signed, `"port":45`, `"port":-45`, 1)},
		{"port_too_big", strings.Replace(signed, `"port":45`, `"port":65581`, 1)},
		{"port_changed", strings.Replace(signed, `"port":45`, `"port":46`, 1)},
		{"nonce_changed", strings.Replace(signed, `"Nonce":[3,`, `"Nonce":[4,`, 1)},
		{"nonce_short", strings.Replace(signed, `,241,2]`, `,241]`, 1)},
		{"nonce_long", strings.Replace(signed, `,241,2]`, `,241,2,"extra"]`, 1)},
		{"nonce_byte_too_big", strings.Replace(signed, `"Nonce":[3,`, `"Nonce":[259,`, 1)},
		{"nonce_twice_last_wins", strings.Replace(signed, `"Nonce":`, `"Nonce":[9,9],"nonce":`, 1)},
		{"nonce_string", strings.Replace(signed, nonceJSON, `"AxQlNkdYaXqLnK2+z+DxAg=="`, 1)},
		{"sig_short", strings.Replace(signed, sigHex, sigHex[:128], 1)},
		{"sig_null", strings.Replace(signed, `"`+sigHex+`"`, `null`, 1)},
		{"src_null", strings.Replace(signed, signed[strings.Index(signed, `{"public_key"`):strings.Index(signed, `,"DstAddr"`)], `null`, 1)},
		{"pk_zero_text", strings.Replace(signed, initiator.PK.Hex(), "0", 1)},
		{"pk_bad_hex", strings.Replace(signed, initiator.PK.Hex(), "zz"+initiator.PK.Hex()[2:], 1)},
		{"top_array", "[" + strings.TrimSpace(signed) + "]"},
		{"truncated", signed[:len(signed)/2]},
	}
	var out []interface{}
	for _, c := range cases {
		out = append(out, map[string]interface{}{
			"name": c.name, "line": c.text, "go_result": decodeAndVerifyFrame2(c.text),
		})
	}
	return out
}

// settleAsResponder is what a Go settlement responder checks (receiveAndVerifyEntry with
// compareEntries): decode, entry present, id/edges/type equal to its own, remote signature.
func settleAsResponder(text string, local, remote cipher.PubKey, netType network.Type) string {
	var se transport.SignedEntry
	if err := json.NewDecoder(strings.NewReader(text)).Decode(&se); err != nil {
		return "decode: " + err.Error()
	}
	if se.Entry == nil {
		return "entry part of signed entry is empty"
	}
	want := transport.MakeEntry(local, remote, netType, transport.LabelUser)
	switch {
	case want.ID != se.Entry.ID:
		return "received entry's 'tp_id' is not of expected"
	case want.Edges != se.Entry.Edges:
		return "received entry's 'edges' is not of expected"
	case want.Type != se.Entry.Type:
		return "received entry's 'type' is not of expected"
	}
	sig, err := se.Signature(remote)
	if err != nil {
		return "invalid remote signature: " + err.Error()
	}
	return errText(cipher.VerifyPubKeySignedPayload(remote, sig, se.Entry.ToBinary()))
}

func signSlot(se *transport.SignedEntry, kp keyPair) {
	idx := se.Entry.EdgeIndex(kp.PK)
	if idx < 0 {
		fail(errors.New("not an edge"))
	}
	se.Signatures[idx] = signPayloadDeterministic(se.Entry.ToBinary(), kp.SK)
}

func signedEntryCases(oneSigned string, initiatorSig cipher.Sig) []interface{} {
	id := transport.MakeTransportID(initiator.PK, responder.PK, network.STCPR).String()
	e := transport.MakeEntry(initiator.PK, responder.PK, network.STCPR, transport.LabelUser)
	cases := []struct{ name, text string }{
		{"canonical", oneSigned},
		{"label_automatic", strings.Replace(oneSigned, `"label":"user"`, `"label":"automatic"`, 1)},
		{"label_missing", strings.Replace(oneSigned, `,"label":"user"`, ``, 1)},
		{"type_changed", strings.Replace(oneSigned, `"type":"stcpr"`, `"type":"stcp"`, 1)},
		{"id_uppercase", strings.Replace(oneSigned, id, strings.ToUpper(id), 1)},
		{"id_no_dashes", strings.Replace(oneSigned, id, strings.ReplaceAll(id, "-", ""), 1)},
		{"id_changed", strings.Replace(oneSigned, id[:8], "00000000", 1)},
		{"edges_swapped", strings.Replace(oneSigned, e.Edges[0].Hex()+`","`+e.Edges[1].Hex(), e.Edges[1].Hex()+`","`+e.Edges[0].Hex(), 1)},
		{"entry_null", `{"entry":null,"signatures":[]}` + "\n"},
		{"entry_missing", `{"signatures":[]}` + "\n"},
		{"keys_uppercase", strings.NewReplacer(`"entry"`, `"ENTRY"`, `"t_id"`, `"T_ID"`, `"signatures"`, `"Signatures"`).Replace(oneSigned)},
		{"signatures_one", strings.Replace(oneSigned, `,"`+strings.Repeat("0", 130)+`"]`, `]`, 1)},
		{"signatures_three", strings.Replace(oneSigned, `"]}`, `",7]}`, 1)},
		{"registered", strings.Replace(oneSigned, `]}`, `],"registered":1700000000}`, 1)},
		{"registered_float", strings.Replace(oneSigned, `]}`, `],"registered":1.5}`, 1)},
		{"unknown_fields", strings.Replace(oneSigned, `{"entry":{`, `{"x":{"y":[]},"entry":{"public":true,`, 1)},
		{"remote_sig_zero", strings.Replace(oneSigned, initiatorSig.Hex(), strings.Repeat("0", 130), 1)},
		{"remote_sig_other_slot", strings.NewReplacer(initiatorSig.Hex(), strings.Repeat("0", 130), strings.Repeat("0", 130), initiatorSig.Hex()).Replace(oneSigned)},
		{"truncated", oneSigned[:len(oneSigned)/3]},
	}
	var out []interface{}
	for _, c := range cases {
		out = append(out, map[string]interface{}{
			"name": c.name, "line": c.text,
			"go_result": settleAsResponder(c.text, responder.PK, initiator.PK, network.STCPR),
		})
	}
	return out
}

func transportSection() map[string]interface{} {
	nonce := handshakeNonce()
	f2 := signedFrame2()
	unsigned := f2
	unsigned.Sig = cipher.Sig{}
	signedLine := encodeLine(f2)

	// The initiator dials the responder: its entry, signed in its slot, then countersigned.
	e := transport.MakeEntry(initiator.PK, responder.PK, network.STCPR, transport.LabelUser)
	one := transport.SignedEntry{Entry: &e}
	signSlot(&one, initiator)
	both := one
	signSlot(&both, responder)
	registered := both
	registered.Registered = 1700000000
	registeredJSON, err := json.Marshal(registered)
	must(err)
	dmsgEntry := transport.MakeEntry(responder.PK, initiator.PK, network.DMSG, transport.LabelAutomatic)
	dmsgSigned := transport.SignedEntry{Entry: &dmsgEntry}
	signSlot(&dmsgSigned, responder)

	return map[string]interface{}{
		"how": "network handshake frames and settlement entries of pkg/transport at 0e7420a5c, " +
			"written with json.NewEncoder (trailing newline) exactly as the handshakes write them; " +
			"initiator = keys.initiator (dialer), responder = keys.responder; signatures deterministic",
		"frame0":          handshake.Message,
		"nonce":           hx(nonce[:]),
		"frame1":          encodeLine(handshake.Frame1{Nonce: nonce}),
		"frame2_unsigned": encodeLine(unsigned),
		"frame2_signed":   signedLine,
		"frame2_cases":    frame2Cases(signedLine),
		"frame3_ok":       encodeLine(handshake.Frame3{OK: true}),
		"frame3_refused":  encodeLine(handshake.Frame3{OK: false, ErrMsg: "not listening on given port"}),
		"frame3_escaped":  encodeLine(handshake.Frame3{OK: false, ErrMsg: "a<b>&c\"d\\e\n\t\x01\u2028"}),
		"entry": map[string]interface{}{
			"json":   encodeLine(e),
			"binary": hx(e.ToBinary()),
		},
		"signed_entry_initiator":      encodeLine(one),
		"signed_entry_countersigned":  encodeLine(both),
		"signed_entry_registered":     string(registeredJSON),
		"signed_entry_dmsg_automatic": encodeLine(dmsgSigned),
		"signed_entry_cases":          signedEntryCases(encodeLine(one), one.Signatures[one.Entry.EdgeIndex(initiator.PK)]),
		"settlement_results": map[string]int{
			"failure": 0, "ok": 1, "signature_error": 2, "invalid_entry": 3,
		},
	}
}
