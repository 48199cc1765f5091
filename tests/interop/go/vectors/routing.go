package main

import (
	"encoding/json"
	"time"

	"github.com/skycoin/skywire/pkg/routing"
)

func packetJSON(constructor string, p routing.Packet) map[string]interface{} {
	return map[string]interface{}{
		"constructor":  constructor,
		"type":         byte(p.Type()),
		"type_name":    p.Type().String(),
		"route_id":     uint32(p.RouteID()),
		"payload_size": p.Size(),
		"payload":      hx(p.Payload()),
		"bytes":        hx(p),
	}
}

func packets() []interface{} {
	data, err := routing.MakeDataPacket(7, []byte("hello route"))
	must(err)
	empty, err := routing.MakeDataPacket(0xfffffffe, nil)
	must(err)
	errPkt, err := routing.MakeErrorPacket(9, []byte("route not found"))
	must(err)
	_, tooBig := routing.MakeDataPacket(1, make([]byte, 65536))
	return []interface{}{
		packetJSON("MakeDataPacket(7, \"hello route\")", data),
		packetJSON("MakeDataPacket(0xfffffffe, nil)", empty),
		packetJSON("MakeClosePacket(7, CloseRequested)", routing.MakeClosePacket(7, routing.CloseRequested)),
		packetJSON("MakeKeepAlivePacket(7)", routing.MakeKeepAlivePacket(7)),
		packetJSON("MakeHandshakePacket(7, true)", routing.MakeHandshakePacket(7, true)),
		packetJSON("MakeHandshakePacket(7, false)", routing.MakeHandshakePacket(7, false)),
		packetJSON("MakePingPacket(7, 1711558562000000000, 123456)", routing.MakePingPacket(7, 1711558562000000000, 123456)),
		packetJSON("MakePongPacket(7, 1711558562000000000)", routing.MakePongPacket(7, 1711558562000000000)),
		packetJSON("MakeErrorPacket(9, \"route not found\")", errPkt),
		map[string]interface{}{"constructor": "MakeDataPacket(1, 65536 bytes)", "go_error": errText(tooBig)},
	}
}

func ruleJSON(constructor string, r routing.Rule) map[string]interface{} {
	summary, err := json.Marshal(r.Summary())
	must(err)
	out := map[string]interface{}{
		"constructor":   constructor,
		"bytes":         hx(r),
		"size":          len(r),
		"keep_alive_ns": int64(r.KeepAlive()),
		"type":          byte(r.Type()),
		"type_name":     r.Type().String(),
		"key_route_id":  uint32(r.KeyRouteID()),
		"go_string":     r.String(),
		"summary_json":  string(summary),
	}
	switch r.Type() {
	case routing.RuleReverse:
		out["route_descriptor"] = descJSON(r.RouteDescriptor())
	case routing.RuleForward:
		out["route_descriptor"] = descJSON(r.RouteDescriptor())
		fallthrough
	case routing.RuleIntermediary:
		out["next_route_id"] = uint32(r.NextRouteID())
		out["next_transport_id"] = r.NextTransportID().String()
		out["next_transport_id_bytes"] = uuidHex(r.NextTransportID())
	}
	return out
}

func routingSection() map[string]interface{} {
	var keepAlives []interface{}
	for _, d := range []time.Duration{0, 30 * time.Second, 10 * time.Minute, -5 * time.Second} {
		r := routing.IntermediaryForwardRule(d, 1, 2, tpHopResponder)
		keepAlives = append(keepAlives, map[string]interface{}{
			"keep_alive_ns":      int64(d),
			"rule_header_bytes":  hx(r[:routing.RuleHeaderSize]),
			"rule_keep_alive_ns": int64(r.KeepAlive()),
		})
	}
	inv := routeDesc.Invert()
	return map[string]interface{}{
		"packet_header_size": routing.PacketHeaderSize,
		"packet_layout":      "type(1) ‖ route_id(4, BE) ‖ payload_size(2, BE) ‖ payload",
		"packets":            packets(),
		"rule_header_size":   routing.RuleHeaderSize,
		"rules": []interface{}{
			ruleJSON("ConsumeRule(30s, 3, initiator, responder, 49153, 3)", consumeRule()),
			ruleJSON("ForwardRule(30s, 1, 2, tp(initiator,hop,stcpr), initiator, responder, 49153, 3)", forwardRule()),
			ruleJSON("IntermediaryForwardRule(30s, 2, 4, tp(hop,responder,dmsg))", intermediaryRule()),
		},
		"route_descriptor": map[string]interface{}{
			"constructor": "NewRouteDescriptor(initiator, responder, 49153, 3)",
			"size":        len(routeDesc),
			"value":       descJSON(routeDesc),
			"inverted":    descJSON(inv),
			"go_string":   routeDesc.String(),
		},
		"keep_alive": map[string]interface{}{
			"default_route_keep_alive_ns": int64(keepAlive),
			"keep_alive_packet":           hx(routing.MakeKeepAlivePacket(7)),
			"rule_keep_alive":             keepAlives,
			"note":                        "rules store keep-alive as uint64 BE nanoseconds; negative durations are stored as 0",
		},
		"transport_ids_used": map[string]string{
			"tp(initiator,hop,stcpr)": tpInitiatorHop.String(),
			"tp(hop,responder,dmsg)":  tpHopResponder.String(),
		},
	}
}
