package main

import (
	"bytes"
	"encoding/gob"

	"github.com/skycoin/dmsg/pkg/dmsg"

	"github.com/skycoin/skywire/pkg/routing"
)

type gobOut struct {
	Name      string      `json:"name"`
	GoType    string      `json:"go_type"`
	Value     interface{} `json:"value"`
	Bytes     string      `json:"bytes"`
	Layout    string      `json:"layout,omitempty"`
	GoVerify  string      `json:"go_verify,omitempty"`
	GoDecoded interface{} `json:"go_decoded,omitempty"`
}

// gobNames lists the gob vectors in the order they appear in the document.
var gobNames = []string{
	"stream_request", "signed_stream_request",
	"stream_response_accepted", "signed_stream_response_accepted",
	"stream_response_rejected", "signed_stream_response_rejected",
	"signed_stream_request_kk", "signed_stream_response_kk",
	"bidirectional_route", "hop", "edge_rules", "rule_intermediary", "rule_forward", "rules",
	"route_ids", "uint8", "bool_true", "bool_false",
}

// freshGob encodes v with a new gob.Encoder, as dmsg's encodeGob does.
func freshGob(v interface{}) []byte {
	var b bytes.Buffer
	must(gob.NewEncoder(&b).Encode(v))
	return b.Bytes()
}

func signObject(obj []byte, kp keyPair) dmsg.SignedObject {
	sig := signPayloadDeterministic(obj, kp.SK)
	return dmsg.SignedObject(append(sig[:], obj...))
}

func requestJSON(r dmsg.StreamRequest) map[string]interface{} {
	return map[string]interface{}{
		"Timestamp": r.Timestamp,
		"SrcAddr":   map[string]interface{}{"PK": r.SrcAddr.PK.Hex(), "Port": r.SrcAddr.Port},
		"DstAddr":   map[string]interface{}{"PK": r.DstAddr.PK.Hex(), "Port": r.DstAddr.Port},
		"NoiseMsg":  hx(r.NoiseMsg),
	}
}

func responseJSON(r dmsg.StreamResponse) map[string]interface{} {
	return map[string]interface{}{
		"ReqHash":  hx(r.ReqHash[:]),
		"Accepted": r.Accepted,
		"ErrCode":  uint16(r.ErrCode),
		"NoiseMsg": hx(r.NoiseMsg),
	}
}

func signedRequest() dmsg.SignedObject {
	req := streamRequest()
	return signObject(freshGob(&req), initiator)
}

func streamResponse(accepted bool) dmsg.StreamResponse {
	resp := dmsg.StreamResponse{ReqHash: signedRequest().Hash(), Accepted: accepted}
	if accepted {
		resp.NoiseMsg = []byte{5, 6, 7}
	} else {
		resp.ErrCode = 306 // ErrReqNoListener
	}
	return resp
}

// streamDialKK builds the signed request and response of a dmsg stream dial as stream.go does:
// the dialer's KK message 1 in the request's NoiseMsg, the listener's message 2 in the
// response's. The request is encoded before the response, as in a real dial.
func streamDialKK() (dmsg.SignedObject, dmsg.SignedObject) {
	ini, res := sides("KK")
	nsI, nsR := newDmsgNoise(pattern("KK"), ini), newDmsgNoise(pattern("KK"), res)
	msg1, err := nsI.MakeHandshakeMessage()
	must(err)
	req := dmsg.StreamRequest{
		Timestamp: fixedTimestamp,
		SrcAddr:   dmsg.Addr{PK: initiator.PK, Port: 49153},
		DstAddr:   dmsg.Addr{PK: responder.PK, Port: 80},
		NoiseMsg:  msg1,
	}
	reqSO := signObject(freshGob(&req), initiator)
	must(nsR.ProcessHandshakeMessage(msg1))
	msg2, err := nsR.MakeHandshakeMessage()
	must(err)
	must(nsI.ProcessHandshakeMessage(msg2))
	resp := dmsg.StreamResponse{ReqHash: reqSO.Hash(), Accepted: true, NoiseMsg: msg2}
	return reqSO, signObject(freshGob(&resp), responder)
}

