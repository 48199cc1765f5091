package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"math/big"

	"github.com/skycoin/dmsg/pkg/noise"
	skycipher "github.com/skycoin/skycoin/src/cipher"
	secp "github.com/skycoin/skycoin/src/cipher/secp256k1-go/secp256k1-go2"
	"github.com/skycoin/skywire-utilities/pkg/cipher"

	"github.com/skycoin/skywire/pkg/transport"
	"github.com/skycoin/skywire/pkg/transport/network"
)

// The fixed keys. initiator/responder and the ephemerals are those of
// tests/testdata/go-dmsg-2023-vectors.json; "hop" is a third visor for multi-hop routes, its
// secret is SHA-256 of a fixed text.
const (
	initiatorSKHex          = "11eb2d3a778ce03a0073e23db79e8a909af648eef221b2f0b72e79139eb967f8"
	responderSKHex          = "6147e3832040f30d9520a472032976dc81d9d4b24a3ef5993ec282727610ce3f"
	initiatorEphemeralSKHex = "23d6ce0e8f7452d62c81e01992f1def849530def4d3473e927e609331fd6495a"
	responderEphemeralSKHex = "db772640291c39ac9126b09e9fbe6ba57541da138fab5722e59428ef04604c2f"
	hopSeedText             = "skywire-deno vectors: intermediary hop"
)

type keyPair struct {
	PK cipher.PubKey
	SK cipher.SecKey
}

func keyFromSKHex(s string) keyPair {
	var sk cipher.SecKey
	must(sk.UnmarshalText([]byte(s)))
	pk, err := sk.PubKey()
	must(err)
	return keyPair{pk, sk}
}

var (
	initiator          = keyFromSKHex(initiatorSKHex)
	responder          = keyFromSKHex(responderSKHex)
	initiatorEphemeral = keyFromSKHex(initiatorEphemeralSKHex)
	responderEphemeral = keyFromSKHex(responderEphemeralSKHex)
	hop                = keyFromSKHex(hx(sha256Sum([]byte(hopSeedText))))
)

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

func keysSection() map[string]interface{} {
	out := map[string]interface{}{
		"hop_sk_derivation": "SHA-256(\"" + hopSeedText + "\")",
	}
	for name, kp := range map[string]keyPair{
		"initiator": initiator, "responder": responder, "hop": hop,
		"initiator_ephemeral": initiatorEphemeral, "responder_ephemeral": responderEphemeral,
	} {
		out[name+"_sk"] = kp.SK.Hex()
		out[name+"_pk"] = kp.PK.Hex()
	}
	return out
}

// rfc6979Nonce derives the ECDSA nonce k for hash and sk as RFC 6979 section 3.2 does for
// secp256k1 with HMAC-SHA256 (qlen = hlen = 256). noble-curves' sign() uses the same derivation.
func rfc6979Nonce(hash, sk []byte) *big.Int {
	n := secp.TheCurve.Order.Int
	h1 := new(big.Int).SetBytes(hash)
	h1.Mod(h1, &n)
	h1b := make([]byte, 32)
	h1.FillBytes(h1b)
	mac := func(key []byte, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)
	}
	v := bytes32(0x01)
	k := bytes32(0x00)
	k = mac(k, v, []byte{0x00}, sk, h1b)
	v = mac(k, v)
	k = mac(k, v, []byte{0x01}, sk, h1b)
	v = mac(k, v)
	for {
		v = mac(k, v)
		t := new(big.Int).SetBytes(v)
		if t.Sign() > 0 && t.Cmp(&n) < 0 {
			return t
		}
		k = mac(k, v, []byte{0x00})
		v = mac(k, v)
	}
}

func bytes32(b byte) []byte {
	out := make([]byte, 32)
	for i := range out {
		out[i] = b
	}
	return out
}

// signPayloadDeterministic is skycoin's SignHash(SHA-256(payload)) with the RFC 6979 nonce in
// place of the random one: the same secp256k1-go2 Signature.Sign (which makes S low and sets
// the recovery id) and the same R‖S‖recid layout.
func signPayloadDeterministic(payload []byte, sk cipher.SecKey) cipher.Sig {
	hash := sha256Sum(payload)
	var seckey, msg, nonce secp.Number
	seckey.SetBytes(sk[:])
	msg.SetBytes(hash)
	nonce.Int = *rfc6979Nonce(hash, sk[:])
	var sig secp.Signature
	var recid int
	if sig.Sign(&seckey, &msg, &nonce, &recid) != 1 {
		panic("secp256k1-go2 Sign failed")
	}
	var out cipher.Sig
	copy(out[:64], sig.Bytes())
	out[64] = byte(recid)
	if err := cipher.VerifyPubKeySignedPayload(mustPK(sk), out, payload); err != nil {
		panic("deterministic signature does not verify: " + err.Error())
	}
	return out
}

func mustPK(sk cipher.SecKey) cipher.PubKey {
	pk, err := sk.PubKey()
	must(err)
	return pk
}

// highSTwin replaces S by n-S and flips the low bit of the recovery id: the same point
// signature in its malleable form.
func highSTwin(sig cipher.Sig) cipher.Sig {
	n := secp.TheCurve.Order.Int
	s := new(big.Int).SetBytes(sig[32:64])
	s.Sub(&n, s)
	out := sig
	s.FillBytes(out[32:64])
	out[64] ^= 1
	return out
}

