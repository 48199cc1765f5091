package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/rpc"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/skycoin/skywire-utilities/pkg/cipher"
	"github.com/skycoin/skywire-utilities/pkg/logging"

	"github.com/skycoin/skywire/pkg/router"
	"github.com/skycoin/skywire/pkg/router/setupmetrics"
	"github.com/skycoin/skywire/pkg/routing"
)

// The net/rpc vectors run in separate processes talking over TCP on 127.0.0.1, as a Go visor,
// a Go setup node and Go hop visors would: gob type ids are process-wide, so each side's ids
// are what a fresh Go process of that role sends.
//
//	rpc-visor:         a visor's RPCGateway (the real router.RPCGateway over a stub Router)
//	rpc-hops:          three visors' RPCGateways (initiator, hop, responder) on three listeners
//	rpc-setup ADDRS:   a setup node: the real router.SetupRPCGateway, dialing the hops
//	rpc-client SCRIPT ADDR: a Go net/rpc client running the "gateway" or "setup" calls

// stubRouter implements the three router.Router methods RPCGateway calls; the embedded nil
// interface makes any other method panic, which would show up as a failed run.
type stubRouter struct {
	router.Router
	nextID  routing.RouteID
	mu      sync.Mutex
	edge    []routing.EdgeRules
	interm  []routing.Rule
	reserve []int
}

func (r *stubRouter) ReserveKeys(n int) ([]routing.RouteID, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reserve = append(r.reserve, n)
	ids := make([]routing.RouteID, n)
	for i := range ids {
		ids[i] = r.nextID
		r.nextID++
	}
	return ids, nil
}

func (r *stubRouter) IntroduceRules(rules routing.EdgeRules) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rules.Desc.SrcPort() == 0 {
		return errors.New("stub router refuses a zero source port")
	}
	r.edge = append(r.edge, rules)
	return nil
}

func (r *stubRouter) SaveRoutingRules(rules ...routing.Rule) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interm = append(r.interm, rules...)
	return nil
}

// tapConn records both directions of a connection in order.
type tapConn struct {
	net.Conn
	mu      sync.Mutex
	written bytes.Buffer
	read    bytes.Buffer
}

func (c *tapConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.written.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *tapConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

func (c *tapConn) streams() (written, read []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]byte(nil), c.written.Bytes()...), append([]byte(nil), c.read.Bytes()...)
}

func newGateway(first routing.RouteID) (*rpc.Server, *stubRouter) {
	sr := &stubRouter{nextID: first}
	srv := rpc.NewServer()
	ml := logging.NewMasterLogger()
	ml.Out = os.Stderr // stdout carries our JSON
	must(srv.RegisterName(router.RPCName, router.NewRPCGateway(sr, ml)))
	return srv, sr
}

// serveUntilStdinCloses prints the listener addresses as the first stdout line, serves, and
// returns when the parent closes our stdin.
func serveUntilStdinCloses(addrs interface{}) {
	line, err := json.Marshal(addrs)
	must(err)
	fmt.Println(string(line))
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func listen() net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	return l
}

// acceptOne serves one connection with srv, records it, and closes done when it ends.
func acceptOne(l net.Listener, srv *rpc.Server) (*tapConn, chan struct{}) {
	tap := &tapConn{}
	done := make(chan struct{})
	go func() {
		c, err := l.Accept()
		must(err)
		tap.Conn = c
		srv.ServeConn(tap)
		close(done)
	}()
	return tap, done
}

type serverCapture struct {
	Written string `json:"written"`
	Read    string `json:"read"`
}

func runRPCServer() interface{} {
	switch os.Args[2] {
	case "visor":
		return runVisorServer()
	case "hops":
		return runHopsServer()
	case "setup":
		return runSetupServer(os.Args[3])
	}
	fail(fmt.Errorf("unknown server role %q", os.Args[2]))
	return nil
}

