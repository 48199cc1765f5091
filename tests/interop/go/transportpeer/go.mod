module skywire-deno/tests/interop/go/transportpeer

go 1.21

require (
	github.com/google/uuid v1.3.1
	github.com/skycoin/dmsg v1.3.18-0.20240311074627-0ba753f65a88
	github.com/skycoin/skywire v1.3.21-0.20240327165602-0e7420a5cb01
	github.com/skycoin/skywire-utilities v1.3.18-0.20240208220612-9f31eda72f33
)