func signaturesSection() map[string]interface{} {
	payload := []byte("skywire signed payload")
	pk := initiator.PK
	verify := func(pk cipher.PubKey, sig cipher.Sig) string {
		return catch(func() error { return cipher.VerifyPubKeySignedPayload(pk, sig, payload) })
	}
	sig := signPayloadDeterministic(payload, initiator.SK)
	random, err := cipher.SignPayload(payload, initiator.SK)
	must(err)
	twin := highSTwin(sig)
	recid4 := sig
	recid4[64] = 4
	flipped := sig
	flipped[64] ^= 1
	var zero cipher.Sig

	c := func(name, note string, pk cipher.PubKey, sig cipher.Sig) map[string]interface{} {
		return map[string]interface{}{
			"name": name, "note": note, "pk": pk.Hex(), "sig": sig.Hex(), "go_verify": verify(pk, sig),
		}
	}
	return map[string]interface{}{
		"payload":        hx(payload),
		"payload_sha256": hx(sha256Sum(payload)),
		"pk":             pk.Hex(),
		"sk":             initiator.SK.Hex(),
		"go_verify_function": "cipher.VerifyPubKeySignedPayload(pk, sig, payload) from " +
			"skywire-utilities/pkg/cipher; go_verify is \"ok\" or the error text",
		"go_random_nonce": c("go_random_nonce", "cipher.SignPayload (random nonce; changes every run)", pk, random),
		"cases": []interface{}{
			c("valid", "RFC 6979 nonce, low S; noble sign(sha256(payload), sk, {lowS:true, prehash:false}) gives these bytes", pk, sig),
			c("high_s_twin", "S replaced by n-S and recid^1: recovers the same key, rejected by VerifySignatureValidity", pk, twin),
			c("recid_4", "recovery id 4", pk, recid4),
			c("recid_flipped", "low S kept, recid^1: recovers a different key", pk, flipped),
			c("wrong_key", "valid signature checked against the responder's key", responder.PK, sig),
			c("zero_sig", "all-zero signature", pk, zero),
		},
	}
}

func ecdhSection() map[string]interface{} {
	pairs := []struct {
		name string
		sk   cipher.SecKey
		pk   cipher.PubKey
	}{
		{"initiator_sk_responder_pk", initiator.SK, responder.PK},
		{"responder_sk_initiator_pk", responder.SK, initiator.PK},
		{"initiator_sk_hop_pk", initiator.SK, hop.PK},
		{"hop_sk_responder_pk", hop.SK, responder.PK},
		{"initiator_ephemeral_sk_responder_ephemeral_pk", initiatorEphemeral.SK, responderEphemeral.PK},
		{"responder_sk_initiator_ephemeral_pk", responder.SK, initiatorEphemeral.PK},
	}
	var list []interface{}
	for _, p := range pairs {
		out, err := skycipher.ECDH(skycipher.PubKey(p.pk), skycipher.SecKey(p.sk))
		must(err)
		list = append(list, map[string]interface{}{
			"name":         p.name,
			"sk":           p.sk.Hex(),
			"pk":           p.pk.Hex(),
			"out":          hx(out),
			"noise_dh_out": hx(noise.Secp256k1{}.DH(p.sk[:], p.pk[:])),
		})
	}
	// 33-byte strings that are not points: x >= p, and x = 0 (no point has x = 0 on secp256k1).
	var invalid []interface{}
	for _, bad := range [][]byte{append([]byte{0x02}, bytes32(0xff)...), append([]byte{0x02}, bytes32(0x00)...)} {
		var pk skycipher.PubKey
		copy(pk[:], bad)
		res := catch(func() error {
			_, err := skycipher.ECDH(pk, skycipher.SecKey(initiator.SK))
			return err
		})
		invalid = append(invalid, map[string]interface{}{"pk": hx(bad), "sk": initiator.SK.Hex(), "go_result": res})
	}
	return map[string]interface{}{
		"function": "skycoin cipher.ECDH(pk, sk) = SHA-256(compressed(sk*pk)); noise_dh_out is dmsg " +
			"noise.Secp256k1{}.DH(sk, pk) = out || 0x00 (DHLen 33)",
		"pairs":      list,
		"invalid_pk": invalid,
	}
}

func transportIDsSection() map[string]interface{} {
	types := []network.Type{network.STCPR, network.SUDPH, network.STCP, network.DMSG}
	pairs := [][2]keyPair{{initiator, responder}, {responder, initiator}, {initiator, hop}, {hop, initiator}, {hop, responder}, {responder, hop}}
	var list []interface{}
	for _, p := range pairs {
		for _, t := range types {
			id := transport.MakeTransportID(p[0].PK, p[1].PK, t)
			sorted := transport.SortEdges(p[0].PK, p[1].PK)
			list = append(list, map[string]interface{}{
				"pk_a": p[0].PK.Hex(), "pk_b": p[1].PK.Hex(), "type": string(t),
				"id": id.String(), "id_bytes": hx(id[:]),
				"sorted_edges": []string{sorted[0].Hex(), sorted[1].Hex()},
			})
		}
	}
	return map[string]interface{}{
		"function": "transport.MakeTransportID(pk_a, pk_b, type) (pkg/transport/transport.go); id is uuid.UUID.String()",
		"cases":    list,
	}
}