func runVisorServer() interface{} {
	l := listen()
	srv, _ := newGateway(1)
	tap, done := acceptOne(l, srv)
	serveUntilStdinCloses(map[string]string{"addr": l.Addr().String()})
	<-done
	w, r := tap.streams()
	return serverCapture{Written: hx(w), Read: hx(r)}
}

var hopVisors = []struct {
	name    string
	kp      keyPair
	firstID routing.RouteID
}{{"initiator", initiator, 1}, {"hop", hop, 11}, {"responder", responder, 21}}

func runHopsServer() interface{} {
	addrs := map[string]string{}
	taps := map[string]*tapConn{}
	dones := map[string]chan struct{}{}
	stubs := map[string]*stubRouter{}
	for _, v := range hopVisors {
		l := listen()
		srv, sr := newGateway(v.firstID)
		taps[v.name], dones[v.name] = acceptOne(l, srv)
		stubs[v.name] = sr
		addrs[v.kp.PK.Hex()] = l.Addr().String()
	}
	serveUntilStdinCloses(addrs)
	out := map[string]interface{}{}
	for _, v := range hopVisors {
		<-dones[v.name]
		w, r := taps[v.name].streams()
		sr := stubs[v.name]
		var edge []interface{}
		for _, e := range sr.edge {
			edge = append(edge, edgeRulesJSON(e))
		}
		var interm []string
		for _, ru := range sr.interm {
			interm = append(interm, hx(ru))
		}
		out[v.name] = map[string]interface{}{
			"pk":                          v.kp.PK.Hex(),
			"first_route_id":              uint32(v.firstID),
			"messages":                    splitRPC(r, w),
			"setup_node_to_visor":         hx(r),
			"visor_to_setup_node":         hx(w),
			"reserve_ids_n":               sr.reserve,
			"received_edge_rules":         edge,
			"received_intermediary_rules": interm,
		}
	}
	return out
}

// mapDialer connects to the hop visors' listeners by public key, standing in for dmsg.
type mapDialer struct {
	addrs map[string]string
	mu    sync.Mutex
	ports []uint16
}

func (d *mapDialer) Dial(ctx context.Context, remote cipher.PubKey, port uint16) (net.Conn, error) {
	d.mu.Lock()
	d.ports = append(d.ports, port)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", d.addrs[remote.Hex()])
}

func (d *mapDialer) Type() string { return "dmsg" }

func runSetupServer(addrsJSON string) interface{} {
	dialer := &mapDialer{}
	must(json.Unmarshal([]byte(addrsJSON), &dialer.addrs))
	l := listen()
	tap := &tapConn{}
	done := make(chan struct{})
	go func() {
		c, err := l.Accept()
		must(err)
		tap.Conn = c
		srv := rpc.NewServer()
		gw := &router.SetupRPCGateway{
			Metrics: setupmetrics.NewEmpty(),
			Ctx:     context.Background(),
			Conn:    c,
			ReqPK:   initiator.PK,
			Dialer:  dialer,
			Timeout: 20 * time.Second,
		}
		must(srv.RegisterName("SetupRPCGateway", gw))
		srv.ServeConn(tap)
		close(done)
	}()
	serveUntilStdinCloses(map[string]string{"addr": l.Addr().String()})
	<-done
	w, r := tap.streams()
	dialer.mu.Lock()
	ports := dialer.ports
	dialer.mu.Unlock()
	sort.Slice(ports, func(i, j int) bool { return ports[i] < ports[j] })
	return map[string]interface{}{"written": hx(w), "read": hx(r), "dialed_ports": ports}
}

type rpcCall struct {
	method string
	args   interface{}
	reply  func() interface{}
	render func(v interface{}) interface{}
}

