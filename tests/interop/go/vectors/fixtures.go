package main

import (
	"github.com/google/uuid"

	"github.com/skycoin/dmsg/pkg/dmsg"
	"github.com/skycoin/skywire/pkg/router"
	"github.com/skycoin/skywire/pkg/routing"
	"github.com/skycoin/skywire/pkg/transport"
	"github.com/skycoin/skywire/pkg/transport/network"
)

// Fixed inputs shared by the gob, rpc and routing sections.
const (
	fixedTimestamp = int64(1795235666558283721) // the 2023 vectors' timestamp (UnixNano)
	routeSrcPort   = routing.Port(49153)
	routeDstPort   = routing.Port(3)
)

var (
	keepAlive = router.DefaultRouteKeepAlive // 30 s in this version

	// Transports of the two-hop route initiator -> hop -> responder.
	tpInitiatorHop = transport.MakeTransportID(initiator.PK, hop.PK, network.STCPR)
	tpHopResponder = transport.MakeTransportID(hop.PK, responder.PK, network.DMSG)

	routeDesc = routing.NewRouteDescriptor(initiator.PK, responder.PK, routeSrcPort, routeDstPort)
)

func streamRequest() dmsg.StreamRequest {
	return dmsg.StreamRequest{
		Timestamp: fixedTimestamp,
		SrcAddr:   dmsg.Addr{PK: initiator.PK, Port: 49153},
		DstAddr:   dmsg.Addr{PK: responder.PK, Port: 80},
		NoiseMsg:  []byte{1, 2, 3, 4},
	}
}

func consumeRule() routing.Rule {
	return routing.ConsumeRule(keepAlive, 3, initiator.PK, responder.PK, routeSrcPort, routeDstPort)
}

func forwardRule() routing.Rule {
	return routing.ForwardRule(keepAlive, 1, 2, tpInitiatorHop, initiator.PK, responder.PK, routeSrcPort, routeDstPort)
}

func intermediaryRule() routing.Rule {
	return routing.IntermediaryForwardRule(keepAlive, 2, 4, tpHopResponder)
}

func bidirectionalRoute() routing.BidirectionalRoute {
	return routing.BidirectionalRoute{
		Desc:      routeDesc,
		KeepAlive: keepAlive,
		Forward: []routing.Hop{
			{TpID: tpInitiatorHop, From: initiator.PK, To: hop.PK},
			{TpID: tpHopResponder, From: hop.PK, To: responder.PK},
		},
		Reverse: []routing.Hop{
			{TpID: tpHopResponder, From: responder.PK, To: hop.PK},
			{TpID: tpInitiatorHop, From: hop.PK, To: initiator.PK},
		},
	}
}

func edgeRules() routing.EdgeRules {
	return routing.EdgeRules{Desc: routeDesc, Forward: forwardRule(), Reverse: consumeRule()}
}

// JSON renderings of the Go values, with every byte string in hex.

func descJSON(d routing.RouteDescriptor) map[string]interface{} {
	return map[string]interface{}{
		"bytes":    hx(d[:]),
		"src_pk":   d.SrcPK().Hex(),
		"dst_pk":   d.DstPK().Hex(),
		"src_port": d.SrcPort(),
		"dst_port": d.DstPort(),
	}
}

func hopJSON(h routing.Hop) map[string]interface{} {
	return map[string]interface{}{"TpID": h.TpID.String(), "From": h.From.Hex(), "To": h.To.Hex()}
}

func hopsJSON(hs []routing.Hop) []interface{} {
	var out []interface{}
	for _, h := range hs {
		out = append(out, hopJSON(h))
	}
	return out
}

func routeJSON(r routing.BidirectionalRoute) map[string]interface{} {
	return map[string]interface{}{
		"Desc":         descJSON(r.Desc),
		"KeepAlive_ns": int64(r.KeepAlive),
		"Forward":      hopsJSON(r.Forward),
		"Reverse":      hopsJSON(r.Reverse),
	}
}

func edgeRulesJSON(e routing.EdgeRules) map[string]interface{} {
	return map[string]interface{}{
		"Desc":    descJSON(e.Desc),
		"Forward": hx(e.Forward),
		"Reverse": hx(e.Reverse),
	}
}

func routeIDsJSON(ids []routing.RouteID) []uint32 {
	out := []uint32{}
	for _, id := range ids {
		out = append(out, uint32(id))
	}
	return out
}

func uuidHex(u uuid.UUID) string { return hx(u[:]) }
