module skywire-deno/tests/interop/go/yamuxpeer

go 1.21

require github.com/hashicorp/yamux v0.1.1