func renderAny(v interface{}) interface{} {
	switch x := v.(type) {
	case *[]routing.RouteID:
		return routeIDsJSON(*x)
	case *bool:
		return *x
	case *routing.EdgeRules:
		return edgeRulesJSON(*x)
	case []routing.Rule:
		var s []string
		for _, r := range x {
			s = append(s, hx(r))
		}
		return s
	case routing.EdgeRules:
		return edgeRulesJSON(x)
	case routing.BidirectionalRoute:
		return routeJSON(x)
	case uint8:
		return x
	}
	return fmt.Sprintf("%v", v)
}

func gatewayCalls() []rpcCall {
	badEdge := edgeRules()
	badEdge.Desc = routing.NewRouteDescriptor(initiator.PK, responder.PK, 0, routeDstPort)
	ids := func() interface{} { return new([]routing.RouteID) }
	ok := func() interface{} { return new(bool) }
	return []rpcCall{
		{method: "RPCGateway.ReserveIDs", args: uint8(3), reply: ids},
		{method: "RPCGateway.AddIntermediaryRules", args: []routing.Rule{intermediaryRule()}, reply: ok},
		{method: "RPCGateway.AddEdgeRules", args: edgeRules(), reply: ok},
		{method: "RPCGateway.ReserveIDs", args: uint8(2), reply: ids},
		{method: "RPCGateway.AddEdgeRules", args: badEdge, reply: ok},
		{method: "RPCGateway.NoSuchMethod", args: uint8(1), reply: ok},
		{method: "NoSuchService.ReserveIDs", args: uint8(1), reply: ids},
	}
}

func setupCalls() []rpcCall {
	return []rpcCall{
		{method: "SetupRPCGateway.DialRouteGroup", args: bidirectionalRoute(), reply: func() interface{} { return new(routing.EdgeRules) }},
	}
}

// runRPCClient dials ADDR, makes the script's calls one after another with a Go net/rpc
// client (gob codec) and returns each call's bytes in both directions, split by decoding.
func runRPCClient(script string) interface{} {
	addr := os.Args[3]
	calls := gatewayCalls()
	if script == "setup" {
		calls = setupCalls()
	}
	c, err := net.Dial("tcp", addr)
	must(err)
	tap := &tapConn{Conn: c}
	client := rpc.NewClient(tap)
	var results []interface{}
	for _, call := range calls {
		reply := call.reply()
		err := client.Call(call.method, call.args, reply)
		res := map[string]interface{}{"service_method": call.method, "args": renderAny(call.args)}
		if err != nil {
			res["client_error"] = err.Error()
		} else {
			res["reply"] = renderAny(reply)
		}
		results = append(results, res)
	}
	must(client.Close())
	w, r := tap.streams()

	for i, m := range splitRPC(w, r) {
		for k, v := range m {
			results[i].(map[string]interface{})[k] = v
		}
	}
	return map[string]interface{}{
		"calls":            results,
		"client_to_server": hx(w),
		"server_to_client": hx(r),
	}
}

// splitRPC cuts a net/rpc client->server stream and its server->client stream into messages
// (gob(header) ‖ gob(body), with any type descriptors sent before them) by decoding them again;
// a gob decoder over a bytes.Reader reads exactly one message at a time.
func splitRPC(requests, responses []byte) []map[string]interface{} {
	reqR, respR := bytes.NewReader(requests), bytes.NewReader(responses)
	reqDec, respDec := gob.NewDecoder(reqR), gob.NewDecoder(respR)
	var out []map[string]interface{}
	for reqR.Len() > 0 {
		m := map[string]interface{}{}
		start := len(requests) - reqR.Len()
		var hdr rpc.Request
		must(reqDec.Decode(&hdr))
		must(reqDec.DecodeValue(reflect.Value{})) // the body, discarded
		m["request_bytes"] = hx(requests[start : len(requests)-reqR.Len()])
		m["request_header"] = map[string]interface{}{"ServiceMethod": hdr.ServiceMethod, "Seq": hdr.Seq}

		start = len(responses) - respR.Len()
		var rh rpc.Response
		must(respDec.Decode(&rh))
		must(respDec.DecodeValue(reflect.Value{})) // the body, discarded
		m["response_bytes"] = hx(responses[start : len(responses)-respR.Len()])
		m["response_header"] = map[string]interface{}{"ServiceMethod": rh.ServiceMethod, "Seq": rh.Seq, "Error": rh.Error}
		out = append(out, m)
	}
	return out
}

