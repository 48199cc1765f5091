module skywire-deno/tests/interop/go/dmsgpeer

go 1.18

require (
	github.com/sirupsen/logrus v1.8.1
	github.com/skycoin/dmsg v1.3.12-0.20230710144659-9c8b80bd8f6b
	github.com/skycoin/skywire-utilities v0.0.0-20230609191923-1e678802e17e
)
