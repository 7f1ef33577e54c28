/*
 * libFuzzer harness for the WebAuthn verifier (crypto/webauthn.h): the
 * bytes a browser sends at registration and login. The first byte picks
 * what is fuzzed; the rest is cut into parts, each a 2-byte big-endian
 * length and its bytes (a missing part is empty):
 *
 *   0  webauthn_parse_att_obj(rest)
 *   1  webauthn_register_verify(clientData, attObj, challenge)
 *   2  the same with a clientDataJSON made here that passes (so the
 *      fuzzer spends its time in the CBOR, the authenticator data and
 *      libfido2): attObj = rest
 *   3  webauthn_assert_verify(clientData, authData, sig, challenge,
 *      stored COSE key)
 *   4  the same with a passing clientDataJSON: authData, sig, COSE key
 *   5  webauthn_b64url_decode(rest), and encode again when it decodes
 *
 * It asserts the contracts: a refusal always carries one of the header's
 * words and leaves the output zeroed; an accepted credential has an id of
 * 1..WA_CRED_ID_MAX bytes and a key within WA_PUBKEY_MAX; base64url
 * round-trips exactly.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t chal[WA_CHALLENGE_LEN] = {1, 2, 3, 4, 5, 6, 7, 8};

static const char *const words[] = {
	"type", "challenge", "origin", "cross_origin", "top_origin",
	"rp_id_hash", "user_present", "user_verified", "attestation_format",
	"attestation", "algorithm", "credential_id", "public_key",
	"signature", "counter", "malformed", "flags"};

struct part {
	const uint8_t *p;
	size_t n;
};

/* The next part of the input (empty when it runs out). */
static struct part
next_part(const uint8_t **data, size_t *size)
{
	struct part r = {(const uint8_t *)"", 0};
	size_t n;

	if (*size < 2)
		return r;
	n = (size_t)(*data)[0] << 8 | (*data)[1];
	*data += 2;
	*size -= 2;
	if (n > *size)
		n = *size;
	r.p = *data;
	r.n = n;
	*data += n;
	*size -= n;
	return r;
}

static void
check_word(const struct wa_why *why)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(why->word, words[i]) == 0)
			return;
	fprintf(stderr, "unknown refusal word \"%s\"\n", why->word);
	abort();
}

static struct wa_rp
rp_of(void)
{
	struct wa_rp rp;

	memset(&rp, 0, sizeof(rp));
	rp.rp_id = "example.org";
	rp.origins[0] = "https://example.org";
	rp.n_origins = 1;
	rp.allow_cross_origin = 1;
	rp.top_origins[0] = "https://example.com";
	rp.n_top_origins = 1;
	rp.formats = WA_FMT_NONE | WA_FMT_PACKED | WA_FMT_FIDO_U2F | WA_FMT_TPM;
	return rp;
}

/* A clientDataJSON that passes every check for type. */
static size_t
good_client_data(const char *type, char *out, size_t outsz)
{
	char b64[64];
	int n;

	webauthn_b64url_encode(chal, sizeof(chal), b64, sizeof(b64));
	n = snprintf(out, outsz,
		     "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":"
		     "\"https://example.org\",\"crossOrigin\":false}",
		     type, b64);
	return n > 0 && (size_t)n < outsz ? (size_t)n : 0;
}

static void
reg(struct part cd, struct part att, struct part ch)
{
	static struct wa_cred c; /* 1.7 KB: not on the fuzzer's stack */
	struct wa_rp rp = rp_of();
	struct wa_reg_in in = {cd.p, cd.n, att.p, att.n, ch.p, ch.n};
	struct wa_why why;

	if (webauthn_register_verify(&rp, &in, &c, &why) == 0) {
		if (c.id_len == 0 || c.id_len > WA_CRED_ID_MAX ||
		    c.pubkey_len == 0 || c.pubkey_len > WA_PUBKEY_MAX)
			abort();
		return;
	}
	check_word(&why);
	if (c.id_len != 0 || c.pubkey_len != 0)
		abort();
}

static void
asr(struct part cd, struct part ad, struct part sig, struct part ch,
    struct part key, int alg)
{
	struct wa_rp rp = rp_of();
	struct wa_assert_in in = {cd.p, cd.n, ad.p, ad.n, sig.p, sig.n,
				  ch.p, ch.n};
	struct wa_stored st = {key.p, key.n, alg, 5};
	struct wa_assert_out out;
	struct wa_why why;

	if (webauthn_assert_verify(&rp, &in, &st, &out, &why) == 0)
		return;
	check_word(&why);
	if (out.sign_count != 0 || out.flags != 0)
		abort();
}

static void
b64(const uint8_t *data, size_t size)
{
	/* The encoder asks for room for the padded form plus NUL (webauthn.h):
	 * 383 bytes decoded from 511 characters need 513. */
	char in[512], again[4 * ((384 + 2) / 3) + 1];
	uint8_t out[384];
	long n;

	if (size >= sizeof(in))
		return;
	memcpy(in, data, size);
	in[size] = '\0';
	n = webauthn_b64url_decode(in, out, sizeof(out));
	if (n < 0)
		return;
	/* Strict decoding: the one spelling re-encodes to the input. */
	webauthn_b64url_encode(out, (size_t)n, again, sizeof(again));
	if (strlen(in) == size && strcmp(in, again) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int algs[3] = {WA_ES256, WA_EDDSA, WA_RS256};
	static struct wa_cred c;
	char cd[256];
	struct part a, b, d, e, f;
	struct part ch = {chal, sizeof(chal)};
	unsigned mode;

	if (size < 1)
		return 0;
	mode = data[0] % 6;
	data++;
	size--;
	if (mode == 0) {
		if (webauthn_parse_att_obj(data, size, &c) == 0 &&
		    (c.id_len == 0 || c.id_len > WA_CRED_ID_MAX))
			abort();
	} else if (mode == 1) {
		a = next_part(&data, &size);
		b = next_part(&data, &size);
		reg(a, b, next_part(&data, &size));
	} else if (mode == 2) {
		a = (struct part){(const uint8_t *)cd,
				  good_client_data("webauthn.create", cd,
						   sizeof(cd))};
		reg(a, (struct part){data, size}, ch);
	} else if (mode == 3) {
		a = next_part(&data, &size);
		b = next_part(&data, &size);
		d = next_part(&data, &size);
		e = next_part(&data, &size);
		f = next_part(&data, &size);
		asr(a, b, d, e, f, algs[size > 0 ? data[0] % 3 : 0]);
	} else if (mode == 4) {
		a = (struct part){(const uint8_t *)cd,
				  good_client_data("webauthn.get", cd,
						   sizeof(cd))};
		b = next_part(&data, &size);
		d = next_part(&data, &size);
		e = next_part(&data, &size);
		asr(a, b, d, ch, e, algs[size > 0 ? data[0] % 3 : 0]);
	} else {
		b64(data, size);
	}
	return 0;
}