// child is a running helper process whose first stdout line is JSON and whose final output
// (after stdin closes) is JSON too.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

func startChild(args ...string) (*child, map[string]string) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	must(err)
	outPipe, err := cmd.StdoutPipe()
	must(err)
	must(cmd.Start())
	ch := &child{cmd: cmd, stdin: in, out: bufio.NewReader(outPipe)}
	line, err := ch.out.ReadBytes('\n')
	must(err)
	var first map[string]string
	must(json.Unmarshal(line, &first))
	return ch, first
}

func (c *child) finish(out interface{}) {
	must(c.stdin.Close())
	b, err := io.ReadAll(c.out)
	must(err)
	must(c.cmd.Wait())
	must(json.Unmarshal(b, out))
}

func rpcSection() map[string]interface{} {
	// A visor's RPCGateway, called directly.
	visor, addr := startChild("rpc-server", "visor")
	var gwClient map[string]interface{}
	runChild(&gwClient, "rpc-client", "gateway", addr["addr"])
	var gwServer serverCapture
	visor.finish(&gwServer)
	if gwServer.Read != gwClient["client_to_server"] || gwServer.Written != gwClient["server_to_client"] {
		fail(errors.New("rpc capture: client and server saw different bytes"))
	}

	// A full route setup: visor -> setup node -> three visors.
	hops, hopAddrs := startChild("rpc-server", "hops")
	addrsJSON, err := json.Marshal(hopAddrs)
	must(err)
	setup, setupAddr := startChild("rpc-server", "setup", string(addrsJSON))
	var setupClient map[string]interface{}
	runChild(&setupClient, "rpc-client", "setup", setupAddr["addr"])
	var setupServer map[string]interface{}
	setup.finish(&setupServer)
	var hopCaptures map[string]interface{}
	hops.finish(&hopCaptures)

	return map[string]interface{}{
		"how": "Go net/rpc (gob codec) client and server in separate fresh processes over TCP on " +
			"127.0.0.1; every byte each side wrote was recorded and then split per message by " +
			"decoding it again. Each message is gob(header) ‖ gob(body) on one gob stream per " +
			"direction: type descriptors are sent once per connection, before the first value " +
			"of that type.",
		"gateway": map[string]interface{}{
			"note": "client = a setup node calling a visor's RPCGateway (router.RPCGateway over a " +
				"stub Router: ReserveKeys returns consecutive ids from 1, IntroduceRules fails when " +
				"the descriptor's source port is 0); calls are made one after another on one connection",
			"capture": gwClient,
		},
		"route_setup": map[string]interface{}{
			"note": "client = the initiating visor calling SetupRPCGateway.DialRouteGroup on the real " +
				"router.SetupRPCGateway (CreateRouteGroup), which dials each visor on the route " +
				"(TCP here in place of dmsg, at the port it asks for) and calls their RPCGateway; " +
				"stub routers hand out route ids from first_route_id. The initiator's EdgeRules " +
				"come back as the reply; the responder's arrive by AddEdgeRules.",
			"visor_capture":       setupClient,
			"setup_node_capture":  setupServer,
			"hop_visor_captures":  hopCaptures,
			"initiator_pk":        initiator.PK.Hex(),
			"hop_pk":              hop.PK.Hex(),
			"responder_pk":        responder.PK.Hex(),
			"setup_node_rpc_name": "SetupRPCGateway",
			"visor_rpc_name":      router.RPCName,
		},
	}
}