// gobVector produces one gob vector. It runs in a fresh process (see main), so the gob type
// ids are those of a Go program's first encode.
func gobVector(name string) gobOut {
	out := gobOut{Name: name}
	switch name {
	case "stream_request":
		req := streamRequest()
		out.GoType, out.Value, out.Bytes = "dmsg.StreamRequest", requestJSON(req), hx(freshGob(&req))
	case "signed_stream_request":
		so := signedRequest()
		req, err := so.ObtainStreamRequest()
		must(err)
		out.GoType, out.Value, out.Bytes = "dmsg.SignedObject", requestJSON(req), hx(so)
		out.Layout = "sig(65) ‖ gob(StreamRequest); sig = SignPayload(gob bytes, initiator_sk)"
		out.GoVerify = errText(req.Verify(0))
	case "stream_response_accepted", "stream_response_rejected":
		resp := streamResponse(name == "stream_response_accepted")
		out.GoType, out.Value, out.Bytes = "dmsg.StreamResponse", responseJSON(resp), hx(freshGob(&resp))
	case "signed_stream_response_accepted", "signed_stream_response_rejected":
		resp := streamResponse(name == "signed_stream_response_accepted")
		so := signObject(freshGob(&resp), responder)
		req, err := signedRequest().ObtainStreamRequest()
		must(err)
		decoded, err := so.ObtainStreamResponse()
		must(err)
		out.GoType, out.Value, out.Bytes = "dmsg.SignedObject", responseJSON(decoded), hx(so)
		out.Layout = "sig(65) ‖ gob(StreamResponse); sig = SignPayload(gob bytes, responder_sk); " +
			"ReqHash = SHA-256 of gob.signed_stream_request.bytes (the whole signed object)"
		out.GoVerify = errText(decoded.Verify(req))
	case "signed_stream_request_kk", "signed_stream_response_kk":
		reqSO, respSO := streamDialKK()
		req, err := reqSO.ObtainStreamRequest()
		must(err)
		resp, err := respSO.ObtainStreamResponse()
		must(err)
		if name == "signed_stream_request_kk" {
			out.GoType, out.Value, out.Bytes = "dmsg.SignedObject", requestJSON(req), hx(reqSO)
			out.Layout = "sig(65) ‖ gob(StreamRequest) with NoiseMsg = KK message 1 (noise.kk.messages[0])"
			out.GoVerify = errText(req.Verify(0))
		} else {
			out.GoType, out.Value, out.Bytes = "dmsg.SignedObject", responseJSON(resp), hx(respSO)
			out.Layout = "sig(65) ‖ gob(StreamResponse) with NoiseMsg = KK message 2 (noise.kk.messages[1]); " +
				"ReqHash = SHA-256(signed_stream_request_kk.bytes)"
			out.GoVerify = errText(resp.Verify(req))
		}
	case "bidirectional_route":
		r := bidirectionalRoute()
		out.GoType, out.Value, out.Bytes = "routing.BidirectionalRoute", routeJSON(r), hx(freshGob(&r))
	case "hop":
		h := bidirectionalRoute().Forward[0]
		out.GoType, out.Value, out.Bytes = "routing.Hop", hopJSON(h), hx(freshGob(&h))
	case "edge_rules":
		e := edgeRules()
		out.GoType, out.Value, out.Bytes = "routing.EdgeRules", edgeRulesJSON(e), hx(freshGob(&e))
	case "rule_intermediary":
		r := intermediaryRule()
		out.GoType, out.Value, out.Bytes = "routing.Rule", hx(r), hx(freshGob(r))
	case "rule_forward":
		r := forwardRule()
		out.GoType, out.Value, out.Bytes = "routing.Rule", hx(r), hx(freshGob(r))
	case "rules":
		rs := []routing.Rule{intermediaryRule(), routing.IntermediaryForwardRule(keepAlive, 5, 6, tpInitiatorHop)}
		out.GoType, out.Value, out.Bytes = "[]routing.Rule", []string{hx(rs[0]), hx(rs[1])}, hx(freshGob(rs))
	case "route_ids":
		ids := []routing.RouteID{1, 2, 3}
		out.GoType, out.Value, out.Bytes = "[]routing.RouteID", routeIDsJSON(ids), hx(freshGob(ids))
	case "uint8":
		out.GoType, out.Value, out.Bytes = "uint8", 3, hx(freshGob(uint8(3)))
	case "bool_true":
		out.GoType, out.Value, out.Bytes = "bool", true, hx(freshGob(true))
	case "bool_false":
		out.GoType, out.Value, out.Bytes = "bool", false, hx(freshGob(false))
	default:
		fail(errUnknown(name))
	}
	return out
}

type errUnknown string

func (e errUnknown) Error() string { return "unknown gob vector " + string(e) }

func gobSection() map[string]interface{} {
	out := map[string]interface{}{
		"how": "each value encoded by a new gob.Encoder in a fresh Go process, so type ids start at " +
			"65 and follow Go's allocation order for that value alone; in a long-running Go process " +
			"the ids differ (they are process-wide, assigned on first use): decoders must map ids " +
			"from the type descriptors, never assume them",
		"pubkey_note": "cipher.PubKey implements encoding.BinaryMarshaler, so gob sends it as a " +
			"33-byte string (type GobEncoder wire type); uuid.UUID likewise (16 bytes)",
	}
	for _, name := range gobNames {
		var v gobOut
		runChild(&v, "gob", name)
		out[name] = v
	}
	return out
}
